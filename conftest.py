"""Test tiers and personas shared by every app's tests.

Tiers: the suite runs on SQLite and on PostgreSQL (DATABASE_URL). Tests marked ``postgres`` are
skipped on SQLite; with GONGJIAN_REQUIRE_POSTGRES=1 a non-PostgreSQL run fails instead. Tests marked
``browser`` need Chromium; with GONGJIAN_REQUIRE_BROWSER=1 a missing browser fails
instead of skipping. Tests marked ``deploy`` need nginx and openssl (the deployment test); with
GONGJIAN_REQUIRE_DEPLOY=1 (CI) their absence fails instead of skipping.

Under pytest-xdist (``make test`` runs one worker per core) every worker has its own test
database (pytest-django appends ``_gw0``, ``_gw1``, ... to its name) and media directory
(settings_test.py); a test that creates a database or role of its own names it after the
worker's test database (``connection.settings_dict["NAME"]``), and servers take free ports.
"""

from __future__ import annotations

import os
import shutil

import pytest

from gongjian.accounts.choices import Role

CHROMIUM = os.environ.get("GONGJIAN_CHROMIUM", "/usr/bin/chromium")
NGINX = os.environ.get("GONGJIAN_NGINX", "/usr/sbin/nginx")


def _require(name: str) -> bool:
    return os.environ.get(name, "") in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    if _require("GONGJIAN_REQUIRE_POSTGRES") and not on_postgres:
        raise pytest.UsageError(
            "GONGJIAN_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL; refusing to skip."
        )
    has_browser = shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)
    if _require("GONGJIAN_REQUIRE_BROWSER") and not has_browser:
        raise pytest.UsageError(f"GONGJIAN_REQUIRE_BROWSER=1 but {CHROMIUM} is missing.")
    has_deploy_tools = os.path.exists(NGINX) and shutil.which("openssl") is not None
    if _require("GONGJIAN_REQUIRE_DEPLOY") and not has_deploy_tools:
        raise pytest.UsageError(f"GONGJIAN_REQUIRE_DEPLOY=1 but {NGINX} or openssl is missing.")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    skip_deploy = pytest.mark.skip(reason=f"needs nginx at {NGINX} and openssl")
    skip_browser = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM}")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and not has_browser:
            item.add_marker(skip_browser)
        if "deploy" in item.keywords and not has_deploy_tools:
            item.add_marker(skip_deploy)


@pytest.fixture
def region():
    """Look up a region by code: ``region("350502")``."""
    from gongjian.regions.models import Region

    return lambda code: Region.objects.get(code=code)


def _persona(username: str, role: str, region_code: str):
    from gongjian.regions.models import Region
    from gongjian.tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username=username)
    MembershipFactory(user=user, role=role, region=Region.objects.get(code=region_code))
    return user


@pytest.fixture
def city_admin(db):
    return _persona("city_admin", Role.CITY_ADMIN, "350500")


@pytest.fixture
def security_admin(db):
    return _persona("security_admin", Role.SECURITY_ADMIN, "350500")


@pytest.fixture
def city_reviewer(db):
    return _persona("city_reviewer", Role.CITY_REVIEWER, "350500")


@pytest.fixture
def leader(db):
    return _persona("leader", Role.LEADER, "350500")


@pytest.fixture
def lichen_filer(db):
    return _persona("lichen_filer", Role.DISTRICT_FILER, "350502")


@pytest.fixture
def lichen_reviewer(db):
    return _persona("lichen_reviewer", Role.DISTRICT_REVIEWER, "350502")


@pytest.fixture
def fengze_filer(db):
    return _persona("fengze_filer", Role.DISTRICT_FILER, "350503")


@pytest.fixture
def department(db):
    """Staff of 市招商局 (the department role at the city, in the zsj department)."""
    from gongjian.accounts.models import Department

    user = _persona("zsj_officer", Role.DEPARTMENT, "350500")
    user.memberships.update(department=Department.objects.get(code="zsj"))
    return user


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the default language (zh-hans) whatever an earlier request chose:
    LocaleMiddleware activates a language for the thread and does not put the old one back."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_evaluation_cache():
    """Each test starts without evaluations kept by an earlier one (ids recur across tests)."""
    from gongjian.campaigns import cache

    cache.clear()
    yield
    cache.clear()
