"""A small HTTP client for the drills: one keep-alive connection, JSON, cookies, timing.

The standard library's http.client keeps the load generator light (the drills share two cores
with the server and PostgreSQL) and makes every failure explicit: a refused or cut connection
raises `Unreachable`, which a drill counts as an error and never as an answer.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from gongjian.bench.server import LOOPBACK


class Unreachable(Exception):
    """The request got no answer: connection refused, reset or closed mid-request."""


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float
    location: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    def __init__(self, port: int, *, token: str = "", timeout: float = 60.0) -> None:
        self.port = port
        self.token = token
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    def _open(self) -> http.client.HTTPConnection:
        if self._connection is None:
            # Loopback only, by construction: the drills never address another host.
            self._connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(
        self,
        method: str,
        path: str,
        *,
        payload: Any = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"Accept-Language": "zh-hans", **(headers or {})}
        body: bytes | None = None
        if payload is not None:
            body = json.dumps(payload).encode()
            sent["Content-Type"] = "application/json"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            connection = self._open()
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise Unreachable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        seconds = time.perf_counter() - started
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Answer(response.status, data, seconds, response.getheader("Location", ""))

    def sign_in(self, username: str, password: str) -> None:
        """Sign in through the login page, as a browser does (CSRF token from the form)."""
        page = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if page.status != 200 or match is None:
            raise RuntimeError(f"login page answered {page.status} without a CSRF token")
        answer = self.request(
            "POST",
            "/accounts/login/",
            form={
                "csrfmiddlewaretoken": match.group(1).decode(),
                "username": username,
                "password": password,
            },
            headers={"Referer": f"http://{LOOPBACK}:{self.port}/accounts/login/"},
        )
        if answer.status != 302:
            raise RuntimeError(f"signing in as {username} answered {answer.status}, not 302")
