"""Reads from a real PostgreSQL streaming replica (``core.replica``).

The fixture starts a primary of its own (``initdb`` in a temporary directory, a free port; the
shared test server is left as it is) and a streaming replica of it (``pg_basebackup -R``, a
second postmaster on another free port), migrates the primary, and serves it with gunicorn
(production settings, ``DATABASE_REPLICA_URL`` set). Then, over HTTP:

* with the replica's replay paused, a campaign created by the city admin is on the admin's next
  page (read-your-writes: the primary) and not on a leader's (the replica) — so the leader's
  reads really come from the replica;
* once replay resumes, the leader sees it;
* the replica is stopped (immediate shutdown) while the leader keeps reading: every request is
  answered 200 with the campaign on it, from the primary, and the server logs that it skipped
  the replica.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gongjian.bench.client import Client
from gongjian.bench.server import LOOPBACK, Server, free_port

pytestmark = pytest.mark.postgres

PIN_SECONDS = 8


def _bin_dir() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if all((candidate / tool).exists() for tool in ("initdb", "pg_ctl", "pg_basebackup")):
            return candidate
    return None


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres account then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class Cluster:
    bin: Path
    root: Path
    primary_port: int
    replica_port: int

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            _as_postgres([str(self.bin / command[0]), *command[1:]]),
            check=check,
            capture_output=True,
            text=True,
            timeout=180,
        )

    def sql(self, port: int, statement: str, database: str = "gongjian") -> str:
        done = subprocess.run(
            [
                str(self.bin / "psql"),
                "-h",
                LOOPBACK,
                "-p",
                str(port),
                "-U",
                "postgres",
                "-d",
                database,
                "-Atc",
                statement,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done.stdout.strip()

    def url(self, port: int) -> str:
        return f"postgres://postgres@{LOOPBACK}:{port}/gongjian"


@contextlib.contextmanager
def _cluster() -> Iterator[Cluster]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) not found")
    root = Path(tempfile.mkdtemp(prefix="gj-replica-"))
    cluster = Cluster(bin_dir, root, free_port(), free_port())
    primary, replica = root / "primary", root / "replica"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    started: list[Path] = []
    try:
        cluster.run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {cluster.primary_port}\nlisten_addresses = '{LOOPBACK}'\n"
                f"unix_socket_directories = '{root}'\nwal_level = replica\n"
                "max_wal_senders = 4\nfsync = off\nshared_buffers = 32MB\n"
            )
        cluster.run("pg_ctl", "-D", str(primary), "-l", str(root / "primary.log"), "-w", "start")
        started.append(primary)
        cluster.run(
            "pg_basebackup",
            "-h",
            LOOPBACK,
            "-p",
            str(cluster.primary_port),
            "-U",
            "postgres",
            "-D",
            str(replica),
            "-R",
            "-X",
            "stream",
        )
        with open(replica / "postgresql.conf", "a") as conf:
            conf.write(f"port = {cluster.replica_port}\nhot_standby = on\n")
        cluster.run("pg_ctl", "-D", str(replica), "-l", str(root / "replica.log"), "-w", "start")
        started.append(replica)
        cluster.sql(cluster.primary_port, "CREATE DATABASE gongjian", database="postgres")
        yield cluster
    finally:
        for data in reversed(started):
            cluster.run("pg_ctl", "-D", str(data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)


def _manage(cluster: Cluster, *args: str) -> None:
    env = {**os.environ, "GONGJIAN_ENV": "test", "DATABASE_URL": cluster.url(cluster.primary_port)}
    env.pop("DATABASE_REPLICA_URL", None)
    subprocess.run(
        [sys.executable, "-m", "gongjian.cli", *args],
        check=True,
        env=env,
        capture_output=True,
        timeout=600,
    )


SETUP = """
from gongjian.accounts.choices import Role
from gongjian.accounts.models import Membership, User
from gongjian.regions.models import Region
admin = User.objects.create_superuser("replica_admin", password="Replica-admin-2026!")
leader = User.objects.create_user("replica_leader", password="Replica-leader-2026!")
Membership.objects.create(user=leader, role=Role.LEADER, region=Region.objects.get(code="350500"))
"""


def _csrf(client: Client, path: str) -> str:
    page = client.request("GET", path)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert page.status == 200 and match is not None
    return match.group(1).decode()


def test_reads_come_from_the_replica_with_read_your_writes_and_fall_back_when_it_stops(
    tmp_path,
):
    with _cluster() as cluster:
        _manage(cluster, "migrate", "--verbosity", "0")
        _manage(cluster, "shell", "-c", SETUP)
        from gongjian.bench.deadline import server_env

        env = {
            **server_env(cluster.url(cluster.primary_port), today="2022-12-20", var_dir=tmp_path),
            "DATABASE_REPLICA_URL": cluster.url(cluster.replica_port),
            "GONGJIAN_REPLICA_MAX_LAG_SECONDS": "3600",
            "GONGJIAN_READ_YOUR_WRITES_SECONDS": str(PIN_SECONDS),
            "GONGJIAN_REQUIRE_TOTP": "0",
        }
        # Production pages name the static files by their hashes: collect them as an upgrade does.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "gongjian.cli",
                "collectstatic",
                "--no-input",
                "--verbosity",
                "0",
            ],
            env={**os.environ, **env},
            check=True,
        )
        with Server(env=env, log=tmp_path / "gunicorn.log", workers=1, threads=4) as server:
            admin, leader = Client(server.port), Client(server.port)
            admin.sign_in("replica_admin", "Replica-admin-2026!")
            leader.sign_in("replica_leader", "Replica-leader-2026!")
            time.sleep(PIN_SECONDS + 1)  # signing in is a write: let the leader's pin lapse

            cluster.sql(cluster.replica_port, "SELECT pg_wal_replay_pause()")
            token = _csrf(admin, "/campaigns/new/")
            created = admin.request(
                "POST",
                "/campaigns/new/",
                form={
                    "csrfmiddlewaretoken": token,
                    "code": "replica2023",
                    "name": "副本测试行动",
                    "starts_on": "2023-01-01",
                    "ends_on": "2023-12-31",
                    "green_threshold": "-5",
                    "yellow_threshold": "-15",
                    "elapsed_basis": "days",
                    "is_active": "on",
                },
                headers={"Referer": f"http://{LOOPBACK}:{server.port}/campaigns/new/"},
            )
            assert created.status == 302

            mine = admin.request("GET", "/campaigns/")
            theirs = leader.request("GET", "/campaigns/")
            assert (mine.status, "副本测试行动" in mine.body.decode()) == (200, True)
            assert (theirs.status, "副本测试行动" in theirs.body.decode()) == (200, False)

            cluster.sql(cluster.replica_port, "SELECT pg_wal_replay_resume()")
            for _attempt in range(600):
                on_replica = cluster.sql(
                    cluster.replica_port,
                    "SELECT count(*) FROM campaigns_campaign WHERE code = 'replica2023'",
                )
                if on_replica == "1":
                    break
                time.sleep(0.1)
            assert on_replica == "1"
            later = leader.request("GET", "/campaigns/")
            assert (later.status, "副本测试行动" in later.body.decode()) == (200, True)

            # The replica stops while the leader keeps reading.
            answers: list[tuple[int, bool]] = []
            stop = threading.Event()

            def keep_reading() -> None:
                reader = Client(server.port)
                reader.cookies = dict(leader.cookies)
                while not stop.is_set():
                    page = reader.request("GET", "/campaigns/")
                    answers.append((page.status, "副本测试行动" in page.body.decode()))
                reader.close()

            thread = threading.Thread(target=keep_reading)
            thread.start()
            time.sleep(1)
            cluster.run("pg_ctl", "-D", str(cluster.root / "replica"), "-m", "immediate", "stop")
            time.sleep(3)
            stop.set()
            thread.join(timeout=120)
            after = leader.request("GET", "/campaigns/")

        assert not thread.is_alive()
        assert set(answers) == {(200, True)}
        assert (after.status, "副本测试行动" in after.body.decode()) == (200, True)
        log = (tmp_path / "gunicorn.log").read_text()
        assert "Replica skipped, reading from the primary" in log
