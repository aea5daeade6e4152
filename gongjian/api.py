"""The REST API root: /api/v1/, bearer-token auth, one router per app."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import HttpBearer

from gongjian.accounts.models import ApiToken
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_record
from gongjian.campaigns.api import router as campaigns_router
from gongjian.investment.api import router as leads_router
from gongjian.projects.api import router as projects_router
from gongjian.reporting.api import periods_router, reports_router


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
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.user = record.user
        return record.user


api = NinjaAPI(
    title="Gongjian API",
    version="1",
    description="攻坚 Gongjian: project ledger API. Amounts are decimal strings in 万元.",
    auth=BearerToken(),
    urls_namespace="api-v1",
    docs_url=None,
)
api.add_router("/projects", projects_router)
api.add_router("/periods", periods_router)
api.add_router("/reports", reports_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/leads", leads_router)
