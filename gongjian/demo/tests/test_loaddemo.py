"""``gongjian loaddemo``: exact figures of the Quanzhou 2022 demo ledger, read off once and pinned.

The demo is loaded once for the package (``conftest.demo``) inside a transaction that is rolled
back at the end, so other packages never see it; each test runs in its own savepoint on top of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max, Min, Sum

from gongjian.accounts.models import Membership, User
from gongjian.audit.choices import AuditAction
from gongjian.audit.models import AuditEvent
from gongjian.demo.data import DEMO_TODAY
from gongjian.demo.generator import generate
from gongjian.dispatch.models import FactorRequest, Meeting, ProjectLink, Task
from gongjian.parks.models import Enterprise, Park
from gongjian.projects.models import Category, Problem, Project, StageEvent, Supervision
from gongjian.projects.services import QUANZHOU_BOUNDS, _stage_order_errors, derive_stage
from gongjian.regions.models import Region
from gongjian.reporting.models import ProgressReport, ReportingPeriod, ReportStatusChange

PROJECTS_PER_CATEGORY = {
    "key-construction": 1006,
    "investment-signed": 2213,
    "urban-quality": 752,
    "new-infrastructure": 96,
}
TOTAL_PROJECTS = 4067
REPORTING_UNITS = [
    "350502",
    "350503",
    "350504",
    "350505",
    "350521",
    "350524",
    "350525",
    "350526",
    "350581",
    "350582",
    "350583",
    "QZ-JKQ",
    "QZ-TZQ",
]
LOAD_MESSAGE = (
    "载入泉州 2022 演示数据：在建重点项目 1006 个、招商签约项目 2213 个、城建提品质项目 752 个、"
    "新基建新经济项目 96 个，共 4067 个项目；阶段记录 5323 条；演示账号 31 个。"
    "填报期 12 个，月度进展报告 15119 份。"
    "园区 61 个，企业 7105 家（其中规上工业企业 6450 家）。"
)


def _project_counts() -> dict[str, int]:
    return dict(Project.objects.values_list("category__code").annotate(n=Count("id")).order_by())


def _ledger_snapshot() -> list[tuple[str, Decimal, str]]:
    return list(Project.objects.order_by("code").values_list("code", "total_investment", "stage"))


def _event_snapshot() -> list[tuple[str, str, dt.date, str]]:
    return list(
        StageEvent.objects.order_by("project__code", "stage", "date").values_list(
            "project__code", "stage", "date", "note"
        )
    )


def _roster_snapshot() -> list[tuple]:
    parks = Park.objects.order_by("code").values_list(
        "code", "name", "region__code", "kind", "planned_area_mu", "is_standardised"
    )
    enterprises = Enterprise.objects.order_by("uscc").values_list(
        "uscc",
        "name",
        "region__code",
        "park__code",
        "is_above_scale",
        "above_scale_since",
        "entered_park_on",
        "industry_chain__code",
        "industrial_land_mu",
    )
    return [*parks, *enterprises]


def _report_snapshot() -> list[tuple]:
    reports = ProgressReport.objects.order_by("project__code", "period__month").values_list(
        "project__code", "period__month", "amount", "progress_text", "status", "version"
    )
    changes = ReportStatusChange.objects.order_by(
        "report__project__code", "report__period__month", "at"
    ).values_list("report__project__code", "to_status", "actor__username", "at", "reason")
    periods = ReportingPeriod.objects.order_by("month").values_list("month", "due_date", "state")
    return [*reports, *changes, *periods]


pytestmark = pytest.mark.django_db


# This test must run before the first test that asks for ``demo`` (this module is collected
# before test_reports.py): until then the ledger is empty.
def test_if_empty_loads_an_empty_ledger():
    assert not Project.objects.exists()
    call_command("loaddemo", "--if-empty", stdout=StringIO())
    assert _project_counts() == PROJECTS_PER_CATEGORY
    assert AuditEvent.objects.get(action=AuditAction.DEMO_LOADED).message == LOAD_MESSAGE


# --- what is loaded -------------------------------------------------------------------------


def test_projects_per_category(demo):
    assert _project_counts() == PROJECTS_PER_CATEGORY
    assert Project.objects.count() == TOTAL_PROJECTS


def test_summary_lists_counts_per_category(demo):
    lines = demo.splitlines()
    assert lines[0].startswith("泉州 2022 演示数据已载入（")
    assert lines[1:13] == [
        "  key-construction        1006  在建重点项目",
        "  investment-signed       2213  招商签约项目",
        "  urban-quality            752  城建提品质项目",
        "  new-infrastructure        96  新基建新经济项目",
        "  projects                4067  项目合计",
        "  stage events            5323  阶段记录",
        "    signed                2213  签约",
        "    landed                 754  落地",
        "    started               2080  开工",
        "    completed              244  竣工",
        "    operating               22  投产",
        "    suspended               10  停缓建",
    ]
    assert "  演示密码 / password: gongjian-demo" in lines


def test_signed_projects_of_20_yi_and_above(demo):
    signed = Project.objects.filter(category__code="investment-signed")
    assert signed.filter(total_investment__gte=200_000).count() == 112
    assert signed.aggregate(total=Sum("total_investment"))["total"] == Decimal("117423056.95")


def test_2022_starts_and_completions(demo):
    in_2022 = StageEvent.objects.confirmed().filter(date__year=2022)
    key = in_2022.filter(project__category__code="key-construction")
    assert key.filter(stage="started").count() == 170
    assert key.filter(stage="completed").count() == 101
    assert in_2022.filter(stage="started").count() == 911
    assert in_2022.filter(stage="completed").count() == 244
    assert in_2022.filter(stage="signed").count() == 2213


def test_key_projects_started_in_2021_or_2022(demo):
    starts = StageEvent.objects.confirmed().filter(
        project__category__code="key-construction", stage="started"
    )
    assert dict(starts.values_list("date__year").annotate(n=Count("id")).order_by()) == {
        2021: 836,
        2022: 170,
    }
    assert Project.objects.filter(category__code="key-construction", stage="suspended").count() == 8


def test_district_totals(demo):
    jinjiang = Project.objects.filter(region__code="350582")
    assert jinjiang.aggregate(total=Sum("total_investment"))["total"] == Decimal("42261336.18")
    assert jinjiang.filter(category__code="key-construction").aggregate(
        total=Sum("total_investment")
    )["total"] == Decimal("15872725.05")
    taishang_signed = Project.objects.filter(
        region__code="QZ-TZQ", category__code="investment-signed"
    )
    assert taishang_signed.aggregate(total=Sum("total_investment"))["total"] == Decimal(
        "16328740.17"
    )
    key_plan = Project.objects.filter(category__code="key-construction").aggregate(
        total=Sum("annual_plan")
    )
    assert key_plan["total"] == Decimal("16955118.25")


def test_districts_differ_in_pace(demo):
    """晋江 and 丰泽 start and finish a larger share of their key projects than 永春 and 德化."""
    key_events = StageEvent.objects.confirmed().filter(
        project__category__code="key-construction", date__year=2022
    )
    starts = dict(
        key_events.filter(stage="started")
        .values_list("project__region__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    completions = dict(
        key_events.filter(stage="completed")
        .values_list("project__region__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert starts == {
        "350502": 10,
        "350503": 15,
        "350504": 7,
        "350505": 11,
        "350521": 15,
        "350524": 12,
        "350525": 6,
        "350526": 5,
        "350581": 13,
        "350582": 34,
        "350583": 18,
        "QZ-JKQ": 7,
        "QZ-TZQ": 17,
    }
    assert completions == {
        "350502": 6,
        "350503": 9,
        "350504": 4,
        "350505": 6,
        "350521": 9,
        "350524": 7,
        "350525": 3,
        "350526": 3,
        "350581": 8,
        "350582": 20,
        "350583": 12,
        "QZ-JKQ": 4,
        "QZ-TZQ": 10,
    }


def test_only_the_13_reporting_units_have_projects(demo):
    regions = Project.objects.values_list("region__code", flat=True).order_by().distinct()
    assert sorted(regions) == REPORTING_UNITS
    assert not Project.objects.filter(region__code="350527").exists()
    for category in PROJECTS_PER_CATEGORY:
        in_category = Project.objects.filter(category__code=category)
        assert sorted(in_category.values_list("region__code", flat=True).order_by().distinct()) == (
            REPORTING_UNITS
        )


def test_urban_quality_areas(demo):
    urban = Project.objects.filter(category__code="urban-quality")
    areas: dict[str, int] = defaultdict(int)
    for description in urban.values_list("description", flat=True):
        match = re.match(r"【(.+?)】", description)
        assert match is not None, description
        areas[match[1]] += 1
    assert dict(areas) == {
        "东海核心区提质": 58,
        "古城提质": 86,
        "滨江片区": 64,
        "交通路网": 142,
        "城市更新/老旧小区改造": 146,
        "生态公园/绿道": 98,
        "市政管网": 91,
        "公共服务设施": 67,
    }
    assert set(
        urban.filter(description__startswith="【古城提质】").values_list("region__code", flat=True)
    ) == {"350502"}


# --- invariants the per-row services would have checked -------------------------------------


def test_every_stage_is_derived_from_its_events_in_order(demo):
    events: dict[int, list[StageEvent]] = defaultdict(list)
    for event in StageEvent.objects.confirmed():
        events[event.project_id].append(event)
    projects = list(Project.objects.all())
    assert len(projects) == TOTAL_PROJECTS
    for project in projects:
        own = events[project.pk]
        assert project.stage == derive_stage(own), project.code
        for event in own:
            others = [e for e in own if e is not event]
            assert _stage_order_errors(others, event.stage, event.date) == [], project.code
    stages = dict(Project.objects.values_list("stage").annotate(n=Count("id")).order_by())
    assert stages == {
        "planned": 112,
        "signed": 1459,
        "landed": 416,
        "started": 1826,
        "completed": 222,
        "operating": 22,
        "suspended": 10,
    }


def test_event_dates_are_2021_to_demo_today(demo):
    dates = StageEvent.objects.confirmed().aggregate(first=Min("date"), last=Max("date"))
    assert dates == {"first": dt.date(2021, 1, 1), "last": dt.date(2022, 11, 30)}
    assert dt.date(2022, 11, 30) == DEMO_TODAY
    signed = StageEvent.objects.confirmed().filter(stage="signed")
    assert (
        signed.count()
        == signed.filter(project__category__code="investment-signed", date__year=2022).count()
    )
    signed_per_month = dict(signed.values_list("date__month").annotate(n=Count("id")).order_by())
    assert sorted(signed_per_month) == list(range(1, 12))
    assert max(signed_per_month, key=lambda month: signed_per_month[month]) == 6


def test_amounts_and_coordinates(demo):
    for total, plan in Project.objects.values_list("total_investment", "annual_plan"):
        assert Decimal(0) <= plan <= total
        assert total == total.quantize(Decimal("0.01"))
    lng_min, lng_max = QUANZHOU_BOUNDS["lng"]
    lat_min, lat_max = QUANZHOU_BOUNDS["lat"]
    assert not Project.objects.filter(longitude__isnull=True).exists()
    assert (
        Project.objects.filter(
            longitude__gte=lng_min,
            longitude__lte=lng_max,
            latitude__gte=lat_min,
            latitude__lte=lat_max,
        ).count()
        == TOTAL_PROJECTS
    )
    bounds = Project.objects.aggregate(
        west=Min("longitude"), east=Max("longitude"), south=Min("latitude"), north=Max("latitude")
    )
    assert bounds == {
        "west": Decimal("117.970206"),
        "east": Decimal("118.944032"),
        "south": Decimal("24.700108"),
        "north": Decimal("25.588399"),
    }


def test_codes(demo):
    codes = list(Project.objects.values_list("category__code", "region__code", "code"))
    prefixes = {
        "key-construction": "ZD2022",
        "investment-signed": "ZS2022",
        "urban-quality": "CJ2022",
        "new-infrastructure": "XJ2022",
    }
    for category, region, code in codes:
        assert re.fullmatch(rf"{prefixes[category]}-{re.escape(region)}-\d{{4}}", code), code
    assert Project.objects.filter(code="ZD2022-350582-0001").exists()
    assert len({code for _, _, code in codes}) == TOTAL_PROJECTS


def test_the_load_is_audited(demo):
    event = AuditEvent.objects.get(action=AuditAction.DEMO_LOADED)
    assert event.actor is None
    assert event.actor_username == "loaddemo"
    assert event.message == LOAD_MESSAGE


def test_loaded_rows_are_dated_on_the_business_date(demo):
    """What the load stamps "now" (created, recorded, raised, published, audited) is on the
    business date it was loaded on (2022-12-02), not the real clock; the demo's own 2022 months
    stay as given."""
    from django.utils import timezone

    from gongjian.assessment.models import AssessmentResult
    from gongjian.demo.tests.conftest import BUSINESS_DATE
    from gongjian.plans.models import PlanChange

    day = BUSINESS_DATE

    def dates(values) -> set[dt.date]:
        return {timezone.localtime(value).date() for value in values if value is not None}

    assert dates(Project.objects.values_list("created_at", flat=True)) == {day}
    assert dates(Project.objects.values_list("updated_at", flat=True)) == {day}
    assert dates(PlanChange.objects.values_list("recorded_at", flat=True)) == {day}
    assert dates(AssessmentResult.objects.values_list("published_at", flat=True)) == {day}
    assert dates(AuditEvent.objects.values_list("at", flat=True)) == {day}
    latest_change = ReportStatusChange.objects.aggregate(latest=Max("at"))["latest"]
    assert timezone.localtime(latest_change).date() <= day
    assert max(dates(Problem.objects.values_list("raised_at", flat=True))) <= day


def test_official_text_carries_no_demo_note(demo):
    from gongjian.assessment.models import AssessmentResult, Rubric
    from gongjian.campaigns.models import Indicator, Target
    from gongjian.demo.campaign import DEMO_NOTES

    texts = [
        *Target.objects.values_list("source_sentence", flat=True),
        *Indicator.objects.values_list("description", flat=True),
        *AssessmentResult.objects.values_list("note", flat=True),
        *Rubric.objects.values_list("description", flat=True),
    ]
    assert [text for text in texts if "演示" in text] == []
    assert len(DEMO_NOTES) == 4


# --- demo users -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "display_name", "role", "region_code", "department_code"),
    [
        ("city_admin", "陈志强", "city_admin", "350500", None),
        ("city_reviewer", "林晓燕", "city_reviewer", "350500", None),
        ("leader", "王国栋", "leader", "350500", None),
        ("lichen_filer", "黄伟明", "district_filer", "350502", None),
        ("lichen_reviewer", "郑文斌", "district_reviewer", "350502", None),
        ("fengze_filer", "吴淑芬", "district_filer", "350503", None),
        ("jinjiang_filer", "许建华", "district_filer", "350582", None),
        ("taishang_filer", "蔡丽琴", "district_filer", "QZ-TZQ", None),
        ("zsj_officer", "刘佳慧", "department", "350500", "zsj"),
        ("security_admin", "何静", "security_admin", "350500", None),
    ],
)
def test_demo_user_logs_in_with_its_membership(
    demo, client, username, display_name, role, region_code, department_code
):
    assert client.login(username=username, password="gongjian-demo")
    user = User.objects.get(username=username)
    assert user.display_name == display_name
    assert user.is_staff is (username == "city_admin")
    assert not user.is_superuser
    memberships = list(
        Membership.objects.filter(user=user).values_list("role", "region__code", "department__code")
    )
    assert memberships == [(role, region_code, department_code)]


def test_city_admin_can_use_the_django_admin(demo, client):
    client.login(username="city_admin", password="gongjian-demo")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/regions/region/").status_code == 200
    assert client.get("/admin/accounts/membership/").status_code == 200


def test_filer_sees_only_own_district(demo):
    filer = User.objects.get(username="jinjiang_filer")
    visible = Project.objects.visible_to(filer)
    assert visible.count() == Project.objects.filter(region__code="350582").count() == 615


# --- options --------------------------------------------------------------------------------


def test_refuses_without_an_option_when_projects_exist(demo):
    before = _ledger_snapshot()
    with pytest.raises(CommandError) as refusal:
        call_command("loaddemo", stdout=StringIO())
    assert str(refusal.value) == (
        "台账中已有 4067 个项目，未载入演示数据；"
        "如需重新载入请使用 --reset，或使用 --if-empty 跳过。 / "
        "The ledger already holds 4067 projects; nothing was loaded. "
        "Use --reset to reload the demo data or --if-empty to skip."
    )
    assert _ledger_snapshot() == before
    assert AuditEvent.objects.filter(action=AuditAction.DEMO_LOADED).count() == 1


def test_if_empty_leaves_a_filled_ledger_alone(demo):
    out = StringIO()
    call_command("loaddemo", "--if-empty", stdout=out)
    assert out.getvalue() == (
        "台账中已有项目，未载入演示数据。 / "
        "Projects already exist; demo data not loaded (--if-empty).\n"
    )
    assert _project_counts() == PROJECTS_PER_CATEGORY
    # The ledger's confirmed events, and the dispatch demo's 6 pending and 2 rejected claims.
    assert StageEvent.objects.confirmed().count() == 5323
    assert StageEvent.objects.count() == 5331
    assert AuditEvent.objects.filter(action=AuditAction.DEMO_LOADED).count() == 1


def test_reset_reloads_identical_data_and_keeps_the_rest(demo):
    """Two loads give the same ledger and reports; projects, reports and users that are not demo
    data survive, and so does the reporting month that holds such a report."""
    ledger, events, reports = _ledger_snapshot(), _event_snapshot(), _report_snapshot()
    roster = _roster_snapshot()
    own = Project.objects.create(
        code="LC-2022-001",
        name="鲤城古城片区提升工程",
        region=Region.objects.get(code="350502"),
        category=Category.objects.get(code="urban-quality"),
        total_investment=Decimal("12000.50"),
    )
    november = ReportingPeriod.objects.get(month=dt.date(2022, 11, 1))
    own_report = ProgressReport.objects.create(project=own, period=november, amount=Decimal(12))
    someone = User.objects.create_user(username="someone", password="not-the-demo-password")
    # Someone's own park and enterprise stay; so does a demo park someone registered into.
    own_park = Park.objects.create(
        code="lc-own", name="鲤城区自建园区", region=own.region, kind="industrial_park"
    )
    own_enterprise = Enterprise.objects.create(
        uscc="91350502MA2Y0K9DXK", name="泉州自有企业有限公司", region=own.region, park=own_park
    )
    demo_park = Park.objects.get(code="YQ-350582-04")
    guest = Enterprise.objects.create(
        uscc="91350582MA2Y0K9DXF", name="晋江入驻企业有限公司", region=demo_park.region
    )
    guest.park = demo_park
    guest.save()
    Park.objects.filter(pk=demo_park.pk).update(name="改过名的园区")
    # Someone tried the demo: a problem and a 督办 on a demo project do not hold the reset up.
    demo_project = Project.objects.get(code="ZD2022-350582-0002")
    Problem.objects.create(project=demo_project, title="用地报批滞后", description="林地指标未落实")
    Supervision.objects.create(
        title="加快项目用地报批",
        content="请晋江市于月底前落实林地指标",
        target_region=demo_project.region,
        project=demo_project,
        due_date=dt.date(2022, 12, 31),
    )
    out = StringIO()
    call_command("loaddemo", "--reset", stdout=out)
    assert out.getvalue().startswith(
        "已清除原演示项目 4067 个 / removed 4067 earlier demo projects\n"
    )
    assert Project.objects.filter(pk=own.pk).exists()
    assert ProgressReport.objects.filter(pk=own_report.pk).exists()
    assert ReportingPeriod.objects.get(month=dt.date(2022, 11, 1)).pk == november.pk
    assert User.objects.filter(pk=someone.pk).exists()
    # The only problems left are the reloaded demo's 要素保障 requests.
    assert not Problem.objects.exclude(pk__in=FactorRequest.objects.values("problem")).exists()
    assert FactorRequest.objects.count() == 36
    assert not Supervision.objects.exists()
    assert Enterprise.objects.filter(pk__in=[own_enterprise.pk, guest.pk]).count() == 2
    assert Park.objects.get(pk=own_park.pk).name == "鲤城区自建园区"
    # Kept for its guest, and put back as the demo has it.
    assert Park.objects.get(pk=demo_park.pk).name == "晋江市陈埭鞋业工业区"
    own_report.delete()
    own.delete()
    Enterprise.objects.filter(pk__in=[own_enterprise.pk, guest.pk]).delete()
    own_park.delete()
    assert _ledger_snapshot() == ledger
    assert _event_snapshot() == events
    assert _report_snapshot() == reports
    assert _roster_snapshot() == roster
    assert User.objects.filter(username__in=["city_admin", "zsj_officer"]).count() == 2
    latest = AuditEvent.objects.filter(action=AuditAction.DEMO_LOADED).first()
    assert latest is not None
    assert latest.message == f"{LOAD_MESSAGE}载入前已清除原演示项目 4067 个。"


def test_refused_in_production(demo, settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError) as refusal:
        call_command("loaddemo", "--reset", stdout=StringIO())
    assert str(refusal.value) == (
        "演示数据只能在 GONGJIAN_ENV=demo 或 test 下载入。 / "
        "Demo data loads only with GONGJIAN_ENV=demo or test."
    )
    assert Project.objects.count() == TOTAL_PROJECTS


# --- determinism across machines ------------------------------------------------------------


def test_generator_output_is_pinned():
    """Every field and event of every project, hashed: any drift in the demo shows here."""
    digest = hashlib.sha256()
    for spec in generate():
        fields = [
            spec.code,
            spec.name,
            spec.region_code,
            spec.category_code,
            spec.industry_chain_code,
            spec.owner_enterprise,
            spec.responsible_unit,
            str(spec.total_investment),
            str(spec.annual_plan),
            str(spec.longitude),
            str(spec.latitude),
            spec.description,
            *(f"{e.stage!s}@{e.date.isoformat()}:{e.note}" for e in spec.events),
        ]
        digest.update("\x1f".join(fields).encode() + b"\x1e")
    assert digest.hexdigest() == "57f727ed16bc7f2aa46d8d37a565cdead93ad25c9640b5ebe73f194c3f5f0047"


def test_dispatch_demo_has_agenda_items_of_every_kind_and_claims_to_review(demo):
    """Milestones, 要素保障 requests, 挂钩领导, stage claims and the Oct/Nov meetings: the
    November agenda has items of every kind."""
    out = StringIO()
    call_command("dispatch-agenda", "--period", "2022-11", "--format", "json", stdout=out)
    kinds = {item["kind"] for item in json.loads(out.getvalue())["items"]}
    assert kinds == {
        "open_task",
        "red_project",
        "overdue_milestone",
        "factor_request",
        "lagging_region",
    }
    claims = dict(
        StageEvent.objects.exclude(status="confirmed")
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert claims == {"pending": 6, "rejected": 2}
    assert FactorRequest.objects.count() == 36
    assert set(FactorRequest.objects.values_list("factor_type__code", flat=True)) == {
        "land",
        "forest",
        "sea",
        "funds",
        "energy",
        "environment",
        "power",
        "labour",
        "other",
    }
    assert ProjectLink.objects.filter(role="leader", user__username="leader").exists()
    meetings = Meeting.objects.order_by("period")
    assert [(m.period, m.status, m.tasks.count()) for m in meetings] == [
        (dt.date(2022, 10, 1), "held", 6),
        (dt.date(2022, 11, 1), "held", 6),
    ]
    assert Task.objects.filter(meeting__period=dt.date(2022, 10, 1), status="closed").count() == 3
