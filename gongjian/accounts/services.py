"""Writes to accounts: API tokens, and user management (accounts, roles, password resets)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.accounts.choices import Role
from gongjian.accounts.models import ApiToken, Membership, User
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record


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


# User management (the security administrator's) ---------------------------------------------
#
# MLPS 2.0 level 3 separation of duties: accounts and roles are managed here and nowhere else
# (the Django admin only reads them), by a security administrator who holds no business role;
# nobody changes their own roles; every grant, revocation and reset is an audit event and the
# person concerned is told.

TEMPORARY_PASSWORD_BYTES = 12


def is_security_admin(user) -> bool:
    from gongjian.accounts.scopes import has_any_role

    return has_any_role(user, [Role.SECURITY_ADMIN])


def _require_security_admin(actor, *, obj=None) -> None:
    if not is_security_admin(actor):
        raise audit_denied(actor=actor, obj=obj, message=_("只有安全管理员可以管理账号和角色。"))


def _refuse_self(actor, user, message: str) -> None:
    if actor.pk == user.pk:
        raise audit_denied(actor=actor, obj=user, message=message)


def temporary_password() -> str:
    """A random password for someone else to pass on; it must be changed at first sign-in."""
    return secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)


def account_notice(user, *, title: str, body: str) -> None:
    """Tell a user about a change to their own account: in-app, e-mail and SMS."""
    from gongjian.notifications.choices import NotificationKind
    from gongjian.notifications.services import notify

    notify(
        recipients=[user],
        kind=NotificationKind.ACCOUNT_SECURITY,
        title=title,
        body=body,
        email=True,
        sms=True,
    )


def user_create(
    *, username: str, display_name: str = "", email: str = "", phone: str = "", actor
) -> tuple[User, str]:
    """A new account with a temporary password (returned once) to be changed at first sign-in."""
    _require_security_admin(actor)
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if not username or len(username) > 150:
        errors["username"] = [_("请填写用户名（不超过 150 个字符）。")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("用户名 %(username)s 已存在。") % {"username": username}]
    if errors:
        raise ValidationError(errors)
    password = temporary_password()
    with transaction.atomic():
        user = User(
            username=username,
            display_name=display_name.strip()[:64],
            email=email.strip(),
            phone=phone.strip()[:20],
            must_change_password=True,
        )
        user.set_password(password)
        user.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=user,
            after={"username": user.username, "display_name": user.display_name},
            message=_("新建账号 %(username)s（临时密码，首次登录须修改）。")
            % {"username": user.username},
        )
    return user, password


def _check_grant(*, user, region, role: str, department) -> None:
    from gongjian.accounts.scopes import memberships_of

    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("角色无效。")]
    elif role == Role.DEPARTMENT and department is None:
        errors["department"] = [_("行业部门角色须选择部门。")]
    elif role != Role.DEPARTMENT and department is not None:
        errors["department"] = [_("只有行业部门角色需要选择部门。")]
    held = {m.role for m in memberships_of(user)}
    if role == Role.SECURITY_ADMIN and held - {Role.SECURITY_ADMIN}:
        errors["role"] = [_("安全管理员不能同时担任业务角色（职责分离）。")]
    elif role != Role.SECURITY_ADMIN and Role.SECURITY_ADMIN in held:
        errors["role"] = [_("该用户是安全管理员，不能再授予业务角色（职责分离）。")]
    if Membership.objects.filter(user=user, region=region, role=role).exists():
        errors["role"] = [_("该用户在此区域已有这个角色。")]
    if errors:
        raise ValidationError(errors)


def membership_grant(*, user, region, role: str, department=None, actor) -> Membership:
    """Give ``user`` a role in ``region``; never one's own, never mixing security and business."""
    from gongjian.accounts.scopes import forget_memberships

    _require_security_admin(actor, obj=user)
    _refuse_self(actor, user, _("不能给自己授予角色。"))
    _check_grant(user=user, region=region, role=role, department=department)
    with transaction.atomic():
        membership = Membership.objects.create(
            user=user, region=region, role=role, department=department
        )
        audit_record(
            actor=actor,
            action=AuditAction.ROLE_GRANTED,
            obj=membership,
            after={
                "user": user.username,
                "region": region.code,
                "role": role,
                "department": department.code if department else "",
            },
            message=_("授予 %(user)s 角色：%(region)s %(role)s")
            % {"user": user.username, "region": region.name, "role": Role(role).label},
        )
        account_notice(
            user,
            title=_("您的账号获得新角色"),
            body=_("%(actor)s 授予您角色：%(region)s %(role)s。如非预期，请联系安全管理员。")
            % {"actor": actor.get_username(), "region": region.name, "role": Role(role).label},
        )
    forget_memberships(user)
    return membership


