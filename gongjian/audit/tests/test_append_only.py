"""Append-only audit trail in the database, retention purge, export for auditors, log injection."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gongjian.audit import guard
from gongjian.audit.exports import verify_jsonl
from gongjian.audit.models import AuditEvent
from gongjian.audit.services import audit_purge, audit_record, neutralise
from gongjian.core.csvfiles import safe_cell

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _insert(*, days_ago: int, action: str = "login", username: str = "old") -> int:
    """An event dated in the past, written the way any row is: INSERT is allowed."""
    event = AuditEvent.objects.create(
        action=action,
        actor_username=username,
        at=timezone.now() - dt.timedelta(days=days_ago),
    )
    return event.pk


# --- the database refuses tampering ----------------------------------------------------------


def test_model_fields_are_all_covered_by_the_sqlite_update_trigger():
    columns = {f.column for f in AuditEvent._meta.concrete_fields}

    assert columns - {"actor_id"} == set(guard.SQLITE_COMPARED_COLUMNS)


def test_raw_update_of_an_event_is_refused_by_the_database(lichen_filer):
    event = audit_record(actor=lichen_filer, action="login", message="原文")

    with pytest.raises(DatabaseError, match="audit events are append-only"):
        _raw("UPDATE audit_auditevent SET message = %s WHERE id = %s", ["篡改", event.pk])

    assert AuditEvent.objects.get(pk=event.pk).message == "原文"


def test_raw_update_that_also_clears_the_actor_is_refused(lichen_filer):
    event = audit_record(actor=lichen_filer, action="login")

    with pytest.raises(DatabaseError, match="audit events are append-only"):
        _raw(
            "UPDATE audit_auditevent SET actor_id = NULL, actor_username = %s WHERE id = %s",
            ["someone_else", event.pk],
        )

    assert AuditEvent.objects.filter(pk=event.pk).values_list(
        "actor_id", "actor_username"
    ).get() == (lichen_filer.pk, "lichen_filer")


def test_raw_delete_of_an_event_is_refused_by_the_database(lichen_filer):
    event = audit_record(actor=lichen_filer, action="login")
    old = _insert(days_ago=400)

    with pytest.raises(DatabaseError, match="audit events are append-only"):
        _raw("DELETE FROM audit_auditevent")

    assert sorted(AuditEvent.objects.values_list("id", flat=True)) == [event.pk, old]


@pytest.mark.postgres
def test_truncate_is_refused_on_postgres(lichen_filer):
    audit_record(actor=lichen_filer, action="login")
    # Check the deferred foreign keys now: PostgreSQL refuses TRUNCATE with pending checks.
    _raw("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(DatabaseError, match="audit events are append-only"):
        _raw("TRUNCATE audit_auditevent")

    assert AuditEvent.objects.count() == 1


@pytest.mark.postgres
def test_purge_setting_alone_cannot_delete_a_young_row_on_postgres():
    young, old = _insert(days_ago=182), _insert(days_ago=184)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('gongjian.audit_mode', 'purge', true)")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [old])
        with (
            pytest.raises(DatabaseError, match="audit events are append-only"),
            transaction.atomic(),
        ):
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [young])

    assert list(AuditEvent.objects.values_list("id", flat=True)) == [young]


@pytest.mark.postgres
def test_trigger_is_installed_on_postgres():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass"
            " AND NOT tgisinternal ORDER BY tgname"
        )
        names = [r[0] for r in cursor.fetchall()]

    assert names == ["audit_auditevent_append_only", "audit_auditevent_no_truncate"]


def test_removing_an_account_still_clears_only_the_actor_link(lichen_filer):
    event = audit_record(actor=lichen_filer, action="login", message="保留")

    lichen_filer.delete()

    assert AuditEvent.objects.filter(pk=event.pk).values_list(
        "actor_id", "actor_username", "message"
    ).get() == (None, "lichen_filer", "保留")


# --- retention purge -------------------------------------------------------------------------


def test_purge_deletes_only_rows_older_than_183_days_and_records_itself(capsys):
    kept = [_insert(days_ago=d, username=f"u{d}") for d in (0, 100, 182)]
    _insert(days_ago=184, username="u184")
    _insert(days_ago=400, username="u400")

    call_command("audit-purge")

    assert capsys.readouterr().out == "已删除 2 条审计日志。\n"
    remaining = list(AuditEvent.objects.order_by("id").values_list("id", "actor_username"))
    assert remaining[:3] == [(kept[0], "u0"), (kept[1], "u100"), (kept[2], "u182")]
    assert [
        (r.action, r.actor_username)
        for r in AuditEvent.objects.filter(id__gt=kept[2]).exclude(actor_username__startswith="u")
    ] == [("delete", "system")]
    note = AuditEvent.objects.get(action="delete").message
    assert note.startswith("清理审计日志：删除 2 条早于 ")
    assert note.endswith("的记录（保留 183 天）。")


def test_purge_with_a_longer_retention_keeps_more(capsys):
    _insert(days_ago=200, username="u200")
    _insert(days_ago=400, username="u400")

    call_command("audit-purge", "--older-than-days", "365")

    assert capsys.readouterr().out == "已删除 1 条审计日志。\n"
    assert sorted(AuditEvent.objects.values_list("actor_username", flat=True)) == [
        "system",
        "u200",
    ]


def test_purge_below_the_floor_is_refused_and_nothing_changes():
    ids = [_insert(days_ago=d) for d in (10, 150, 300)]

    with pytest.raises(CommandError) as raised:
        call_command("audit-purge", "--older-than-days", "30")

    assert str(raised.value) == "审计日志至少保留 183 天，不能清理 30 天内的记录。"
    assert sorted(AuditEvent.objects.values_list("id", flat=True)) == ids


def test_purge_by_a_web_user_is_refused_and_recorded(city_admin):
    old = _insert(days_ago=400)

    with pytest.raises(PermissionDenied, match=r"^无权清理审计日志。$"):
        audit_purge(actor=city_admin)

    assert list(AuditEvent.objects.order_by("id").values_list("id", "action", "message")) == [
        (old, "login", ""),
        (old + 1, "denied", "无权清理审计日志。"),
    ]


def test_purge_dry_run_counts_without_deleting(capsys):
    ids = [_insert(days_ago=d) for d in (1, 190, 500)]

    call_command("audit-purge", "--dry-run")

    assert capsys.readouterr().out == "将删除 2 条审计日志（未修改）。\n"
    assert sorted(AuditEvent.objects.values_list("id", flat=True)) == ids


# --- export for auditors ---------------------------------------------------------------------


@pytest.fixture
def three_events(lichen_filer):
    for message in ("第一", "第二\n伪造行", "第三"):
        audit_record(actor=lichen_filer, action="denied", message=message)


def test_jsonl_export_is_hash_chained_and_checksummed(three_events, tmp_path, capsys):
    out = tmp_path / "audit.jsonl"

    call_command("audit-export", "--out", str(out))

    lines = out.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [(r["actor_username"], r["message"]) for r in rows] == [
        ("lichen_filer", "第一"),
        ("lichen_filer", "第二\\n伪造行"),
        ("lichen_filer", "第三"),
    ]
    assert rows[0]["prev_hash"] == "0" * 64
    assert [r["prev_hash"] for r in rows[1:]] == [r["hash"] for r in rows[:2]]
    assert verify_jsonl(out) is None
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert (tmp_path / "audit.jsonl.sha256").read_text() == f"{digest}  audit.jsonl\n"
    printed = capsys.readouterr().out
    assert printed == (
        f"已导出 3 条审计日志到 {out}；哈希链末值 {rows[2]['hash']}；文件 SHA-256 {digest}\n"
    )
    print("audit export chain tail", rows[2]["hash"][:16], "file sha256", digest[:16])
    assert AuditEvent.objects.filter(action="export").get().message == (
        f"导出审计日志 3 条，文件 SHA-256 {digest}。"
    )


def test_editing_a_row_of_the_export_breaks_the_chain_there(three_events, tmp_path):
    out = tmp_path / "audit.jsonl"
    call_command("audit-export", "--out", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()

    lines[1] = lines[1].replace("第二", "第贰")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert verify_jsonl(out) == 2


def test_dropping_a_row_of_the_export_breaks_the_chain(three_events, tmp_path):
    out = tmp_path / "audit.jsonl"
    call_command("audit-export", "--out", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()

    out.write_text("\n".join([lines[0], lines[2]]) + "\n", encoding="utf-8")

    assert verify_jsonl(out) == 2


def test_csv_export_has_one_line_per_event_and_the_same_chain(three_events, tmp_path):
    jsonl, csv_out = tmp_path / "a.jsonl", tmp_path / "a.csv"
    call_command("audit-export", "--out", str(jsonl))
    call_command("audit-export", "--out", str(csv_out), "--format", "csv")

    # The CSV also holds the event recording the first export: 1 header + 3 + 1 lines.
    lines = csv_out.read_text(encoding="utf-8").splitlines()
    chain = [json.loads(line)["hash"] for line in jsonl.read_text().splitlines()]
    assert len(lines) == 5
    assert lines[0] == (
        "id,at,actor_username,action,object_type,object_id,object_repr,region,message,"
        "ip_address,before,after,prev_hash,hash"
    )
    assert [line.rsplit(",", 1)[1] for line in lines[1:4]] == chain
    assert lines[4].split(",")[3] == "export"


def test_export_into_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("audit-export", "--out", str(tmp_path / "nope" / "a.jsonl"))

    assert str(raised.value) == f"目录不存在：{tmp_path / 'nope'}"


# --- log injection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("mallory\n2022-05-06 01:00 city_admin 登录", "mallory\\n2022-05-06 01:00 city_admin 登录"),
        ("a\r\nb", "a\\r\\nb"),
        ("tab\there", "tab\\there"),
        ("esc\x1b[31mred", "esc\\x1b[31mred"),
        ("nul\x00del\x7fc1\x85", "nul\\x00del\\x7fc1\\x85"),
        ("ls\u2028ps\u2029", "ls\\u2028ps\\u2029"),
        ("普通中文 plain", "普通中文 plain"),
    ],
)
def test_control_characters_are_neutralised(raw, stored):
    assert neutralise(raw) == stored


def test_failed_login_with_a_forged_line_is_stored_on_one_line(client, db):
    client.post(
        "/accounts/login/",
        {"username": "mallory\n2022-05-06 01:00 city_admin login", "password": "x"},
    )

    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor_username == "mallory\\n2022-05-06 01:00 city_admin login"
    assert "\n" not in str(event)


def test_message_and_object_name_are_neutralised(lichen_filer, region):
    lichen = region("350502")
    lichen.name = "鲤城\r\n伪造"

    event = audit_record(actor=lichen_filer, action="update", obj=lichen, message="原因\x1b[2J")

    assert (event.object_repr, event.message) == ("鲤城\\r\\n伪造", "原因\\x1b[2J")


# --- emptying the whole database (test runner, gongjian flush) -------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_flush_empties_the_audit_table_and_the_guard_is_back_afterwards(lichen_filer):
    audit_record(actor=lichen_filer, action="login")

    call_command("flush", "--no-input")

    assert AuditEvent.objects.count() == 0
    remaining = _insert(days_ago=400)
    with pytest.raises(DatabaseError, match="audit events are append-only"):
        _raw("DELETE FROM audit_auditevent")
    assert list(AuditEvent.objects.values_list("id", flat=True)) == [remaining]


def test_csv_export_neutralises_formulas(lichen_filer, tmp_path):
    """Issue 14.5: cells a spreadsheet would run (=, +, -, @, tab, CR) start with a quote."""
    for message in ('=HYPERLINK("http://x","点此")', "+1+cmd", "-2+3", "@SUM(A1)", "正常"):
        audit_record(actor=lichen_filer, action="update", message=message)
    out = tmp_path / "a.csv"

    call_command("audit-export", "--out", str(out), "--format", "csv")

    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["message"] for r in rows[:5]] == [
        '\'=HYPERLINK("http://x","点此")',
        "'+1+cmd",
        "'-2+3",
        "'@SUM(A1)",
        "正常",
    ]


def test_safe_cell():
    assert [safe_cell(v) for v in ("\t=1", "\r=1", "a=1", "", None, -5, Decimal("-1.5"))] == [
        "'\t=1",
        "'\r=1",
        "a=1",
        "",
        None,
        -5,
        Decimal("-1.5"),
    ]


def test_every_csv_the_platform_writes_uses_the_safe_writer():
    """One rule, one place: no module but core.csvfiles calls the csv module's writers."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "/tests/" not in str(path)
        and path.name != "csvfiles.py"
        and (
            "csv.writer(" in (text := path.read_text(encoding="utf-8")) or "csv.DictWriter(" in text
        )
    ]
    assert offenders == []
