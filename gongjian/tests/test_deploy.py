"""The production install of docs/deploy.md, end to end on loopback.

What ships under deploy/ is what runs here: gunicorn and the background worker start with the
ExecStart lines of the shipped systemd units (read from the files, not retyped) and their
EnvironmentFile=s, written from the shipped examples; nginx serves the shipped site file with a
self-signed certificate; every periodic unit's command runs once; `gongjian-admin --owner
upgrade` runs on the live system. The only changes to the shipped files are the documented
placeholders (docs/deploy.md, "Paths and names"): /opt/gongjian, /etc/gongjian, /var/lib/gongjian,
/var/backups/gongjian, /etc/ssl/gongjian, /var/log/nginx/gongjian, the address 127.0.0.1:8000 and
the ports 80 and 443, which become this checkout, temporary directories and free loopback ports.

Through https, from the client address 127.0.0.2 (so that nginx's forwarded address differs from
the address gunicorn sees, 127.0.0.1): a district filer signs in and files and submits a report,
her reviewer approves it, the city administrator signs in (setting up the one-time code the
first time, as production requires), generates a bulletin that the worker produces, and
downloads it. The security headers, the static files with hashed names and the client address in
the audit log are checked, and a page is read again after the upgrade.
"""

from __future__ import annotations

import dataclasses
import html
import http.client
import http.cookiejar
import json
import os
import re
import secrets
import shlex
import signal
import socket
import ssl
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.db import connection

from gongjian.accounts.totp import totp
from gongjian.bench.server import free_port
from gongjian.core.backup import Target

pytestmark = [pytest.mark.deploy, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
NAME = "gongjian.example.gov.cn"
LOOPBACK = "127.0.0.1"
CLIENT = "127.0.0.2"  # another loopback address: what nginx must forward as the client's
NGINX = os.environ.get("GONGJIAN_NGINX", "/usr/sbin/nginx")
TODAY = "2022-12-02"  # the demo data's business date
DUE_PROJECT = """
from gongjian.reporting.models import ProgressReport, ReportingPeriod
from gongjian.reporting.selectors import projects_due
for period in ReportingPeriod.objects.order_by("-month"):
    due = projects_due(period=period).filter(region__code="350502").exclude(
        pk__in=ProgressReport.objects.filter(period=period).values("project")
    )
    project = due.order_by("code").values_list("pk", flat=True).first()
    if project is not None:
        print(f"{period.month:%Y-%m} {project}")
        break
"""


# ---------------------------------------------------------------------------------------------
# The shipped files, with the documented placeholders replaced


@dataclasses.dataclass
class Layout:
    root: Path
    http_port: int
    https_port: int
    app_port: int

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def var(self) -> Path:
        return self.root / "var"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def ssl(self) -> Path:
        return self.root / "ssl"

    @property
    def logs(self) -> Path:
        return self.root / "log"

    @property
    def origin(self) -> str:
        return f"https://{NAME}:{self.https_port}"

    def place(self, text: str) -> str:
        """The documented placeholders of deploy/, and nothing else."""
        for placeholder, here in [
            ("/opt/gongjian", str(REPO)),
            ("/etc/gongjian", str(self.etc)),
            ("/var/lib/gongjian", str(self.var)),
            ("/var/backups/gongjian", str(self.backups)),
            ("/etc/ssl/gongjian", str(self.ssl)),
            ("/var/log/nginx/gongjian", str(self.logs / "gongjian")),
            ("127.0.0.1:8000", f"{LOOPBACK}:{self.app_port}"),
            ("listen 443 ", f"listen {LOOPBACK}:{self.https_port} "),
            ("listen 80;", f"listen {LOOPBACK}:{self.http_port};"),
        ]:
            text = text.replace(placeholder, here)
        return text


@dataclasses.dataclass
class Unit:
    exec_start: list[str]
    environment_files: list[Path]
    working_directory: Path


def read_unit(layout: Layout, name: str) -> Unit:
    """The [Service] section of a shipped unit: ExecStart split as systemd splits it (quotes;
    no specifiers or variables are used, and this refuses them rather than guess)."""
    text = layout.place((DEPLOY / "systemd" / name).read_text())
    service = text.split("[Service]", 1)[1].split("\n[", 1)[0]
    values: dict[str, list[str]] = {}
    for line in service.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    (exec_start,) = values["ExecStart"]
    assert not re.search(r"[%$]", exec_start), f"{name}: specifier or variable in ExecStart"
    return Unit(
        exec_start=shlex.split(exec_start),
        environment_files=[Path(v) for v in values.get("EnvironmentFile", [])],
        working_directory=Path(values["WorkingDirectory"][0]),
    )


def read_environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments, quoted values)."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def unit_environment(unit: Unit) -> dict[str, str]:
    """What systemd gives a service: a clean environment plus the unit's files, in order."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
    }
    for path in unit.environment_files:
        env.update(read_environment_file(path))
    return env


def write_environment(layout: Layout, example: str, target: Path, values: dict[str, str]) -> None:
    """The shipped example with CHANGE-ME and the site's own values filled in, as an operator
    does; every key the test sets must already be in the example (nothing undocumented)."""
    lines = []
    seen = set()
    for line in layout.place((DEPLOY / example).read_text()).splitlines():
        key = line.partition("=")[0]
        if not line.startswith("#") and key in values:
            line = f"{key}={values[key]}"
            seen.add(key)
        lines.append(line)
    assert set(values) - seen == set(), "values for keys the example does not have"
    target.write_text("\n".join(lines) + "\n")
    target.chmod(0o600)


# ---------------------------------------------------------------------------------------------
# Processes


class Service:
    """A long-running unit's command, in its own process group, output to a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, log: Path):
        self.name, self.log = name, log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def alive(self) -> bool:
        return self.process.poll() is None

    def signal(self, signum: int) -> None:
        os.kill(self.process.pid, signum)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])


