"""Security events from Django's auth signals: sign-in, failed sign-in, sign-out."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext as _

from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_record


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN)


@receiver(user_login_failed)
def _record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        username=str(credentials.get("username", "")),
        message=_("登录失败：用户名或密码错误。"),
    )


@receiver(user_logged_out)
def _record_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT)
