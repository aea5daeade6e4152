"""Throttling failed sign-ins so that guessing is slow but a filer cannot be locked out by others.

The policy (numbers are settings, defaults in brackets):

* **Account + address** — GONGJIAN_LOGIN_PAIR_LIMIT [5] failures for one username from one IP
  address within GONGJIAN_LOGIN_WINDOW_MINUTES [30] lock that *pair* for
  GONGJIAN_LOGIN_LOCK_MINUTES [30]. An attacker guessing a district filer's password from one
  machine locks only himself: the filer, signing in from her own office, is not affected.
* **Address** — GONGJIAN_LOGIN_IP_LIMIT [30] failures from one address, whatever the usernames,
  lock that address (password spraying from one machine). The limit is high because a district
  government sits behind one NAT address.
* **Account alone** — only when one username fails from GONGJIAN_LOGIN_ACCOUNT_IP_LIMIT [10]
  *different* addresses (a distributed attack) is the account locked, and even then only for
  untrusted devices.
* **Trusted devices** — a successful sign-in (password and, where set up, the second factor) leaves
  a signed device cookie bound to that username (OWASP "device cookies"). A browser holding it is
  exempt from all three locks above; its own failures count against the cookie alone and after
  GONGJIAN_LOGIN_PAIR_LIMIT of them it is no longer trusted. So on deadline day the filer's usual
  browser still gets in even while her account is under attack.

Unknown usernames are counted and locked exactly like real ones, so neither the message nor the
lock reveals whether an account exists. The security administrator lifts locks with
``login_unlock`` (also an admin action). Every lock and unlock is written to the audit log.

The address is ``REMOTE_ADDR``: behind a reverse proxy the deployment must put the client's
address there (as for the audit log), or every attempt would share the proxy's address.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import LoginFailure, LoginLockout
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.core.locks import advisory_lock

DEVICE_COOKIE = "gj_device"
DEVICE_COOKIE_SALT = "gongjian.accounts.device"
DEVICE_COOKIE_MAX_AGE = 180 * 24 * 3600


@dataclass(frozen=True)
class Policy:
    pair_limit: int
    ip_limit: int
    account_ip_limit: int
    window: dt.timedelta
    lock: dt.timedelta


def policy() -> Policy:
    return Policy(
        pair_limit=settings.GONGJIAN_LOGIN_PAIR_LIMIT,
        ip_limit=settings.GONGJIAN_LOGIN_IP_LIMIT,
        account_ip_limit=settings.GONGJIAN_LOGIN_ACCOUNT_IP_LIMIT,
        window=dt.timedelta(minutes=settings.GONGJIAN_LOGIN_WINDOW_MINUTES),
        lock=dt.timedelta(minutes=settings.GONGJIAN_LOGIN_LOCK_MINUTES),
    )


def normalize(username: str) -> str:
    return username.strip().lower()[:150]


# Trusted device cookies ----------------------------------------------------------------------


def device_cookie_value(username: str) -> str:
    """A new signed device cookie for ``username``."""
    return signing.dumps(
        {"u": normalize(username), "d": secrets.token_hex(16)}, salt=DEVICE_COOKIE_SALT
    )


def device_from_cookie(raw: str | None, username: str) -> str:
    """The device id if ``raw`` is a valid cookie for ``username``, else ''."""
    if not raw:
        return ""
    try:
        data = signing.loads(raw, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("u") != normalize(username):
        return ""
    return str(data.get("d", ""))[:64]


# Decisions -----------------------------------------------------------------------------------


def _recent(p: Policy):
    return LoginFailure.objects.filter(at__gte=timezone.now() - p.window, is_cleared=False)


def _device_trusted(device: str, p: Policy) -> bool:
    return bool(device) and _recent(p).filter(device=device).count() < p.pair_limit


def active_lock(*, username: str, ip: str | None, device: str = "") -> LoginLockout | None:
    """The lock that refuses this attempt, or None. Trusted devices are never refused."""
    p = policy()
    if _device_trusted(device, p):
        return None
    name = normalize(username)
    match = Q(scope=LoginLockout.Scope.ACCOUNT, username=name)
    if ip:
        match |= Q(scope=LoginLockout.Scope.PAIR, username=name, ip_address=ip)
        match |= Q(scope=LoginLockout.Scope.IP, ip_address=ip)
    return (
        LoginLockout.objects.filter(match, unlocked_at=None, locked_until__gt=timezone.now())
        .order_by("-locked_until")
        .first()
    )


def _lock(scope: str, *, username: str = "", ip: str | None = None, p: Policy) -> LoginLockout:
    existing = LoginLockout.objects.filter(
        scope=scope,
        username=username,
        ip_address=ip,
        unlocked_at=None,
        locked_until__gt=timezone.now(),
    ).first()
    if existing:
        return existing
    now = timezone.now()
    lock = LoginLockout.objects.create(
        scope=scope, username=username, ip_address=ip, locked_at=now, locked_until=now + p.lock
    )
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        obj=lock,
        username=username,
        message=_("登录锁定：%(scope)s %(username)s %(ip)s，至 %(until)s")
        % {
            "scope": lock.get_scope_display(),
            "username": username,
            "ip": ip or "",
            "until": timezone.localtime(lock.locked_until).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return lock


def _serialise(name: str, ip: str | None) -> None:
    """Queue concurrent attempts on the same account or from the same address (issue 14.6)."""
    advisory_lock(f"login-user:{name}", f"login-ip:{ip or ''}")


def _impose_locks(*, name: str, ip: str | None, p: Policy) -> list[LoginLockout]:
    untrusted = _recent(p).filter(device="")
    locks = []
    if ip and untrusted.filter(username=name, ip_address=ip).count() >= p.pair_limit:
        locks.append(_lock(LoginLockout.Scope.PAIR, username=name, ip=ip, p=p))
    if ip and untrusted.filter(ip_address=ip).count() >= p.ip_limit:
        locks.append(_lock(LoginLockout.Scope.IP, ip=ip, p=p))
    addresses = (
        untrusted.filter(username=name).exclude(ip_address=None).values("ip_address").distinct()
    )
    if addresses.count() >= p.account_ip_limit:
        locks.append(_lock(LoginLockout.Scope.ACCOUNT, username=name, p=p))
    return locks


@transaction.atomic
def login_failure_record(*, username: str, ip: str | None, device: str = "") -> list[LoginLockout]:
    """Count one failed attempt and impose whatever locks it crosses; returns the new locks."""
    p = policy()
    name = normalize(username)
    _serialise(name, ip)
    trusted = _device_trusted(device, p)
    LoginFailure.objects.create(
        username=name, ip_address=ip, device=device if trusted else "", at=timezone.now()
    )
    if trusted:
        # A trusted browser's failures count against its cookie only (see module docstring).
        return []
    return _impose_locks(name=name, ip=ip, p=p)


@dataclass(frozen=True)
class Attempt:
    """A password check the throttle let through: counted as a failure until it passes."""

    failure_id: int
    username: str
    ip: str | None
    trusted: bool


@transaction.atomic
def login_attempt_begin(
    *, username: str, ip: str | None, device: str = ""
) -> Attempt | LoginLockout:
    """Before a password is checked: the lock that refuses it, or the attempt, already counted.

    Counting the attempt *before* the (slow) password check, under a lock on the account and the
    address, is what keeps a burst of concurrent guesses to the limit: the sixth of forty
    simultaneous requests finds five attempts counted and is refused without a check.
    """
    p = policy()
    name = normalize(username)
    _serialise(name, ip)
    lock = active_lock(username=username, ip=ip, device=device)
    if lock is not None:
        return lock
    trusted = _device_trusted(device, p)
    if not trusted:
        untrusted = _recent(p).filter(device="")
        if ip and untrusted.filter(username=name, ip_address=ip).count() >= p.pair_limit:
            return _lock(LoginLockout.Scope.PAIR, username=name, ip=ip, p=p)
        if ip and untrusted.filter(ip_address=ip).count() >= p.ip_limit:
            return _lock(LoginLockout.Scope.IP, ip=ip, p=p)
    failure = LoginFailure.objects.create(
        username=name, ip_address=ip, device=device if trusted else "", at=timezone.now()
    )
    return Attempt(failure_id=failure.pk, username=name, ip=ip, trusted=trusted)


def login_attempt_passed(attempt: Attempt) -> None:
    """The password was right: the attempt was no failure after all."""
    LoginFailure.objects.filter(pk=attempt.failure_id).delete()


@transaction.atomic
def login_attempt_failed(attempt: Attempt) -> list[LoginLockout]:
    """The password was wrong: the attempt stays counted; impose the locks it crosses."""
    if attempt.trusted:
        return []
    _serialise(attempt.username, attempt.ip)
    return _impose_locks(name=attempt.username, ip=attempt.ip, p=policy())


def login_success_record(*, username: str, ip: str | None) -> None:
    """A correct sign-in resets the counter for this account from this address."""
    LoginFailure.objects.filter(username=normalize(username), ip_address=ip).update(is_cleared=True)


def _may_unlock(actor) -> bool:
    from gongjian.accounts.services import is_security_admin

    return bool(actor.is_superuser or is_security_admin(actor))


def login_unlock(*, actor, username: str = "", ip: str | None = None) -> int:
    """Lift every active lock on ``username`` and/or ``ip`` and forget their failures."""
    if not _may_unlock(actor):
        raise audit_denied(actor=actor, message=_("无权解除登录锁定。"))
    with transaction.atomic():
        return _unlock(actor=actor, username=username, ip=ip)


def _unlock(*, actor, username: str, ip: str | None) -> int:
    name = normalize(username)
    match = Q(pk__in=[])
    failures = Q(pk__in=[])
    if name:
        match |= Q(username=name)
        failures |= Q(username=name)
    if ip:
        match |= Q(ip_address=ip)
        failures |= Q(ip_address=ip)
    now = timezone.now()
    count = LoginLockout.objects.filter(match, unlocked_at=None, locked_until__gt=now).update(
        unlocked_at=now, unlocked_by=actor
    )
    LoginFailure.objects.filter(failures, is_cleared=False).update(is_cleared=True)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        message=_("解除登录锁定：%(username)s %(ip)s（%(count)s 项）")
        % {"username": name, "ip": ip or "", "count": count},
    )
    return count
