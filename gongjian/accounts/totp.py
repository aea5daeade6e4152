"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), in the standard library only.

SHA-1, 6 digits, 30-second steps: what every authenticator app (Google/Microsoft Authenticator,
FreeOTP, 腾讯身份验证器) accepts from an ``otpauth://`` URI. A code is accepted one step
either side of now for clock drift, and a step once used is never accepted again (the caller keeps
``last_step``), so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import RecoveryCode, TotpDevice
from gongjian.accounts.scopes import has_any_role
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
ISSUER = "Gongjian"


def new_secret() -> str:
    """A fresh 160-bit shared secret, base32 without padding (RFC 4226 recommends 160 bits)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(secret: str, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226 section 5.3: HMAC-SHA1 of the counter, dynamic truncation, modulo 10^digits."""
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def step_at(when: float | None = None) -> int:
    return int((time.time() if when is None else when) // STEP_SECONDS)


def totp(secret: str, when: float | None = None, digits: int = DIGITS) -> str:
    """RFC 6238: HOTP with the counter T = floor(unix time / 30)."""
    return hotp(secret, step_at(when), digits)


def match_step(secret: str, code: str, *, after_step: int, when: float | None = None) -> int | None:
    """Return the step ``code`` belongs to (within the drift window and later than
    ``after_step``), or None. Comparison is constant-time."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(when)
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(secret, step), code) and step > after_step:
            found = step
    return found


def provisioning_uri(secret: str, account: str) -> str:
    """The ``otpauth://totp/...`` URI authenticator apps import (Key Uri Format)."""
    label = quote(f"{ISSUER}:{account}")
    query = urlencode(
        {"secret": secret, "issuer": ISSUER, "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"


def grouped(secret: str) -> str:
    """The secret in groups of four for typing by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes(count: int = 10) -> list[str]:
    """One-time recovery codes like ``k7mq-2xfp-9tad`` (60 bits each, no look-alike characters)."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    return [
        "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        for _ in range(count)
    ]


def recovery_digest(code: str) -> str:
    """Recovery codes are high-entropy random strings, so plain SHA-256 is enough to store them."""
    normalized = "".join(code.lower().split()).replace("-", "")
    return hashlib.sha256(normalized.encode()).hexdigest()


# Services ------------------------------------------------------------------------------------

MANDATORY_ROLES = ("city_admin", "city_reviewer", "security_admin")


def totp_required(user) -> bool:
    """City admins, city reviewers and security administrators must use a second factor when
    GONGJIAN_REQUIRE_TOTP is on."""
    return bool(settings.GONGJIAN_REQUIRE_TOTP) and bool(has_any_role(user, MANDATORY_ROLES))


def totp_enabled(user) -> bool:
    return TotpDevice.objects.filter(user=user, is_confirmed=True).exists()


def totp_device_start(*, user):
    """The device being set up: an unconfirmed one with a fresh secret (an enabled one is kept)."""
    device, _created = TotpDevice.objects.get_or_create(
        user=user, defaults={"secret": new_secret()}
    )
    return device


def totp_device_confirm(*, user, code: str) -> list[str] | None:
    """Enable the device if ``code`` is right; returns the new recovery codes (shown once)."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().get(user=user)
        step = match_step(device.secret, code, after_step=device.last_step)
        if step is None:
            audit_record(
                actor=user,
                action=AuditAction.DENIED,
                obj=device,
                message=_("动态口令启用失败：验证码不正确。"),
            )
            return None
        device.last_step = step
        device.is_confirmed = True
        device.confirmed_at = timezone.now()
        device.save(update_fields=["last_step", "is_confirmed", "confirmed_at"])
        audit_record(actor=user, action=AuditAction.CREATE, obj=device, message=_("启用动态口令。"))
        return recovery_codes_regenerate(user=user)


def recovery_codes_regenerate(*, user) -> list[str]:
    """Replace the user's recovery codes with ten new ones; only their digests are kept."""
    codes = new_recovery_codes()
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, digest=recovery_digest(code)) for code in codes
        )
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=user,
            message=_("生成 %(count)s 个恢复码。") % {"count": len(codes)},
        )
    return codes


def recovery_codes_renew(*, user, code: str) -> list[str] | None:
    """New recovery codes on the user's request, proven with a current one-time code (not a
    recovery code: a session thief holding old codes must not turn them into new ones). Refused
    (None) with an audit event otherwise; on success the user is told on every channel."""
    from gongjian.accounts.services import account_notice

    device = TotpDevice.objects.filter(user=user, is_confirmed=True).first()
    ok = False
    if device is not None and code:
        with transaction.atomic():
            device = TotpDevice.objects.select_for_update().get(pk=device.pk)
            step = match_step(device.secret, code, after_step=device.last_step)
            if step is not None:
                device.last_step = step
                device.save(update_fields=["last_step"])
                ok = True
    if not ok:
        audit_record(
            actor=user,
            action=AuditAction.DENIED,
            obj=user,
            message=_("重新生成恢复码被拒绝：动态口令不正确。"),
        )
        return None
    with transaction.atomic():
        codes = recovery_codes_regenerate(user=user)
        account_notice(
            user,
            title=_("您的恢复码已重新生成"),
            body=_(
                "您账号的恢复码已重新生成，旧恢复码全部作废。如非本人操作，请立即修改密码并联系安全管理员。"
            ),
        )
    return codes


def totp_verify(*, user, code: str) -> str | None:
    """Check a second-factor code: ``"totp"``, ``"recovery"`` (now spent) or None if wrong."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, is_confirmed=True).first()
        if device is None:
            return None
        step = match_step(device.secret, code, after_step=device.last_step)
        if step is not None:
            device.last_step = step
            device.save(update_fields=["last_step"])
            return "totp"
        spent = RecoveryCode.objects.filter(
            user=user, digest=recovery_digest(code), used_at=None
        ).update(used_at=timezone.now())
        if spent:
            left = RecoveryCode.objects.filter(user=user, used_at=None).count()
            audit_record(
                actor=user,
                action=AuditAction.UPDATE,
                obj=user,
                message=_("使用恢复码通过二次验证，剩余 %(left)s 个。") % {"left": left},
            )
            return "recovery"
    return None


def totp_device_remove(*, user, actor) -> None:
    """Turn the second factor off (not allowed where it is mandatory, except by the security
    administrator resetting a lost authenticator)."""
    from gongjian.accounts.services import is_security_admin

    if actor.pk != user.pk and not is_security_admin(actor):
        raise audit_denied(actor=actor, obj=user, message=_("无权停用他人的动态口令。"))
    if actor.pk == user.pk and totp_required(user):
        raise audit_denied(actor=actor, obj=user, message=_("您的角色必须使用动态口令，不能停用。"))
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=user,
        message=_("停用 %(user)s 的动态口令。") % {"user": user.get_username()},
    )
