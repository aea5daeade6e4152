"""The permission matrix: every URL pattern and API operation × every role × method.

``compute_matrix()`` builds a small world (personas of every role, and one object of each kind
in the district filer's district 鲤城 and in another district 丰泽), walks ``get_resolver()``,
fills each pattern's path parameters with those objects, and records how each role is answered
for GET and POST (and each API operation's own methods). The answer is a status class, not a code:
``2xx``, ``3xx`` (a redirect elsewhere than the login page), ``login`` (redirect to a login page),
``401``, ``403``, ``404``, ``405``, ``400``, ``422``, ``5xx``; with ``+write`` when the request
recorded a write in the audit log (POSTs are sent with an empty body, so a write means a change
went through without any input).

The checked-in expectation table ``permission_matrix.csv`` was generated once with::

    .venv/bin/python -m gongjian.tests.permission_matrix --write

and reviewed against the role model in DESIGN.md; test_permission_matrix.py fails on any cell that
differs from it. Every request runs inside a rolled-back transaction so an accepted POST changes
nothing for the next cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from dataclasses import dataclass
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

# Audit actions that mean a request changed data (a refusal, a sign-in or an export does not).
WRITE_ACTIONS = (
    "create",
    "update",
    "delete",
    "stage",
    "import",
    "role_granted",
    "role_revoked",
    "password_reset",
)
TABLE = Path(__file__).with_name("permission_matrix.csv")
FIELDS = ["route", "variant", "role", "method", "outcome"]

ROLES = [
    "anonymous",
    "city_admin",
    "city_reviewer",
    "leader",
    "district_filer",
    "district_reviewer",
    "department",
    "security_admin",
]
# Personas: (username, role, region code); the district roles hold 鲤城区 350502.
PERSONAS = {
    "city_admin": ("pm_city_admin", "city_admin", "350500"),
    "city_reviewer": ("pm_city_reviewer", "city_reviewer", "350500"),
    "leader": ("pm_leader", "leader", "350500"),
    "district_filer": ("pm_lichen_filer", "district_filer", "350502"),
    "district_reviewer": ("pm_lichen_reviewer", "district_reviewer", "350502"),
    "department": ("pm_zsj_officer", "department", "350500"),
    "security_admin": ("pm_security_admin", "security_admin", "350500"),
}
OWN, OTHER = "350502", "350503"
VARIANT_NAMES = {OWN: "own-district", OTHER: "other-district"}

# Objects the fixture does not build yet are addressed by a primary key that does not exist; such
# cells check only that nobody gets further than a 404 (see MISSING in the final report).
MISSING_PK = 999999

# Which object fills which path parameter, by URL name (namespace:name) then parameter name.
# Keys in REGIONAL are built once per district and give the pattern two variants.
REGIONAL = {
    "project",
    "report",
    "problem",
    "supervision",
    "park",
    "lead",
    "resource",
    "region",
    "stage_event",
    "milestone",
    "link",
    "meeting",
    "agenda_item",
    "task",
}
PARAMS: dict[str, dict[str, str]] = {
    "dashboard_region": {"code": "region"},
    "accounts:session_end": {"pk": "missing"},
    "accounts:user_detail": {"pk": "subject_user"},
    "accounts:membership_revoke": {"pk": "subject_user", "membership_pk": "subject_membership"},
    "accounts:password_reset": {"pk": "subject_user"},
    "accounts:user_unlock": {"pk": "subject_user"},
    "accounts:user_set_active": {"pk": "subject_user"},
    "projects:detail": {"pk": "project"},
    "plans:plan_adjust": {"pk": "project"},
    "projects:edit": {"pk": "project"},
    "projects:record_stage": {"pk": "project"},
    "projects:problem_raise": {"pk": "project"},
    "projects:problem_detail": {"pk": "problem"},
    "projects:problem_assign": {"pk": "problem"},
    "projects:problem_status": {"pk": "problem"},
    "projects:supervision_detail": {"pk": "supervision"},
    "projects:supervision_respond": {"pk": "supervision"},
    "projects:supervision_close": {"pk": "supervision"},
    "reporting:row": {"period_pk": "period", "project_pk": "project"},
    "reporting:detail": {"pk": "report"},
    "reporting:review_action": {"pk": "report"},
    "reporting:photo_upload": {"pk": "report"},
    "reporting:photo": {"pk": "missing"},
    "reporting:period_state": {"pk": "period"},
    "reporting:import_detail": {"pk": "missing"},
    "reporting:import_progress": {"pk": "missing"},
    "reporting:import_annotated": {"pk": "missing"},
    "reporting:import_run_now": {"pk": "missing"},
    "assessment:rubric": {"pk": "missing"},
    "assessment:rubric_item_add": {"pk": "missing"},
    "assessment:rubric_publish": {"pk": "missing"},
    "assessment:item_edit": {"pk": "missing"},
    "assessment:item_remove": {"pk": "missing"},
    "assessment:result": {"pk": "missing"},
    "assessment:result_export": {"pk": "missing"},
    "assessment:breakdown": {"pk": "missing", "region": "region"},
    "assessment:campaign": {"code": "campaign"},
    "assessment:preview": {"code": "campaign"},
    "assessment:publish": {"code": "campaign"},
    "bulletins:detail": {"pk": "bulletin"},
    "bulletins:progress": {"pk": "bulletin"},
    "bulletins:download": {"pk": "bulletin"},
    "bulletins:publish": {"pk": "bulletin"},
    "bulletins:generate": {"pk": "bulletin"},
    "bulletins:template_download": {"kind": "docx_template_kind"},
    "bulletins:template_reset": {"kind": "docx_template_kind"},
    "campaigns:indicator_edit": {"indicator_code": "indicator"},
    "campaigns:detail": {"code": "campaign"},
    "campaigns:edit": {"code": "campaign"},
    "campaigns:action_create": {"code": "campaign"},
    "campaigns:action_edit": {"code": "campaign", "action_code": "action"},
    "campaigns:member_add": {"code": "campaign", "action_code": "action"},
    "campaigns:member_remove": {"code": "campaign", "action_code": "action", "pk": "member"},
    "campaigns:target_create": {"code": "campaign"},
    "campaigns:target_detail": {"code": "campaign", "pk": "target"},
    "campaigns:target_edit": {"code": "campaign", "pk": "target"},
    "campaigns:target_delete": {"code": "campaign", "pk": "target"},
    "campaigns:target_allocate": {"code": "campaign", "pk": "target"},
    "parks:detail": {"pk": "park"},
    "notifications:open": {"pk": "notification"},
    "notifications:read": {"pk": "notification"},
    "investment:lead_detail": {"pk": "lead"},
    "investment:lead_stage": {"pk": "lead"},
    "investment:lead_follow_up": {"pk": "lead"},
    "investment:lead_assign": {"pk": "lead"},
    "investment:lead_reveal": {"pk": "lead"},
    "investment:lead_propose": {"pk": "lead"},
    "investment:proposal_outcome": {"pk": "lead", "proposal_pk": "missing"},
    "investment:resource_detail": {"pk": "resource"},
    "api-v1:get_project": {"project_id": "project"},
    "api-v1:record_stage_event": {"project_id": "project"},
    "api-v1:confirm_stage_event": {"event_id": "stage_event"},
    "api-v1:reject_stage_event": {"event_id": "stage_event"},
    "projects:stage_confirm": {"pk": "stage_event"},
    "projects:stage_reject": {"pk": "stage_event"},
    "projects:stage_evidence": {"pk": "stage_event"},
    "dispatch:meeting_detail": {"pk": "meeting"},
    "dispatch:agenda_add": {"pk": "meeting"},
    "dispatch:agenda_regenerate": {"pk": "meeting"},
    "dispatch:task_add": {"pk": "meeting"},
    "dispatch:meeting_hold": {"pk": "meeting"},
    "dispatch:minutes_docx": {"pk": "meeting"},
    "dispatch:minutes_pdf": {"pk": "meeting"},
    "dispatch:agenda_edit": {"pk": "agenda_item"},
    "dispatch:agenda_delete": {"pk": "agenda_item"},
    "dispatch:task_detail": {"pk": "task"},
    "dispatch:task_report": {"pk": "task"},
    "dispatch:task_close": {"pk": "task"},
    "dispatch:task_reopen": {"pk": "task"},
    "dispatch:factor_new": {"pk": "project"},
    "dispatch:milestones": {"pk": "project"},
    "dispatch:template": {"pk": "project"},
    "dispatch:link_add": {"pk": "project"},
    "dispatch:milestone_evidence": {"pk": "milestone"},
    "dispatch:link_end": {"pk": "link"},
    "api-v1:get_period": {"month": "period_month"},
    "api-v1:get_report": {"report_id": "report"},
    "api-v1:update_report": {"report_id": "report"},
    "api-v1:patch_report": {"report_id": "report"},
    "api-v1:submit_report": {"report_id": "report"},
    "api-v1:approve_report": {"report_id": "report"},
    "api-v1:return_report": {"report_id": "report"},
    "api-v1:get_progress": {"code": "campaign"},
    "api-v1:get_lead": {"lead_id": "lead"},
    "api-v1:move_stage": {"lead_id": "lead"},
    "api-v1:convert": {"lead_id": "lead"},
}
# Django admin: nobody in the role model is staff, so every admin page must send everyone to the
# admin login; parameters only need to resolve.
ADMIN_PARAMS = {
    "app_label": "projects",
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
}


@dataclass(frozen=True)
class Route:
    """One URL to request: its pattern, which objects fill it, and the methods to try."""

    route: str
    name: str
    variant: str
    path: str
    methods: tuple[str, ...]
    is_api: bool


def _walk(resolver, prefix: str = "", namespace: str | None = None):
    from django.urls import URLResolver

    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            full_ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), full_ns)
        else:
            name = pattern.name
            if name is not None and namespace:
                name = f"{namespace}:{name}"
            yield prefix + str(pattern.pattern), name, pattern


def _api_methods(pattern) -> set[str]:
    view = pattern.callback
    path_view = getattr(view, "__self__", None)
    operations = getattr(path_view, "operations", [])
    return {method for op in operations for method in op.methods}


def _build_world() -> dict[str, Any]:
    """Personas and the objects the URL parameters point at."""
    from gongjian.accounts.models import Department
    from gongjian.accounts.services import api_token_create
    from gongjian.bulletins.models import Bulletin
    from gongjian.dispatch.models import (
        AgendaItem,
        Meeting,
        MilestoneType,
        ProjectLink,
        ProjectMilestone,
        Task,
    )
    from gongjian.investment.models import Lead, Resource
    from gongjian.investment.services import LeadInput, lead_submit
    from gongjian.notifications.models import Notification
    from gongjian.regions.models import Region
    from gongjian.tests import factories as f

    users: dict[str, Any] = {}
    tokens: dict[str, str] = {}
    for role, (username, role_code, region_code) in PERSONAS.items():
        user = f.UserFactory.create(username=username)
        membership = f.MembershipFactory.create(
            user=user, role=role_code, region=Region.objects.get(code=region_code)
        )
        if role == "department":
            membership.department = Department.objects.get(code="zsj")
            membership.save()
        users[role] = user
        tokens[role] = api_token_create(user=user, name="matrix")[1]

    period = f.ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))
    campaign = f.CampaignFactory.create()
    indicator = f.IndicatorFactory.create()
    action = f.SpecialActionFactory.create(campaign=campaign)
    values: dict[str, Any] = {
        "subject_user": users["district_filer"].pk,
        "subject_membership": users["district_filer"].memberships.get().pk,
        "period": period.pk,
        "period_month": "2022-11",
        "campaign": campaign.code,
        "indicator": indicator.code,
        "action": action.code,
        "member": f.LeadingGroupMemberFactory.create(action=action).pk,
        "target": f.TargetFactory.create(campaign=campaign, indicator=indicator).pk,
        "bulletin": Bulletin.objects.create(
            campaign=campaign,
            month=dt.date(2022, 11, 1),
            issue_number=11,
            format="pdf",
            created_by=users["city_admin"],
        ).pk,
        "docx_template_kind": "bulletin",
        "notification": Notification.objects.create(
            recipient=users["district_filer"], kind="report_reminder", title="填报提醒"
        ).pk,
        "missing": MISSING_PK,
    }
    regional: dict[str, dict[str, Any]] = {}
    for number, code in enumerate((OWN, OTHER), start=1):
        region = Region.objects.get(code=code)
        project = f.ProjectFactory.create(region=region)
        park = f.ParkFactory.create(region=region)
        lead = lead_submit(
            data=LeadInput(
                company=f"泉州矩阵测试{number}有限公司",
                contact_name="王明",
                mobile=f"1380013800{number}",
                need="rent_factory",
                uscc=f.make_uscc(900 + number, code),
                use="生产线",
                industry_chain_code="machinery",
                area=Decimal("1000"),
                area_unit="m2",
                expected_annual_tax=Decimal("100"),
                planned_investment=Decimal("5000"),
                preferred_region_codes=[code],
                message="",
                consent=True,
            ),
            ip=f"203.0.113.{number}",
        )
        Lead.objects.filter(pk=lead.pk).update(region=region)
        meeting = Meeting.objects.create(
            title=f"矩阵测试调度会{number}",
            period=dt.date(2022, 11, 1),
            region=region,
            held_on=dt.date(2022, 12, 1),
            chair="主持人",
            status="held",
            summary="纪要",
        )
        regional[code] = {
            "region": code,
            "project": project.pk,
            "report": f.ProgressReportFactory.create(project=project, period=period).pk,
            "problem": f.ProblemFactory.create(
                project=project, raised_by=users["district_filer"]
            ).pk,
            "supervision": f.SupervisionFactory.create(
                target_region=region, issued_by=users["city_reviewer"]
            ).pk,
            "park": park.pk,
            "lead": lead.pk,
            "resource": Resource.objects.create(
                code=f"matrix-{number}",
                name=f"矩阵测试厂房{number}",
                kind="factory",
                region=region,
                park=park,
                area_m2=Decimal("2000"),
                available_from=dt.date(2022, 12, 1),
            ).pk,
            "stage_event": f.StageEventFactory.create(
                project=project,
                stage="signed",
                date=dt.date(2022, 4, 8),
                status="pending",
                actor=users["district_filer"],
            ).pk,
            "milestone": ProjectMilestone.objects.create(
                project=project,
                milestone_type=MilestoneType.objects.get(code="approval"),
                planned_date=dt.date(2022, 10, 1),
            ).pk,
            "link": ProjectLink.objects.create(
                project=project,
                role="guarantor",
                name="包保人",
                start_date=dt.date(2022, 1, 1),
            ).pk,
            "meeting": meeting.pk,
            "agenda_item": AgendaItem.objects.create(
                meeting=meeting, position=1, kind="other", title="议题"
            ).pk,
            "task": Task.objects.create(
                meeting=meeting,
                number=1,
                text="交办",
                owner_region=region,
                due_date=dt.date(2022, 12, 15),
            ).pk,
        }
    return {"users": users, "tokens": tokens, "values": values, "regional": regional}


def routes(world: dict[str, Any]) -> list[Route]:
    """Every URL pattern and API operation, filled with the world's objects."""
    from django.urls import get_resolver, reverse

    found: dict[tuple[str, str], Route] = {}
    unmapped: list[str] = []
    api_methods: dict[str, set[str]] = {}
    for route, name, pattern in _walk(get_resolver()):
        if name is None:
            continue  # the admin's catch-all; its named pages are covered
        is_api = route.startswith("api/v1/")
        if is_api:
            api_methods.setdefault(route, set()).update(_api_methods(pattern))
        params = list(pattern.pattern.converters) or list(pattern.pattern.regex.groupindex)
        positional = pattern.pattern.regex.groups - len(pattern.pattern.regex.groupindex)
        if name.startswith("admin:"):
            variants = {"-": {p: ADMIN_PARAMS[p] for p in params}}
        elif params:
            mapping = PARAMS.get(name)
            if mapping is None or set(mapping) != set(params):
                unmapped.append(f"{name} {route}")
                continue
            if set(mapping.values()) & REGIONAL:
                variants = {
                    VARIANT_NAMES[code]: {
                        p: world["regional"][code].get(key, world["values"].get(key))
                        for p, key in mapping.items()
                    }
                    for code in (OWN, OTHER)
                }
            else:
                variants = {"-": {p: world["values"][key] for p, key in mapping.items()}}
        else:
            variants = {"-": {}}
        for variant, kwargs in variants.items():
            if positional:  # admin pages with unnamed groups
                path = reverse(name, args=["1"] * positional)
            else:
                path = reverse(name, kwargs=kwargs)
            found.setdefault(
                (route, variant), Route(route, name, variant, path, ("GET", "POST"), is_api)
            )
    if unmapped:
        raise LookupError(
            "URL patterns with parameters the matrix does not know how to fill; add them to "
            "PARAMS in gongjian/tests/permission_matrix.py: " + ", ".join(unmapped)
        )
    result = []
    for (route, _variant), item in sorted(found.items()):
        if item.is_api:
            methods = tuple(sorted({"GET", "POST"} | api_methods.get(route, set())))
            item = Route(item.route, item.name, item.variant, item.path, methods, True)
        result.append(item)
    return result


