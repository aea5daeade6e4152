"""Reads from a PostgreSQL streaming replica, when one is configured (``DATABASE_REPLICA_URL``).

What goes where:

* Every write goes to the primary (``default``), and so does every read outside the views that
  ask for the replica with ``@replica_reads``: the dashboards, the campaign pages and the report
  lists, which leaders and reviewers read most and which tolerate a second of lag.
* Read-your-writes: a request that writes (any unsafe method answered below 400) pins its user to
  the primary for ``GONGJIAN_READ_YOUR_WRITES_SECONDS`` (a signed cookie for the browser, and a
  per-process note by user for API clients), so that whoever just filed or approved sees it at
  once on the next page.
* A replica that is down, not streaming, or behind by more than
  ``GONGJIAN_REPLICA_MAX_LAG_SECONDS`` is skipped: the read goes to the primary and a warning is
  logged (``gongjian.replica``). Its state is checked at most once a second per process. A
  replica that fails in the middle of a page (it stopped after the check) is marked down and the
  page is read again from the primary, so the user never sees the failure: the views behind
  ``@replica_reads`` only read (GET/HEAD).

The router sends reads to the replica only while such a view runs (a context variable), never
during the middleware's session and user look-ups or a write's own transaction.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

REPLICA = "replica"
PIN_COOKIE = "gj_primary_until"
_PIN_SALT = "gongjian.core.replica.pin"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
CHECK_INTERVAL = 1.0

logger = logging.getLogger("gongjian.replica")

_reading_replica: ContextVar[bool] = ContextVar("gongjian_reading_replica", default=False)
_lock = threading.Lock()
_state: dict[str, Any] = {"checked_at": float("-inf"), "usable": False, "reason": ""}
# user id → monotonic time until which the user's reads go to the primary (this process).
_pinned_users: dict[int, float] = {}


def is_configured() -> bool:
    return REPLICA in settings.DATABASES


def max_lag() -> float:
    return float(getattr(settings, "GONGJIAN_REPLICA_MAX_LAG_SECONDS", 5))


def pin_seconds() -> float:
    return float(getattr(settings, "GONGJIAN_READ_YOUR_WRITES_SECONDS", 5))


class ReplicaRouter:
    """Reads of a ``@replica_reads`` view to the replica; everything else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        return REPLICA if _reading_replica.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db != REPLICA  # a physical replica follows the primary's schema by itself


def replica_lag() -> float | None:
    """Seconds the replica's replay is behind (0 when it has replayed all it received); None
    when it is not streaming from a primary. Raises when it cannot be reached."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn() IS NULL, "
            "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
            "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
        )
        in_recovery, not_receiving, lag = cursor.fetchone()
    if not in_recovery:
        return 0.0  # promoted, or a plain server: as current as it gets
    if not_receiving:
        return None
    return float(lag)


def _mark(usable: bool, reason: str) -> None:
    with _lock:
        was = _state["usable"]
        _state.update(checked_at=time.monotonic(), usable=usable, reason=reason)
    if was and not usable:
        logger.warning("Replica skipped, reading from the primary: %s", reason)
    elif usable and not was and reason:
        logger.info("Replica in use again: %s", reason)


def replica_usable(*, force: bool = False) -> bool:
    """Whether reads may go to the replica now (checked at most every CHECK_INTERVAL)."""
    if not is_configured():
        return False
    with _lock:
        fresh = time.monotonic() - _state["checked_at"] < CHECK_INTERVAL
        if fresh and not force:
            return bool(_state["usable"])
    try:
        lag = replica_lag()
    except (OperationalError, InterfaceError) as error:
        connections[REPLICA].close()
        _mark(False, f"unreachable ({type(error).__name__}: {str(error).strip()[:200]})")
        return False
    if lag is None:
        _mark(False, "not streaming from the primary")
        return False
    if lag > max_lag():
        _mark(False, f"{lag:.1f} s behind (bound {max_lag():.0f} s)")
        return False
    _mark(True, f"{lag:.1f} s behind")
    return True


def replica_reset() -> None:
    """Forget the replica's state and the pins (tests, and after a configuration change)."""
    with _lock:
        _state.update(checked_at=float("-inf"), usable=False, reason="")
        _pinned_users.clear()


# ---------------------------------------------------------------------------------------------
# Read-your-writes


def pinned(request) -> bool:
    """Whether this request's reads must see the user's own recent write (the primary)."""
    now = time.time()
    try:
        until = float(request.get_signed_cookie(PIN_COOKIE, salt=_PIN_SALT))
    except (KeyError, signing.BadSignature, ValueError):
        until = 0.0
    if until > now:
        return True
    user_id = getattr(getattr(request, "user", None), "pk", None)
    if user_id is None:
        return False
    with _lock:
        return _pinned_users.get(user_id, float("-inf")) > time.monotonic()


def pin(request, response) -> None:
    """After a write: this user reads from the primary for the next few seconds."""
    seconds = pin_seconds()
    response.set_signed_cookie(
        PIN_COOKIE,
        f"{time.time() + seconds:.3f}",
        salt=_PIN_SALT,
        max_age=max(1, round(seconds)),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    user_id = getattr(getattr(request, "user", None), "pk", None)
    if user_id is not None:
        with _lock:
            now = time.monotonic()
            _pinned_users[user_id] = now + seconds
            if len(_pinned_users) > 10_000:  # forget the expired ones now and then
                for key in [k for k, v in _pinned_users.items() if v <= now]:
                    del _pinned_users[key]


class ReadYourWritesMiddleware:
    """Pins the author of a write to the primary (after the authentication middleware)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_configured() and request.method not in SAFE_METHODS and response.status_code < 400:
            pin(request, response)
        return response


def replica_reads(view):
    """Let ``view`` (a read-only page) read from the replica when it is usable and the user has
    not just written; on a replica failure mid-page, read the page again from the primary."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if (
            not is_configured()
            or request.method not in ("GET", "HEAD")
            or pinned(request)
            or not replica_usable()
        ):
            return view(request, *args, **kwargs)
        token = _reading_replica.set(True)
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError) as error:
            # A lost connection (the replica stopped or restarted): the page only reads, so it
            # is read again from the primary; the replica is checked afresh for the next one.
            connections[REPLICA].close()
            _mark(False, f"failed mid-page ({type(error).__name__}: {str(error).strip()[:200]})")
            _reading_replica.set(False)
            return view(request, *args, **kwargs)
        finally:
            _reading_replica.reset(token)

    return wrapped
