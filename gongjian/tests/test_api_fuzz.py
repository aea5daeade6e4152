"""Schemathesis fuzzes every operation of /api/v1/openapi.json with a valid bearer token.

Bounded (a few examples per operation, a deadline each) and run in the PostgreSQL tier: no answer
is a 5xx, and every answer matches the schema (status code documented, body valid).
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gongjian.accounts.services import api_token_create
from gongjian.tests.factories import ProgressReportFactory, ProjectFactory, ReportingPeriodFactory

pytestmark = pytest.mark.postgres

MAX_EXAMPLES = 25


@pytest.fixture
def fuzz_token(db, city_admin, region):
    # Given a small ledger: a project in each of two districts with a November draft report
    period = ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))
    for code in ("350502", "350503"):
        ProgressReportFactory.create(
            project=ProjectFactory.create(region=region(code)), period=period
        )
    return api_token_create(user=city_admin, name="fuzz")[1]


@pytest.fixture
def api_schema(fuzz_token, settings):
    settings.BUSINESS_DATE = dt.date(2022, 12, 2)
    # The bare WSGI handler closes the database connection after each request, which would end
    # the test's transaction; Django's test Client disconnects the same handler for this reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
        # NUL characters are left out: the middleware refuses them with 400 before any
        # operation runs (test_a_nul_character_is_refused_at_the_door below).
        loaded.config.generation.update(allow_x00=False)
        yield loaded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=dt.timedelta(seconds=2),
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_within_its_schema_and_never_fails(case, fuzz_token):
    # When schemathesis sends a generated request with the token, then the built-in checks hold:
    # not a server error, status code and content type documented, body valid for the schema
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_token}"}, checks=CHECKS)


# The brief's bar: no 5xx, and every answer as documented. Schemathesis's stricter checks that the
# API refuses unknown query parameters or accepts every schema-valid body (the schema does not say
# that a report's project code must exist) are left out.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_a_nul_character_is_refused_at_the_door(client, fuzz_token):
    # Found by the fuzz test: a NUL in a text filter reached PostgreSQL (500)
    response = client.get(
        "/api/v1/projects?category=a%00b", HTTP_AUTHORIZATION=f"Bearer {fuzz_token}"
    )
    body = client.post(
        "/api/v1/reports",
        data='{"progress_text": "a\\u0000b"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {fuzz_token}",
    )

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "请求中含有空字符（\\0），无法处理。 / The request contains a NUL character."},
    )
    assert body.status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/reports", "/api/v1/leads"])
def test_an_offset_past_any_count_is_an_empty_page(client, fuzz_token, path):
    # Found by the fuzz test: an offset beyond PostgreSQL's bigint was a 500
    response = client.get(
        f"{path}?offset=2822167208389436768256", HTTP_AUTHORIZATION=f"Bearer {fuzz_token}"
    )

    assert (response.status_code, response.json()["items"]) == (200, [])
