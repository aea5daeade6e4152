"""Backup and restore drill: back up a small campaign, restore it into a new database, compare."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gongjian.audit.services import audit_record
from gongjian.core.backup import Target, row_counts
from gongjian.dashboards.tests.conftest import small_campaign  # noqa: F401  (fixture)

GONGJIAN = Path(sys.executable).with_name("gongjian")


def _admin(target: Target) -> psycopg.Connection:
    return dataclasses.replace(target, name="postgres").connect(autocommit=True)


@pytest.fixture
def source() -> Target:
    return Target.from_settings(connection.settings_dict)


@pytest.fixture
def fresh(source):
    """A new, empty database next to the test database; dropped afterwards."""
    target = dataclasses.replace(source, name=f"{source.name}_restored")
    with _admin(source) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{target.name}"')
    yield target
    with _admin(source) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')


def _counts(target: Target) -> dict[str, int]:
    with target.connect(autocommit=True) as conn, conn.cursor() as cursor:
        return row_counts(cursor)


def _progress(target: Target, campaign: str) -> str:
    env = {**os.environ, "DATABASE_URL": target.url(), "GONGJIAN_ENV": "test"}
    command = ["progress", "--campaign", campaign, "--as-of", "2022-11-30", "--format", "json"]
    done = subprocess.run(
        [str(GONGJIAN), *command],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    (root / "attachments" / "2022").mkdir(parents=True)
    (root / "attachments" / "2022" / "合同.pdf").write_bytes(b"%PDF-1.4 contract\n")
    (root / "photos.png").write_bytes(bytes(range(256)) * 4)
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def backed_up(small_campaign, media, tmp_path, lichen_filer, capsys):  # noqa: F811
    audit_record(actor=lichen_filer, action="login")
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out))
    printed = capsys.readouterr().out
    return out, printed, small_campaign["campaign"].code


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
def test_backup_restores_into_a_new_database_with_identical_rows_and_progress(
    backed_up,
    source,
    fresh,
    tmp_path,
    capsys,
):
    out, printed, code = backed_up
    manifest = json.loads((out / "manifest.json").read_text())
    before = _counts(source)
    assert manifest["tables"] == before
    assert printed == (
        f"已备份数据库 {source.name}：{len(before)} 张表 {sum(before.values())} 行，"
        f"上传文件 2 个，到 {out}\n"
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "database.dump",
        "manifest.json",
        "media.tar.gz",
    ]

    restored_media = tmp_path / "media-restored"
    call_command(
        "restore", str(out), "--database-url", fresh.url(), "--media-root", str(restored_media)
    )

    assert capsys.readouterr().out == (
        f"已恢复到数据库 {fresh.name}：{len(before)} 张表 {sum(before.values())} 行与备份清单一致，"
        "上传文件 2 个。\n"
    )
    after = _counts(fresh)
    assert after == before
    assert (before["projects_project"], before["campaigns_target"], before["audit_auditevent"]) == (
        3,
        6,
        1,
    )
    assert (restored_media / "attachments" / "2022" / "合同.pdf").read_bytes() == (
        b"%PDF-1.4 contract\n"
    )
    assert (restored_media / "photos.png").read_bytes() == bytes(range(256)) * 4
    original, copy = _progress(source, code), _progress(fresh, code)
    assert copy == original
    document = json.loads(original)
    assert len(document["targets"]) == 6
    print(
        "drill:",
        len(before),
        "tables",
        sum(before.values()),
        "rows;",
        "dump",
        manifest["files"]["database.dump"]["bytes"],
        "bytes; media",
        manifest["files"]["media.tar.gz"]["bytes"],
        "bytes; progress json",
        len(original),
        "chars",
    )
    # The audit table's append-only trigger travels with the dump.
    with fresh.connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE audit_auditevent SET message = 'x'")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
def test_restore_refuses_a_non_empty_database_without_force(backed_up, source, tmp_path):
    out = backed_up[0]
    before = _counts(source)

    with pytest.raises(CommandError) as raised:
        call_command("restore", str(out), "--media-root", str(tmp_path / "m2"))

    assert str(raised.value) == (
        f"目标数据库 {source.name} 不是空的（已有 {len(before)} 张表）；确认覆盖请加 --force。"
    )
    assert _counts(source) == before
    assert not (tmp_path / "m2").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
def test_a_tampered_dump_is_refused_before_anything_is_restored(backed_up, fresh, tmp_path):
    out = backed_up[0]
    dump = out / "database.dump"
    data = bytearray(dump.read_bytes())
    data[-1] ^= 0xFF
    dump.write_bytes(bytes(data))

    with pytest.raises(CommandError) as raised:
        call_command(
            "restore", str(out), "--database-url", fresh.url(), "--media-root", str(tmp_path / "m")
        )

    assert str(raised.value) == "备份文件校验失败（SHA-256 不符）：database.dump"
    assert _counts(fresh) == {}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
def test_restore_stops_at_the_first_error_and_keeps_nothing(backed_up, fresh, tmp_path):
    out = backed_up[0]
    # A view on a table the dump recreates: with --force pg_restore must drop that table first,
    # which fails; in one transaction the tables restored before the failure are rolled back.
    with fresh.connect(autocommit=True) as conn:
        conn.execute("CREATE TABLE regions_region (id integer)")
        conn.execute("CREATE VIEW region_view AS SELECT id FROM regions_region")

    with pytest.raises(CommandError) as raised:
        call_command(
            "restore",
            str(out),
            "--database-url",
            fresh.url(),
            "--media-root",
            str(tmp_path / "m"),
            "--force",
        )

    assert str(raised.value).startswith("pg_restore 失败（退出码 1）：")
    assert "region_view" in str(raised.value)
    assert _counts(fresh) == {"regions_region": 0}
    assert not (tmp_path / "m").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
def test_backup_into_a_non_empty_directory_is_refused(tmp_path, media):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("keep")

    with pytest.raises(CommandError) as raised:
        call_command("backup", "--out", str(tmp_path / "out"))

    assert str(raised.value) == f"备份目录不是空的：{tmp_path / 'out'}"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["old.txt"]


@pytest.mark.django_db
def test_backup_on_sqlite_says_it_needs_postgresql(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite refusal")

    with pytest.raises(CommandError) as raised:
        call_command("backup", "--out", str(tmp_path / "out"))

    assert str(raised.value) == "备份与恢复只支持 PostgreSQL 数据库。"
    assert not (tmp_path / "out").exists()


def test_a_target_round_trips_through_its_url():
    target = Target(host="db.internal", port="5433", user="gj@app", password="p:w/x", name="gj")

    assert target.url() == "postgres://gj%40app:p%3Aw%2Fx@db.internal:5433/gj"
    assert Target.from_url(target.url()) == target