def membership_revoke(*, membership: Membership, actor) -> None:
    from gongjian.accounts.scopes import forget_memberships

    user = membership.user
    _require_security_admin(actor, obj=user)
    _refuse_self(actor, user, _("不能修改自己的角色。"))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.ROLE_REVOKED,
            obj=membership,
            before={
                "user": user.username,
                "region": membership.region.code,
                "role": membership.role,
                "department": membership.department.code if membership.department else "",
            },
            message=_("撤销 %(user)s 角色：%(region)s %(role)s")
            % {
                "user": user.username,
                "region": membership.region.name,
                "role": membership.get_role_display(),
            },
        )
        membership.delete()
        account_notice(
            user,
            title=_("您的账号角色已撤销"),
            body=_("%(actor)s 撤销了您的角色：%(region)s %(role)s。")
            % {
                "actor": actor.get_username(),
                "region": membership.region.name,
                "role": membership.get_role_display(),
            },
        )
    forget_memberships(user)


def _end_all_sessions(user) -> int:
    from gongjian.accounts.models import UserSession
    from gongjian.accounts.sessions import _session_store

    store = _session_store()
    rows = list(UserSession.objects.filter(user=user))
    for row in rows:
        store(session_key=row.session_key).delete()
    UserSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def user_password_reset(*, user, actor) -> str:
    """A temporary password for ``user`` (returned once): their sessions end, the next sign-in
    must set a new password, and they are told (in-app, e-mail, SMS)."""
    _require_security_admin(actor, obj=user)
    _refuse_self(actor, user, _("不能重置自己的密码，请使用“修改密码”。"))
    password = temporary_password()
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        ended = _end_all_sessions(user)
        audit_record(
            actor=actor,
            action=AuditAction.PASSWORD_RESET,
            obj=user,
            message=_("重置 %(user)s 的密码（下次登录须修改），结束 %(count)s 个登录会话。")
            % {"user": user.username, "count": ended},
        )
        account_notice(
            user,
            title=_("您的密码已被重置"),
            body=_(
                "安全管理员 %(actor)s 重置了您的密码，下次登录须设置新密码。"
                "如非本人申请，请立即联系安全管理员。"
            )
            % {"actor": actor.get_username()},
        )
    return password


def user_unlock(*, user, actor) -> int:
    """Lift the sign-in locks on ``user`` (the throttle's own service, permission and audit)."""
    from gongjian.accounts.throttle import login_unlock

    return login_unlock(actor=actor, username=user.get_username())


def user_set_active(*, user, is_active: bool, actor) -> None:
    """Disable or re-enable an account (accounts are never deleted: the audit log names them)."""
    _require_security_admin(actor, obj=user)
    _refuse_self(actor, user, _("不能停用自己的账号。"))
    with transaction.atomic():
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        if not is_active:
            _end_all_sessions(user)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            after={"is_active": is_active},
            message=(_("启用账号 %(user)s。") if is_active else _("停用账号 %(user)s。"))
            % {"user": user.username},
        )
