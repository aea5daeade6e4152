from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.choices import Role


class User(AbstractUser):
    """A person who signs in: campaign office, reviewer, district staff, department or leader."""

    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # Set when the password was issued by someone else (bootstrap, a reset by the security
    # administrator): every page leads to the password change until the user has set their own.
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Department(models.Model):
    """A line department (行业部门) such as 招商局, 工信局 or 住建局, seated in a region."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=96, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="departments",
    )

    class Meta:
        ordering = ["region__sort_order", "code"]
        verbose_name = _("行业部门")
        verbose_name_plural = _("行业部门")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one region (and, for departments, which department): the unit of access."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("区域"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "region", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.region} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token an integration uses for the API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("用途"), max_length=64, blank=True)
    prefix = models.CharField(_("前缀"), max_length=8, help_text=_("令牌前 8 位，便于辨认"))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class UserSession(models.Model):
    """One signed-in browser of a user: where and when it signed in and was last seen.

    ``session_key`` is the key in Django's session store (which keeps it in clear too), so that the
    owner can end the session from another device; it is never shown on a page.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="login_sessions",
    )
    session_key = models.CharField(max_length=40, unique=True, editable=False)
    created_at = models.DateTimeField(_("登录时间"))
    last_seen_at = models.DateTimeField(_("最近活动"))
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self) -> str:
        return f"{self.user} · {self.ip_address or '-'} · {self.created_at:%Y-%m-%d %H:%M}"


class LoginFailure(models.Model):
    """One failed sign-in attempt, keyed by the username typed (known or not) and the address."""

    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True, db_index=True)
    device = models.CharField(_("受信设备"), max_length=64, blank=True, db_index=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    is_cleared = models.BooleanField(_("已解除"), default=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.ip_address or ''}"


class LoginLockout(models.Model):
    """A sign-in lock the throttle imposed: on a username from one address, on an address, or on
    a username from untrusted devices."""

    class Scope(models.TextChoices):
        PAIR = "pair", _("账号+IP")
        IP = "ip", _("IP 地址")
        ACCOUNT = "account", _("账号（仅限非受信设备）")

    scope = models.CharField(_("范围"), max_length=16, choices=Scope.choices)
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    locked_at = models.DateTimeField(_("锁定时间"))
    locked_until = models.DateTimeField(_("锁定至"), db_index=True)
    unlocked_at = models.DateTimeField(_("解锁时间"), null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解锁人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-locked_at"]
        verbose_name = _("登录锁定")
        verbose_name_plural = _("登录锁定")

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.username} {self.ip_address or ''}"


class PasswordRecord(models.Model):
    """When a user last set their password, for the periodic change MLPS 2.0 asks for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="password_record",
    )
    changed_at = models.DateTimeField(_("修改时间"))

    class Meta:
        verbose_name = _("密码修改记录")
        verbose_name_plural = _("密码修改记录")

    def __str__(self) -> str:
        return f"{self.user} {self.changed_at:%Y-%m-%d}"


class TotpDevice(models.Model):
    """A user's authenticator app (TOTP, RFC 6238): the shared secret and the last step used."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="totp_device",
    )
    secret = models.CharField(max_length=64, editable=False)
    is_confirmed = models.BooleanField(_("已启用"), default=False)
    last_step = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("启用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("动态口令设备")
        verbose_name_plural = _("动态口令设备")

    def __str__(self) -> str:
        return f"{self.user} TOTP"


class RecoveryCode(models.Model):
    """A one-time recovery code for when the authenticator is lost; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="recovery_codes",
    )
    digest = models.CharField(max_length=64, editable=False)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {'used' if self.used_at else 'unused'}"
