"""Every URL pattern and API operation × every role × method answers as the reviewed table says.

The table is gongjian/tests/permission_matrix.csv (regenerate with
``.venv/bin/python -m gongjian.tests.permission_matrix --write`` and review the diff: a new ``2xx``
or ``3xx`` cell is a new allow and must be justified by the role model in DESIGN.md).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from gongjian.tests.permission_matrix import (
    ROLES,
    _build_world,
    compute_matrix,
    csrf_failures,
    read_table,
)

ALLOWS = {"2xx", "3xx"}


def allows(outcome: str) -> bool:
    return outcome.split("+")[0] in ALLOWS


@pytest.fixture
def world(db, settings):
    settings.BUSINESS_DATE = dt.date(2022, 12, 2)
    return _build_world()


def _key(row: dict[str, str]) -> tuple[str, str, str, str]:
    return (row["route"], row["variant"], row["role"], row["method"])


def test_every_cell_matches_the_reviewed_table(world):
    # Given the reviewed table
    expected = {_key(row): row["outcome"] for row in read_table()}

    # When every route is requested by every role with every method
    observed = {_key(row): row["outcome"] for row in compute_matrix(world)}

    # Then no cell differs, and above all no cell allows what the table denies
    unexpected_allows = sorted(
        (key, expected.get(key), got)
        for key, got in observed.items()
        if allows(got) and not allows(expected.get(key, "missing"))
    )
    differences = sorted(
        (key, expected.get(key), observed.get(key))
        for key in expected.keys() | observed.keys()
        if expected.get(key) != observed.get(key)
    )
    outcomes = Counter(observed.values())
    summary = ", ".join(f"{outcome}={count}" for outcome, count in sorted(outcomes.items()))
    routes = len({key[:2] for key in observed})
    print(f"\npermission matrix: {len(observed)} cells, {routes} routes; {summary}")
    assert unexpected_allows == []
    assert differences == []


def test_the_table_covers_every_role_and_has_no_server_error():
    rows = read_table()

    assert {row["role"] for row in rows} == set(ROLES)
    assert [row for row in rows if row["outcome"] == "5xx"] == []


def test_anonymous_is_allowed_only_the_public_pages():
    # DESIGN.md: "The public sees only the lead-intake form" (plus signing in and the language).
    allowed = sorted(
        {
            row["route"]
            for row in read_table()
            if row["role"] == "anonymous" and allows(row["outcome"])
        }
    )

    assert allowed == PUBLIC_ROUTES


def test_a_district_sees_nothing_of_another_district():
    # DESIGN.md: "a district never sees another district's drafts or leads".
    leaks = [
        row
        for row in read_table()
        if row["variant"] == "other-district"
        and row["role"] in {"district_filer", "district_reviewer"}
        and allows(row["outcome"])
    ]

    assert leaks == []


def test_the_leader_changes_nothing():
    # DESIGN.md: the leader "reads dashboards and bulletins; changes nothing" (but their own
    # sign-in settings under accounts/).
    writes = [
        (row["route"], row["method"])
        for row in read_table()
        if row["role"] == "leader"
        and row["outcome"].endswith("+write")
        and not row["route"].startswith("accounts/")
    ]

    assert writes == []


def test_only_the_reviewed_writes_go_through_on_an_empty_post():
    writes = sorted(
        (row["route"], row["variant"], row["role"])
        for row in read_table()
        if row["outcome"].endswith("+write") and not row["route"].startswith("accounts/")
    )

    # Each justified by DESIGN.md: city_admin sets up campaigns (members, targets) and opens and
    # closes periods, and as a project editor at the city may file for any district; the city
    # reviewer (and the office) raise and close 督办; the filer files its own district; the office
    # generates its bulletins.
    assert writes == [
        ("api/v1/reports/<report_id>/submit", "other-district", "city_admin"),
        ("api/v1/reports/<report_id>/submit", "own-district", "city_admin"),
        ("api/v1/reports/<report_id>/submit", "own-district", "district_filer"),
        # A stage claim without evidence (签约, 投产) is confirmed by its district's reviewer or the
        # city reviewer: a button, no form fields.
        ("api/v1/stage-events/<event_id>/confirm", "other-district", "city_reviewer"),
        ("api/v1/stage-events/<event_id>/confirm", "own-district", "city_reviewer"),
        ("api/v1/stage-events/<event_id>/confirm", "own-district", "district_reviewer"),
        # The office makes a bulletin no worker picked up (立即生成: a button, no form fields).
        ("bulletins/<int:pk>/generate/", "-", "city_admin"),
        # The office goes back to the shipped Word template (恢复默认: a button, no form fields).
        ("bulletins/templates/<str:kind>/reset/", "-", "city_admin"),
        (
            "campaigns/<slug:code>/actions/<slug:action_code>/members/<int:pk>/remove/",
            "-",
            "city_admin",
        ),
        ("campaigns/<slug:code>/targets/<int:pk>/delete/", "-", "city_admin"),
        # Ending a 挂钩领导 link (dated today) by the office or the project's own district; closing
        # a 交办 task by the office or its district's reviewer: buttons, no form fields.
        ("dispatch/links/<int:pk>/end/", "other-district", "city_admin"),
        ("dispatch/links/<int:pk>/end/", "own-district", "city_admin"),
        ("dispatch/links/<int:pk>/end/", "own-district", "district_filer"),
        ("dispatch/tasks/<int:pk>/close/", "other-district", "city_admin"),
        ("dispatch/tasks/<int:pk>/close/", "own-district", "city_admin"),
        ("dispatch/tasks/<int:pk>/close/", "own-district", "district_reviewer"),
        ("projects/stage-events/<int:pk>/confirm/", "other-district", "city_reviewer"),
        ("projects/stage-events/<int:pk>/confirm/", "own-district", "city_reviewer"),
        ("projects/stage-events/<int:pk>/confirm/", "own-district", "district_reviewer"),
        ("projects/supervisions/<int:pk>/close/", "other-district", "city_admin"),
        ("projects/supervisions/<int:pk>/close/", "other-district", "city_reviewer"),
        ("projects/supervisions/<int:pk>/close/", "own-district", "city_admin"),
        ("projects/supervisions/<int:pk>/close/", "own-district", "city_reviewer"),
        ("reporting/periods/<int:pk>/state/", "-", "city_admin"),
    ]


@pytest.mark.parametrize("roles", [("anonymous",), ("city_admin", "district_filer")])
def test_every_unsafe_web_endpoint_refuses_a_post_without_csrf_token(world, roles):
    # When every web route is POSTed with CSRF checks on and no token
    failures = csrf_failures(world, roles)

    # Then every one answers 403
    assert failures == []


def test_the_api_ignores_a_session_cookie(world, client):
    # Given a signed-in city admin with no bearer token
    client.force_login(world["users"]["city_admin"])

    # When the API is written to with the session alone
    response = client.post("/api/v1/reports", {}, content_type="application/json")

    # Then it is refused: the API trusts only bearer tokens, so it needs no CSRF token
    assert response.status_code == 401


# Signing in (ours and the admin's), choosing a language, the API's schema (no data), and the
# public lead intake with its privacy notice and thank-you page.
PUBLIC_ROUTES = [
    "accounts/login/",
    # /admin/login/ is not public: it sends everyone to the platform's sign-in (codes, throttle).
    "admin/logout/",
    "api/v1/openapi.json",
    "i18n/setlang/",
    "invest/",
    "invest/privacy/",
    "invest/submitted/",
]
