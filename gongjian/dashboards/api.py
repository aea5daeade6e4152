"""The signed-in user's own things: ``GET /api/v1/me/todo``, the home page's to-do list for
mobile and messaging clients."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from gongjian.dashboards.todo import todo_list

router = Router(tags=["me"])


class TodoItemOut(Schema):
    kind: str  # report_due, report_returned, review_queue, late_district, lead, problem, …
    period: str | None  # "YYYY-MM" for an item of a reporting period
    count: int
    title: str
    url: str  # the page where it is done, relative to the site


class TodoOut(Schema):
    items: list[TodoItemOut]


@router.get("/todo", response=TodoOut, summary="What is waiting for the signed-in user")
def get_todo(request: HttpRequest):
    return {"items": [item.as_dict() for item in todo_list(user=request.user)]}