def classify(response) -> str:
    from django.conf import settings
    from django.shortcuts import resolve_url

    code = response.status_code
    if 200 <= code < 300:
        return "2xx"
    if 300 <= code < 400:
        location = response.headers.get("Location", "")
        login_pages = (resolve_url(settings.LOGIN_URL), "/admin/login/")
        return "login" if location.split("?")[0] in login_pages else "3xx"
    if code >= 500:
        return "5xx"
    return str(code)


def _client(world: dict[str, Any], role: str, *, api: bool, csrf: bool = False):
    from django.test import Client

    client = Client(enforce_csrf_checks=csrf, raise_request_exception=False)
    if role == "anonymous":
        return client
    if api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world['tokens'][role]}"
    else:
        client.force_login(world["users"][role])
    return client


def _writes():
    from gongjian.audit.models import AuditEvent

    return AuditEvent.objects.filter(action__in=WRITE_ACTIONS).count()


def _request(client, method: str, path: str):
    """One request whose writes are undone, with the client's cookies as they were before.

    ``response.wrote`` says whether the request recorded a write in the audit log (every write
    service does), which tells a form that was merely redisplayed from a change that went
    through."""
    from django.db import transaction

    cookies = SimpleCookie()
    cookies.load(client.cookies.output(header="", sep=";"))
    with transaction.atomic():
        before = _writes()
        if method == "POST" and not path.startswith("/api/"):
            response = client.post(path, {})
        elif method in {"POST", "PUT", "PATCH"}:
            response = client.generic(method, path, b"{}", content_type="application/json")
        else:
            response = client.generic(method, path)
        response.wrote = _writes() > before
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def compute_matrix(world: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """The observed table; the caller provides a database (the test's, or a fresh test DB)."""
    world = world or _build_world()
    items = routes(world)
    clients = {
        (role, api): _client(world, role, api=api) for role in ROLES for api in (False, True)
    }
    rows = []
    for item in items:
        for role in ROLES:
            client = clients[(role, item.is_api)]
            for method in item.methods:
                response = _request(client, method, item.path)
                rows.append(
                    {
                        "route": item.route,
                        "variant": item.variant,
                        "role": role,
                        "method": method,
                        "outcome": classify(response) + ("+write" if response.wrote else ""),
                    }
                )
    return rows


def csrf_failures(world: dict[str, Any], roles: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """Web (session) endpoints that accept a POST without a CSRF token: (route, role, status)."""
    items = [item for item in routes(world) if not item.is_api]
    failures = []
    for role in roles:
        client = _client(world, role, api=False, csrf=True)
        for item in items:
            response = _request(client, "POST", item.path)
            if response.status_code != 403:
                failures.append((item.route, role, response.status_code))
    return failures


def read_table(path: Path = TABLE) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_table(rows: list[dict[str, str]], path: Path = TABLE) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str]) -> int:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, serialize=False)
    rows = compute_matrix()
    if "--write" in argv:
        write_table(rows)
        print(f"wrote {len(rows)} cells to {TABLE}")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
