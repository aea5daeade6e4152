"""Serialising a check-then-write on a key: PostgreSQL transaction-level advisory locks.

A rate limit that counts rows and then inserts one races: thirty concurrent requests all count
four and all insert. Holding ``pg_advisory_xact_lock`` on the limited key (an address, a
username) from the count to the insert makes them queue; the lock ends with the transaction.
SQLite (the demo) runs one write transaction at a time anyway, so there it does nothing.
"""

from __future__ import annotations

import hashlib

from django.db import connection, transaction


def _key(name: str) -> int:
    """A stable signed 64-bit number for ``name`` (advisory locks are keyed by bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def advisory_lock(*names: str) -> None:
    """Lock each of ``names`` until the current transaction ends, always in sorted order (so two
    callers locking overlapping sets cannot deadlock). Must run inside ``transaction.atomic``."""
    if connection.vendor != "postgresql":
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("advisory_lock needs an open transaction (transaction.atomic)")
    with connection.cursor() as cursor:
        for name in sorted(set(names)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