def run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{argv}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def run_unit(layout: Layout, name: str, timeout: float = 600) -> str:
    unit = read_unit(layout, name)
    return run(unit.exec_start, unit_environment(unit), unit.working_directory, timeout)


def admin(layout: Layout, *args: str, timeout: float = 900) -> str:
    """deploy/gongjian-admin as docs/deploy.md runs it (here as this user, not via root)."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "GONGJIAN_ETC": str(layout.etc),
        "GONGJIAN_HOME": str(REPO),
        "GONGJIAN_USER": subprocess.run(
            ["id", "-un"], capture_output=True, text=True, check=True
        ).stdout.strip(),
    }
    return run([str(DEPLOY / "gongjian-admin"), *args], env, REPO, timeout)


def wait_for_port(port: int, service: Service, within: float = 120) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert service.alive(), f"{service.name} exited:\n{service.tail()}"
        try:
            socket.create_connection((LOOPBACK, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{service.name} did not listen on {port}:\n{service.tail()}")


# ---------------------------------------------------------------------------------------------
# A browser-like https client on loopback, from CLIENT's address


class _Connection(http.client.HTTPSConnection):
    def connect(self) -> None:
        sock = socket.create_connection(
            (LOOPBACK, self.port), self.timeout, source_address=(CLIENT, 0)
        )
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _Handler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_Connection, req, context=self._context)  # type: ignore[attr-defined]


@dataclasses.dataclass
class Answer:
    status: int
    url: str
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def all(self, name: str) -> list[str]:
        return self.headers.get_all(name) or []


class Browser:
    def __init__(self, layout: Layout, certificate: Path) -> None:
        self.origin = layout.origin
        self.jar = http.cookiejar.CookieJar()
        context = ssl.create_default_context(cafile=str(certificate))
        self.opener = urllib.request.build_opener(
            _Handler(context=context), urllib.request.HTTPCookieProcessor(self.jar)
        )

    def request(self, path: str, data: dict[str, str] | None = None, **headers: str) -> Answer:
        url = path if path.startswith("https://") else self.origin + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers)
        if body is not None:  # what a browser sends with a form
            request.add_header("Origin", self.origin)
            request.add_header("Referer", url)
        try:
            with self.opener.open(request, timeout=120) as response:
                return Answer(response.status, response.url, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, url, error.headers, error.read())

    def form(self, page: Answer, action: str) -> dict[str, str]:
        """The hidden and preset fields of the form posting to ``action`` on ``page``."""
        forms = re.findall(r"(<form\b[^>]*>)(.*?)</form>", page.text, flags=re.S)
        for tag, form in forms:
            target = re.search(r'\saction="([^"]*)"', tag)
            if (target.group(1) if target else "") == action:
                return {
                    html.unescape(name): html.unescape(value)
                    for name, value in re.findall(
                        r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form
                    )
                }
        raise AssertionError(f"no form posting to {action!r} on {page.url}")

    def sign_in(self, username: str, password: str) -> Answer:
        page = self.request("/accounts/login/")
        assert page.status == 200, page.text
        fields = {**self.form(page, ""), "username": username, "password": password}
        return self.request("/accounts/login/", fields)

    def cookie(self, name: str) -> http.cookiejar.Cookie:
        (cookie,) = [c for c in self.jar if c.name == name]
        return cookie


# ---------------------------------------------------------------------------------------------
# The database: a role that owns the tables, the web server's role, one database


@dataclasses.dataclass
class Database:
    owner_url: str
    app_url: str
    app_role: str
    name: str


@pytest.fixture
def database(django_db_setup, django_db_blocker) -> Iterator[Database]:
    """Named after this worker's test database, so that parallel runs never meet."""
    with django_db_blocker.unblock():
        server = Target.from_settings(connection.settings_dict)
    base = f"{server.name}_deploy"
    owner, app = f"{base}_owner", f"{base}_app"
    owner_password, app_password = secrets.token_hex(16), secrets.token_hex(16)

    def maintenance() -> psycopg.Connection:
        return dataclasses.replace(server, name="postgres").connect(autocommit=True)

    def drop(admin: psycopg.Connection) -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{base}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{owner}"')
        admin.execute(f'DROP ROLE IF EXISTS "{app}"')

    with maintenance() as admin_connection:
        drop(admin_connection)
        admin_connection.execute(f"CREATE ROLE \"{owner}\" LOGIN PASSWORD '{owner_password}'")
        admin_connection.execute(f"CREATE ROLE \"{app}\" LOGIN PASSWORD '{app_password}'")
        admin_connection.execute(f'CREATE DATABASE "{base}" OWNER "{owner}"')
    host = server.host or LOOPBACK
    port = server.port or "5432"
    yield Database(
        owner_url=f"postgres://{owner}:{owner_password}@{host}:{port}/{base}",
        app_url=f"postgres://{app}:{app_password}@{host}:{port}/{base}",
        app_role=app,
        name=base,
    )
    with maintenance() as admin_connection:
        drop(admin_connection)


