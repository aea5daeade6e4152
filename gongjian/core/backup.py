"""Backup and restore of the whole system: the PostgreSQL database and the uploaded files.

A backup directory holds three files:

* ``database.dump`` — ``pg_dump --format=custom`` (schema, data, the audit triggers);
* ``media.tar.gz`` — everything under MEDIA_ROOT, paths relative to it;
* ``manifest.json`` — when and from which database, the row count of every table and the
  SHA-256 and size of the two files above.

The row counts are taken in the very snapshot ``pg_dump`` dumps (``pg_export_snapshot`` and
``pg_dump --snapshot``), so the manifest describes exactly what is in the dump even while users
keep writing. Restore checks the checksums before touching anything, loads the dump with
``pg_restore --single-transaction --exit-on-error`` (all or nothing, stops at the first error),
then compares every table's row count with the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.utils.translation import gettext as _
from psycopg import sql
from psycopg.conninfo import make_conninfo

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media.tar.gz"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why (in Chinese)."""


@dataclass(frozen=True)
class Target:
    """Where a PostgreSQL database is: what libpq needs, without the password on a command line."""

    host: str
    port: str
    user: str
    password: str
    name: str

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> Target:
        if "postgresql" not in settings_dict["ENGINE"]:
            raise BackupError(_("备份与恢复只支持 PostgreSQL 数据库。"))
        return cls(
            host=str(settings_dict.get("HOST") or ""),
            port=str(settings_dict.get("PORT") or ""),
            user=str(settings_dict.get("USER") or ""),
            password=str(settings_dict.get("PASSWORD") or ""),
            name=str(settings_dict["NAME"]),
        )

    @classmethod
    def from_url(cls, url: str) -> Target:
        import dj_database_url

        return cls.from_settings(dict(dj_database_url.parse(url)))

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        for key, value in (
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
            ("PGDATABASE", self.name),
        ):
            if value:
                env[key] = value
            else:
                env.pop(key, None)
        return env

    def url(self) -> str:
        """As a DATABASE_URL (what a child process of the platform is given)."""
        from urllib.parse import quote

        user = quote(self.user, safe="")
        password = f":{quote(self.password, safe='')}" if self.password else ""
        port = f":{self.port}" if self.port else ""
        # No host: libpq's default (the local socket), as in the settings this came from.
        return f"postgres://{user}{password}@{self.host}{port}/{self.name}"

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection:
        params = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
        }
        conninfo = make_conninfo(dbname=self.name, **{k: v for k, v in params.items() if v})
        return psycopg.connect(conninfo, autocommit=autocommit)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tables(cursor: psycopg.Cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def row_counts(cursor: psycopg.Cursor) -> dict[str, int]:
    """Rows in every table of the public schema, in one statement (one snapshot)."""
    tables = _tables(cursor)
    if not tables:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {name}, count(*) FROM {table}").format(
            name=sql.Literal(table), table=sql.Identifier(table)
        )
        for table in tables
    )
    cursor.execute(query)
    return {name: int(count) for name, count in sorted(cursor.fetchall())}


def _run(command: list[str], target: Target) -> None:
    done = subprocess.run(command, env=target.env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败（退出码 %(code)s）：%(err)s")
            % {"tool": command[0], "code": done.returncode, "err": done.stderr.strip()}
        )


def backup(*, out: Path, target: Target, media_root: Path) -> dict[str, Any]:
    """Write database.dump, media.tar.gz and manifest.json into ``out`` (new or empty)."""
    if out.exists() and any(out.iterdir()):
        raise BackupError(_("备份目录不是空的：%(dir)s") % {"dir": out})
    out.mkdir(parents=True, exist_ok=True)
    with target.connect(autocommit=True) as conn:
        # Hold a repeatable-read snapshot open: count in it and let pg_dump dump the same one.
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]  # type: ignore[index]
            counts = row_counts(cursor)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={out / DUMP}",
                ],
                target,
            )
        conn.execute("COMMIT")
    media_files = 0
    with tarfile.open(out / MEDIA, "w:gz") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(media_root)))
                    media_files += 1
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": target.name,
        "tables": counts,
        "media_files": media_files,
        "files": {
            name: {"sha256": _sha256(out / name), "bytes": (out / name).stat().st_size}
            for name in (DUMP, MEDIA)
        },
    }
    (out / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    )
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after checking both files against their recorded SHA-256."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(
            _("不是备份目录（缺少 %(file)s）：%(dir)s") % {"file": MANIFEST, "dir": source}
        )
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(_("不支持的备份格式：%(format)s") % {"format": manifest.get("format")})
    for name, recorded in manifest["files"].items():
        file = source / name
        if not file.is_file() or _sha256(file) != recorded["sha256"]:
            raise BackupError(_("备份文件校验失败（SHA-256 不符）：%(file)s") % {"file": name})
    return manifest


def restore(*, source: Path, target: Target, media_root: Path, force: bool) -> dict[str, Any]:
    """Load a backup into ``target`` and MEDIA_ROOT; returns the manifest.

    Refuses a target database with any table, or a non-empty MEDIA_ROOT, unless ``force`` (then
    pg_restore drops and recreates the objects it restores, and files are overwritten).
    """
    manifest = read_manifest(source)
    with target.connect(autocommit=True) as conn, conn.cursor() as cursor:
        existing = _tables(cursor)
    if existing and not force:
        raise BackupError(
            _("目标数据库 %(name)s 不是空的（已有 %(count)s 张表）；确认覆盖请加 --force。")
            % {"name": target.name, "count": len(existing)}
        )
    if media_root.is_dir() and any(media_root.iterdir()) and not force:
        raise BackupError(
            _("上传文件目录不是空的：%(dir)s；确认覆盖请加 --force。") % {"dir": media_root}
        )
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent) as staging:
        with tarfile.open(source / MEDIA, "r:gz") as archive:
            archive.extractall(staging, filter="data")
        command = [
            "pg_restore",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={target.name}",
        ]
        if existing:
            command += ["--clean", "--if-exists"]
        _run([*command, str(source / DUMP)], target)
        media_root.mkdir(exist_ok=True)
        shutil.copytree(staging, media_root, dirs_exist_ok=True)
    with target.connect(autocommit=True) as conn, conn.cursor() as cursor:
        counts = row_counts(cursor)
    if counts != manifest["tables"]:
        differing = sorted(
            name
            for name in set(counts) | set(manifest["tables"])
            if counts.get(name) != manifest["tables"].get(name)
        )
        raise BackupError(
            _("恢复后行数与备份清单不符：%(tables)s") % {"tables": ", ".join(differing)}
        )
    return manifest
