"""Audit log export for auditors: CSV or JSON Lines with a SHA-256 hash chain.

Each row carries ``hash = sha256(previous hash + canonical JSON of the row)`` (the first row
chains from 64 zeros), so removing, reordering or editing any row breaks every hash after it; the
file's own SHA-256 is written next to it (``<file>.sha256``, ``sha256sum -c`` format).

The chain is computed over the values as stored. In CSV a text cell that a spreadsheet would run
as a formula gets a leading single quote (``core.csvfiles``); JSON Lines keeps every value exactly
and is the format ``verify_jsonl`` re-walks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from gongjian.audit.models import AuditEvent
from gongjian.core.csvfiles import SafeDictWriter

GENESIS = "0" * 64
COLUMNS = [
    "id",
    "at",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "region",
    "message",
    "ip_address",
    "before",
    "after",
]


def _row(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.at.astimezone(dt.UTC).isoformat(),
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "region": event.region.code if event.region is not None else "",
        "message": event.message,
        "ip_address": event.ip_address or "",
        "before": event.before,
        "after": event.after,
    }


def _canonical(row: dict[str, Any]) -> bytes:
    payload = {k: row[k] for k in COLUMNS}
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def chain(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Add ``prev_hash`` and ``hash`` to each row, in order."""
    previous = GENESIS
    for row in rows:
        digest = hashlib.sha256(previous.encode() + _canonical(row)).hexdigest()
        yield {**row, "prev_hash": previous, "hash": digest}
        previous = digest


def audit_export(
    *, path: Path, fmt: str, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> tuple[int, str, str]:
    """Write events oldest first; return (rows, last chain hash, SHA-256 of the file)."""
    events = AuditEvent.objects.select_related("region").order_by("at", "id")
    if since is not None:
        events = events.filter(at__gte=since)
    if until is not None:
        events = events.filter(at__lt=until)
    count, last = 0, GENESIS
    with path.open("w", encoding="utf-8", newline="") as out:
        rows = chain(_row(e) for e in events.iterator(chunk_size=2000))
        if fmt == "csv":
            writer = SafeDictWriter(out, fieldnames=[*COLUMNS, "prev_hash", "hash"])
            writer.writeheader()
            for row in rows:
                for key in ("before", "after"):
                    row[key] = "" if row[key] is None else json.dumps(row[key], ensure_ascii=False)
                writer.writerow(row)
                count, last = count + 1, row["hash"]
        else:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
                count, last = count + 1, row["hash"]
    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_name(path.name + ".sha256").write_text(f"{file_hash}  {path.name}\n")
    return count, last, file_hash


def verify_jsonl(path: Path) -> int | None:
    """Re-walk a JSONL export's chain; return the 1-based line of the first broken row, or None."""
    previous = GENESIS
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        row = json.loads(line)
        expected = hashlib.sha256(previous.encode() + _canonical(row)).hexdigest()
        if row["prev_hash"] != previous or row["hash"] != expected:
            return number
        previous = row["hash"]
    return None