# ---------------------------------------------------------------------------------------------


def test_the_shipped_deployment_serves_files_approves_and_bulletins_through_nginx(
    tmp_path, database
):
    layout = Layout(tmp_path, http_port=free_port(), https_port=free_port(), app_port=free_port())
    for directory in (layout.etc, layout.var, layout.backups, layout.ssl, layout.logs):
        directory.mkdir()

    # a self-signed certificate for the public name
    certificate = layout.ssl / "fullchain.pem"
    run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN={NAME}", "-addext", f"subjectAltName=DNS:{NAME}",
            "-keyout", str(layout.ssl / "privkey.pem"), "-out", str(certificate),
        ],
        dict(os.environ),
        tmp_path,
    )  # fmt: skip

    # the environment files, from the shipped examples
    write_environment(
        layout,
        "gongjian.env.example",
        layout.etc / "gongjian.env",
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database.app_url,
            "GONGJIAN_PII_KEY": Fernet.generate_key().decode(),
            "CSRF_TRUSTED_ORIGINS": layout.origin,
            "GONGJIAN_SITE_URL": layout.origin,
            "EMAIL_HOST": LOOPBACK,
            "EMAIL_HOST_PASSWORD": "not-used",
        },
    )
    with open(layout.etc / "gongjian.env", "a") as env:
        # This machine has no mail relay, and the demo data's business date is fixed.
        env.write("EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend\n")
        env.write(f"GONGJIAN_TODAY={TODAY}\n")
    write_environment(
        layout, "owner.env.example", layout.etc / "owner.env", {"DATABASE_URL": database.owner_url}
    )

    # first install (docs/deploy.md): upgrade as the owner, then the application role's rights
    out = admin(layout, "--owner", "upgrade")
    assert [line for line in out.splitlines() if line[:4] in {"1/3 ", "2/3 ", "3/3 "}] == [
        "1/3 migrate",
        "2/3 recompute",
        "3/3 collectstatic",
    ]
    assert (layout.var / "static" / "staticfiles.json").is_file()
    admin(layout, "--owner", "grant-app-role", database.app_role)
    # The users: the demo data set's (loaddemo refuses production settings, so it is loaded
    # with the demo's; `gongjian bootstrap` makes the first administrator on a real install).
    demo_env = {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "GONGJIAN_ENV": "demo",
        "DATABASE_URL": database.owner_url,
        "GONGJIAN_TODAY": TODAY,
    }
    run([str(REPO / ".venv" / "bin" / "gongjian"), "loaddemo"], demo_env, REPO)
    filer_token = admin(layout, "create-token", "lichen_filer").split()[-1]
    reviewer_token = admin(layout, "create-token", "lichen_reviewer").split()[-1]
    # a 鲤城 project that must report for a month and has no report for it yet, newest month first
    due = admin(layout, "shell", "--no-imports", "-c", DUE_PROJECT).strip()
    assert re.fullmatch(r"\d{4}-\d{2} \d+", due), due

    # the services, with the commands of the shipped units
    services: list[Service] = []
    try:
        web = read_unit(layout, "gongjian-web.service")
        services.append(
            Service(
                "gunicorn",
                web.exec_start,
                unit_environment(web),
                web.working_directory,
                layout.logs / "web.log",
            )
        )
        wait_for_port(layout.app_port, services[-1])
        worker = read_unit(layout, "gongjian-worker.service")
        services.append(
            Service(
                "worker",
                worker.exec_start,
                unit_environment(worker),
                worker.working_directory,
                layout.logs / "worker.log",
            )
        )
        nginx_conf = layout.root / "nginx.conf"
        site = layout.root / "gongjian.conf"
        site.write_text(layout.place((DEPLOY / "nginx" / "gongjian.conf").read_text()))
        nginx_conf.write_text(_nginx_main(layout, site))
        services.append(
            Service(
                "nginx",
                [NGINX, "-c", str(nginx_conf), "-e", str(layout.logs / "nginx-main.log")],
                dict(os.environ),
                layout.root,
                layout.logs / "nginx.log",
            )
        )
        wait_for_port(layout.https_port, services[-1])
        _drive(layout, certificate, database, filer_token, reviewer_token, due)
    finally:
        for service in reversed(services):
            service.stop()


