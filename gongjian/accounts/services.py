"""Writes to accounts: API tokens (memberships are reference data kept in the admin)."""

from __future__ import annotations

import secrets

from django.utils.translation import gettext as _

from gongjian.accounts.models import ApiToken
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_record


def api_token_create(*, user, name: str = "", actor=None) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; the raw token is returned once and never stored."""
    raw = "gj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:8], digest=ApiToken.digest_of(raw)
    )
    audit_record(
        actor=actor or user,
        action=AuditAction.TOKEN_CREATED,
        obj=token,
        message=_("为 %(user)s 创建接口令牌 %(prefix)s…")
        % {"user": user.username, "prefix": token.prefix},
    )
    return token, raw


SYSTEM_USERNAME = "system"


def system_actor():
    """The account command-line jobs act as (shell access to the server is the permission).

    A superuser with no usable password: it cannot sign in, and its actions are audited as
    "system".
    """
    from gongjian.accounts.models import User

    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"display_name": "系统", "is_superuser": True, "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
