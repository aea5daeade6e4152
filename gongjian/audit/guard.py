"""The database itself keeps the audit table append-only (MLPS 2.0 level 3 / ASVS 7.3.3).

The model already refuses ``save()`` of an existing row and ``delete()``; this module adds the
same rule below the ORM, so that raw SQL, a ``psql`` session or a compromised application path
cannot rewrite history either:

* PostgreSQL: a ``BEFORE UPDATE OR DELETE`` row trigger and a ``BEFORE TRUNCATE`` statement
  trigger on ``audit_auditevent``. A trigger was chosen over ``REVOKE UPDATE, DELETE`` because it
  holds whatever role connects (the application's role usually owns the table, and an owner's
  revoked privileges are only a courtesy) and because it travels with ``pg_dump``.
* SQLite: the same as two triggers; the DELETE trigger asks ``gongjian_audit_delete_allowed``, a
  function each Django connection registers, so a plain ``sqlite3`` shell cannot delete at all.

Controlled paths, and nothing else:

* Retention purge (``gongjian audit-purge``): :func:`purge_mode` sets the transaction-local
  setting ``gongjian.audit_mode = 'purge'``; even then the trigger refuses rows younger than
  :data:`RETENTION_FLOOR_DAYS`, so the floor holds in the database, not only in the command.
* Removing an account: Django's ``on_delete=SET_NULL`` clears ``actor_id``; the trigger lets an
  UPDATE through only if that is the sole change (the username text stays).
* ``gongjian flush`` (used by the test runner between transactional tests): :func:`flush_mode`.

A role that owns the table could still ``DROP TRIGGER``: production runs the application as a
non-owner role set up by ``gongjian grant-app-role ROLE`` (gongjian/core/dbroles.py), which may
only read and append audit events, so there UPDATE and DELETE fail for lack of privilege before
the trigger is even asked.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

from django.db.backends.base.base import BaseDatabaseWrapper

RETENTION_FLOOR_DAYS = 183
TABLE = "audit_auditevent"
REFUSAL = "audit events are append-only"

# Every column of the table except actor_id; the SQLite UPDATE trigger compares them.
# test_append_only checks this list against the model, so a new field cannot slip past it.
SQLITE_COMPARED_COLUMNS = (
    "id",
    "at",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "region_id",
    "before",
    "after",
    "message",
    "ip_address",
)

_sqlite_mode: contextvars.ContextVar[str] = contextvars.ContextVar("audit_mode", default="")

POSTGRES_INSTALL = f"""
CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF current_setting('gongjian.audit_mode', true) = 'flush' THEN
            RETURN NULL;
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF current_setting('gongjian.audit_mode', true) = 'purge'
           AND OLD.at < now() - interval '{RETENTION_FLOOR_DAYS} days' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only();
"""

POSTGRES_UNINSTALL = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
DROP FUNCTION IF EXISTS {TABLE}_append_only();
"""

_unchanged = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in SQLITE_COMPARED_COLUMNS)
SQLITE_INSTALL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND {_unchanged})
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    WHEN NOT gongjian_audit_delete_allowed(OLD.at)
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
]
SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers on this connection's database (PostgreSQL or SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_INSTALL)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_INSTALL:
                cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_UNINSTALL)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_UNINSTALL:
                cursor.execute(statement)


def _sqlite_delete_allowed(at: str | None) -> int:
    mode = _sqlite_mode.get()
    if mode == "flush":
        return 1
    if mode != "purge" or not at:
        return 0
    stamp = dt.datetime.fromisoformat(at)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    floor = dt.datetime.now(dt.UTC) - dt.timedelta(days=RETENTION_FLOOR_DAYS)
    return int(stamp < floor)


def register_sqlite_function(sender, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """``connection_created`` receiver: give each SQLite connection the trigger's helper."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "gongjian_audit_delete_allowed", 1, _sqlite_delete_allowed, deterministic=False
        )


@contextlib.contextmanager
def _mode(connection: BaseDatabaseWrapper, mode: str, *, local: bool) -> Iterator[None]:
    token = _sqlite_mode.set(mode)
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('gongjian.audit_mode', %s, %s)", [mode, local])
        yield
    finally:
        _sqlite_mode.reset(token)
        if connection.vendor == "postgresql" and not local and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('gongjian.audit_mode', '', false)")


def purge_mode(connection: BaseDatabaseWrapper) -> contextlib.AbstractContextManager[None]:
    """Allow DELETE of rows past the floor; call inside ``transaction.atomic``."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        raise RuntimeError("purge_mode must run inside a transaction")
    return _mode(connection, "purge", local=True)


def flush_mode(connection: BaseDatabaseWrapper) -> contextlib.AbstractContextManager[None]:
    """Allow emptying the whole database (``gongjian flush``)."""
    return _mode(connection, "flush", local=False)