def _nginx_main(layout: Layout, site: Path) -> str:
    """nginx.conf of a non-system nginx (the test's; Debian's includes the site the same way)."""
    temp = layout.root / "nginx-temp"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
daemon off;
pid {layout.root}/nginx.pid;
error_log {layout.logs}/nginx-main.log;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {layout.logs}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""


def _audit_ips(database: Database, action: str) -> list[str | None]:
    with psycopg.connect(database.owner_url) as db:
        rows = db.execute(
            "SELECT host(ip_address) FROM audit_auditevent WHERE action = %s ORDER BY id", [action]
        ).fetchall()
    return [row[0] for row in rows]


def _api(browser: Browser, token: str, method: str, path: str, payload=None) -> Answer:
    body = json.dumps(payload).encode() if payload is not None else b""
    request = urllib.request.Request(
        browser.origin + path,
        data=body if method != "GET" else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with browser.opener.open(request, timeout=120) as response:
            return Answer(response.status, response.url, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, request.full_url, error.headers, error.read())


def _drive(
    layout: Layout,
    certificate: Path,
    database: Database,
    filer_token: str,
    reviewer_token: str,
    due: str,
) -> None:
    # plain http only redirects to https
    plain = http.client.HTTPConnection(LOOPBACK, layout.http_port, timeout=30)
    plain.request("GET", "/accounts/login/?next=/", headers={"Host": NAME})
    redirect = plain.getresponse()
    assert (redirect.status, redirect.getheader("Location")) == (
        301,
        f"https://{NAME}/accounts/login/?next=/",
    )
    plain.close()

    # the filer signs in; the answer carries the security headers, once each
    filer = Browser(layout, certificate)
    home = filer.sign_in("lichen_filer", "gongjian-demo")
    assert (home.status, home.url) == (200, f"{layout.origin}/"), home.text[:2000]
    assert home.all("Strict-Transport-Security") == ["max-age=63072000; includeSubDomains"]
    assert home.all("X-Content-Type-Options") == ["nosniff"]
    assert home.all("X-Frame-Options") == ["DENY"]
    assert home.all("Referrer-Policy") == ["same-origin"]
    assert len(home.all("Content-Security-Policy")) == 1
    assert home.all("Content-Security-Policy")[0].startswith("default-src 'self'")
    session = filer.cookie("sessionid")
    assert session.secure and session.has_nonstandard_attr("HttpOnly")
    assert filer.cookie("csrftoken").secure

    # the page's static files by their hashed names, from nginx, cached for a year
    stylesheet = re.search(r'href="(/static/gongjian/app\.[0-9a-f]{12}\.css)"', home.text)
    assert stylesheet, "the page does not link the hashed app.css"
    css = filer.request(stylesheet.group(1))
    assert css.status == 200
    assert css.all("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert css.all("Strict-Transport-Security") == ["max-age=63072000; includeSubDomains"]
    assert css.body == (layout.var / "static" / stylesheet.group(1)[len("/static/") :]).read_bytes()
    assert filer.request("/media/").status == 404  # uploads only through the application

    # she files and submits a report; her district's reviewer approves it
    month, project = due.split()
    filed = _api(
        filer,
        filer_token,
        "POST",
        "/api/v1/reports",
        {"project": int(project), "period": month, "amount": "123.45", "progress_text": "主体施工"},
    )
    assert filed.status == 201, filed.text
    report = json.loads(filed.body)["id"]
    submitted = _api(filer, filer_token, "POST", f"/api/v1/reports/{report}/submit")
    assert submitted.status == 200, submitted.text
    approved = _api(filer, reviewer_token, "POST", f"/api/v1/reports/{report}/approve", {})
    assert approved.status == 200, approved.text
    assert json.loads(approved.body)["status"] == "district_approved"

    # the audit log has the client's address as nginx forwarded it, not nginx's own
    assert _audit_ips(database, "login")[-1] == CLIENT
    with psycopg.connect(database.owner_url) as db:
        ips = db.execute(
            "SELECT DISTINCT host(ip_address) FROM audit_auditevent "
            "WHERE object_type = 'reporting.progressreport' AND object_id = %s",
            [str(report)],
        ).fetchall()
    assert ips == [(CLIENT,)]

    # the city administrator signs in: the one-time code is set up at the first sign-in
    office = Browser(layout, certificate)
    setup = office.sign_in("city_admin", "gongjian-demo")
    assert (setup.status, urllib.parse.urlsplit(setup.url).path) == (200, "/accounts/totp/")
    secret = re.search(r"secret=([A-Z2-7]+)", html.unescape(setup.text))
    assert secret, setup.text[:3000]
    codes = office.request(
        "/accounts/totp/",
        {**office.form(setup, ""), "code": totp(secret.group(1))},
    )
    assert (codes.status, urllib.parse.urlsplit(codes.url).path) == (200, "/accounts/totp/codes/")

    # ... and has the November bulletin made: queued by the page, produced by the worker
    page = office.request("/bulletins/")
    assert page.status == 200
    chosen = {
        field: re.search(
            rf'<select name="{field}"[^>]*>.*?<option value="([^"]+)"', page.text, re.S
        )
        for field in ("campaign", "month")
    }
    assert all(chosen.values()), page.text[:3000]
    fields = {
        **office.form(page, "/bulletins/new/"),
        **{field: match.group(1) for field, match in chosen.items() if match},
        "format": "pdf",
    }
    made = office.request("/bulletins/new/", fields)
    found = re.fullmatch(rf"{re.escape(layout.origin)}/bulletins/(\d+)/", made.url)
    assert made.status == 200 and found, made.text[:3000]
    bulletin = found.group(1)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        progress = office.request(f"/bulletins/{bulletin}/progress/")
        assert progress.status == 200
        if progress.headers.get("HX-Refresh") == "true":
            break
        time.sleep(1)
    else:
        raise AssertionError("the worker did not produce the bulletin within 300 s")
    download = office.request(f"/bulletins/{bulletin}/download/")
    assert download.status == 200, download.text[:2000]
    assert download.body[:5] == b"%PDF-"
    assert download.headers.get_content_type() == "application/pdf"

    # every periodic unit's command runs on this installation
    for name in [
        "gongjian-send-reminders.service",
        "gongjian-escalate-supervisions.service",
        "gongjian-purge-leads.service",
        "gongjian-audit-purge.service",
        "gongjian-clearsessions.service",
        "gongjian-prune-tasks.service",
    ]:
        run_unit(layout, name)
    out = run_unit(layout, "gongjian-backup.service")
    (backup,) = [p for p in layout.backups.iterdir()]
    assert re.fullmatch(r"\d{8}T\d{6}Z", backup.name)
    assert out.splitlines()[-1] == f"backup {backup} written; 1 kept"
    assert {p.name for p in backup.iterdir()} >= {"database.dump", "manifest.json"}

    # an upgrade on the running system, then the same page again
    out = admin(layout, "--owner", "upgrade")
    assert out.splitlines()[-1].startswith("升级完成，请重启网站和后台任务服务。")
    again = filer.request("/")
    assert again.status == 200
    assert again.all("Strict-Transport-Security") == ["max-age=63072000; includeSubDomains"]
