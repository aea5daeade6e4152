"""What every router of the REST API shares, through django-ninja's own mechanisms: the one
pagination class (``NINJA_PAGINATION_CLASS``, used by ``@paginate``), the error schemas, and
the answers to a service's refusal (registered once on the NinjaAPI in ``gongjian.api``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, get_type_hints

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from ninja.pagination import PaginationBase
from ninja.pagination import paginate as ninja_paginate

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# Past any count an empty page, not a database error (PostgreSQL's OFFSET is a bigint).
MAX_OFFSET = 2**31


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]  # field (or "__all__") → the services' messages


def validation_error_body(error: ValidationError) -> dict[str, Any]:
    """A service's ValidationError as the API answers it (422): every message, and per field."""
    errors = (
        error.message_dict
        if hasattr(error, "error_dict")
        else {NON_FIELD_ERRORS: list(error.messages)}
    )
    return {"detail": " ".join(error.messages), "errors": errors}


@dataclass(frozen=True)
class Listing:
    """Rows to page and how one row is answered: only the page's rows are converted (a
    conversion may read more, such as a project's light)."""

    rows: QuerySet | Sequence[Any]
    convert: Callable[[Any], Any]

    def count(self) -> int:
        rows = self.rows
        return rows.count() if isinstance(rows, QuerySet) else len(rows)

    def page(self, offset: int, limit: int) -> list[Any]:
        return [self.convert(row) for row in self.rows[offset : offset + limit]]


class LimitOffset(PaginationBase):
    """``?limit=`` (default 100, at most 1000; below 1 reads as 1) and ``?offset=`` (from 0), the
    answer ``{"count": all rows, "items": the page}``. Out-of-range numbers are clamped, not
    refused, as the API always did."""

    class Input(Schema):
        limit: int = DEFAULT_LIMIT
        offset: int = 0

    class Output(Schema):
        count: int
        items: list[Any]

    def paginate_queryset(
        self, queryset: Any, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        limit = max(1, min(pagination.limit, MAX_LIMIT))
        offset = min(max(0, pagination.offset), MAX_OFFSET)
        listing = queryset if isinstance(queryset, Listing) else Listing(queryset, lambda row: row)
        return {"count": listing.count(), "items": listing.page(offset, limit)}


def paginate(view: Callable[..., Any]) -> Callable[..., Any]:
    """ninja's ``@paginate`` with the project's class (``NINJA_PAGINATION_CLASS``). Our modules
    postpone annotations (``from __future__ import annotations``): they are resolved in the
    view's own module first, since ninja reads the wrapped view's in its own."""
    view.__annotations__ = get_type_hints(view, include_extras=True)
    return ninja_paginate(view)
