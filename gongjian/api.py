"""The REST API root: /api/v1/, bearer-token auth, one router per app."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import HttpBearer

from gongjian.accounts.models import ApiToken
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_record
from gongjian.campaigns.api import router as campaigns_router
from gongjian.core.api import validation_error_body
from gongjian.core.middleware import too_large_message
from gongjian.dashboards.api import router as me_router
from gongjian.investment.api import router as leads_router
from gongjian.projects.api import router as projects_router
from gongjian.projects.api import stage_events_router
from gongjian.reporting.api import periods_router, reports_router
from gongjian.reporting.services import ReportConflictError

TOKEN_TOUCH_INTERVAL = dt.timedelta(seconds=60)


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; the request runs as the token's user."""

    def authenticate(self, request: HttpRequest, token: str):
        record = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), is_active=True, user__is_active=True)
            .first()
        )
        if record is None:
            audit_record(
                actor=None,
                action=AuditAction.LOGIN_FAILED,
                username="api-token",
                message=_("接口令牌无效。"),
            )
            return None
        now = timezone.now()
        # Written back at most once a minute: every request of a busy integration updating the
        # same row would queue them all behind its row lock on deadline day.
        if record.last_used_at is None or now - record.last_used_at >= TOKEN_TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        return record.user


# What every operation can also answer, whatever it declares: 401 without a valid token, 400 for
# a body that is not JSON, 404 for an object out of scope, and ninja's 422 for a request that
# does not validate (``detail`` is then a list of field errors).
_DETAIL_TEXT = {"type": "object", "properties": {"detail": {"type": "string"}}}
_DETAIL_LIST = {
    "type": "object",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"loc": {"type": "array"}, "msg": {"type": "string"}},
            },
        }
    },
}


class GongjianAPI(NinjaAPI):
    """The schema documents the answers the framework gives for every operation, so that a
    client (and the schemathesis fuzz test) can rely on it."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if operation.get("security"):
                    responses.setdefault(401, _json_response("Unauthorized", _DETAIL_TEXT))
                if "requestBody" in operation:  # a body that is not JSON, or too large
                    responses.setdefault(400, _json_response("Bad request", _DETAIL_TEXT))
                    responses.setdefault(413, _json_response("Too large", _DETAIL_TEXT))
                if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                    responses.setdefault(404, _json_response("Not found", _DETAIL_TEXT))
                declared = responses.get(422, {}).get("content", {}).get("application/json", {})
                alternatives = [declared["schema"]] if "schema" in declared else []
                responses[422] = _json_response(
                    "Unprocessable", {"anyOf": [*alternatives, _DETAIL_LIST]}
                )
        return schema


def _json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


api = GongjianAPI(
    title="Gongjian API",
    version="1",
    description="攻坚 Gongjian: project ledger API. Amounts are decimal strings in 万元.",
    auth=BearerToken(),
    urls_namespace="api-v1",
    docs_url=None,
)


# A service's refusal, raised by any operation, answered once here (not by per-router copies):
# 403 with its message, 409 when someone else changed the report, 422 with every message per
# field. The service rolled back what it began; only the audit event of a denial remains.
@api.exception_handler(PermissionDenied)
def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, validation_error_body(exc), status=422)


@api.exception_handler(ReportConflictError)
def _conflict(request: HttpRequest, exc: ReportConflictError) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=409)


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # A body the door (core.middleware) did not read because of its size.
    return api.create_response(request, {"detail": too_large_message()}, status=413)


api.add_router("/projects", projects_router)
api.add_router("/stage-events", stage_events_router)
api.add_router("/periods", periods_router)
api.add_router("/reports", reports_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/leads", leads_router)
api.add_router("/me", me_router)
