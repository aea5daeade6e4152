"""The platform as a real server process, for the drills that load it or kill it.

`Server` runs gunicorn (the production WSGI server) on a free loopback port against a given
database, in its own process group, so that a drill can end it gracefully (``stop``) or crash it
(``kill``: SIGKILL to the master and every worker at once, what `kill -9` does to a server).
It only ever binds 127.0.0.1: the drills send their load to this machine and nowhere else.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class ServerError(RuntimeError):
    pass


class Server:
    """``gunicorn gongjian.wsgi`` with ``workers`` processes of ``threads`` threads each.

    ``env`` is added to this process's environment (DATABASE_URL, GONGJIAN_ENV, ...). The server's
    output goes to ``log`` so that a failing drill can show why.
    """

    def __init__(
        self,
        *,
        env: dict[str, str],
        log: Path,
        workers: int = 2,
        threads: int = 4,
        port: int | None = None,
    ) -> None:
        self.env = {**os.environ, **env}
        self.log = log
        self.workers = workers
        self.threads = threads
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return LOOPBACK

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "gongjian.wsgi:application",
            "--bind",
            f"{LOOPBACK}:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            "--timeout",
            "120",
            "--graceful-timeout",
            "10",
        ]

    def start(self, *, ready_within: float = 60.0) -> Server:
        if self.process is not None and self.process.poll() is None:
            raise ServerError("the server is already running")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches every worker
            )
        self._wait_ready(ready_within)
        return self

    def _wait_ready(self, within: float) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise ServerError(
                    f"gunicorn exited with {self.process.returncode}; see {self.log}:\n"
                    + self.log_tail()
                )
            try:
                connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
                connection.request("GET", "/accounts/login/")
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.kill()
        raise ServerError(f"gunicorn did not answer within {within:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL the master and all its workers together: no handler runs, nothing is flushed."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._reap_group()

    def stop(self) -> None:
        """End gracefully (SIGTERM: the workers finish the requests they hold)."""
        if self.process is None or self.process.poll() is not None:
            self._reap_group()
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._reap_group()

    def _reap_group(self) -> None:
        """Wait until no process of the group is left (workers outlive a killed master briefly)."""
        if self.process is None:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            except PermissionError:
                return
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
