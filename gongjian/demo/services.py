"""Loading and removing the Quanzhou 2022 demo data.

These writes bypass the per-row ledger and reporting services on purpose: thousands of
``project_create`` and ``project_record_stage`` calls, and tens of thousands of report saves and
transitions, would take minutes. What those services check (codes, amounts, coordinates, stage
order, the report validation rules, the review workflow) the generators guarantee, and the demo's
tests hold them to that. The load still leaves a trail: a status-change row per review step, and one
audit event for the whole load. The parks and the enterprise roster
go in the same way, past ``enterprise_create`` and its checks, which their tests hold them to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import connection, models, transaction
from django.db.models import Count, ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import Department, Membership, User
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_record
from gongjian.campaigns.rollup import rollup_rebuild
from gongjian.core import periods
from gongjian.demo.assessment import demo_assessment_load, demo_assessment_remove
from gongjian.demo.campaign import demo_campaign_load, demo_campaign_reset
from gongjian.demo.data import (
    CITY_ADMIN_ADMIN_PERMISSIONS,
    CODE_PREFIXES,
    DEMO_PASSWORD,
    DEMO_USERS,
    DISTRICT_STAFF,
    EMPTY_OPEN_MONTH,
    REPORTED_MONTHS,
)
from gongjian.demo.dispatch import demo_dispatch_load, demo_dispatch_remove
from gongjian.demo.generator import ProjectSpec, generate
from gongjian.demo.investment import demo_investment_load, demo_investment_remove
from gongjian.demo.parks import EnterpriseSpec, ParkSpec, generate_parks
from gongjian.demo.plans import demo_plans_load
from gongjian.demo.reports import ReportSpec, generate_reports, reporting_periods
from gongjian.parks.models import Enterprise, EnterpriseSpell, Park
from gongjian.projects.choices import RECORDABLE_STAGES, Stage
from gongjian.projects.models import (
    Category,
    IndustryChain,
    Problem,
    Project,
    ProjectQuerySet,
    StageEvent,
    Supervision,
)
from gongjian.projects.services import derive_stage
from gongjian.regions.models import Region
from gongjian.reporting.choices import ReportStatus
from gongjian.reporting.models import (
    ProgressReport,
    ReportingPeriod,
    ReportPhoto,
    ReportStatusChange,
)

DEMO_USERNAMES: tuple[str, ...] = tuple(user.username for user in (*DEMO_USERS, *DISTRICT_STAFF))
DEMO_MONTHS: tuple[dt.date, ...] = (*REPORTED_MONTHS, EMPTY_OPEN_MONTH)
_BATCH_SIZE = 500


class DemoLoadRefused(Exception):
    """The demo data may not be loaded here (production, or a ledger that is not empty)."""


@dataclass(frozen=True)
class DemoSummary:
    """What a load wrote: projects per category, stage events per stage, reporting periods,
    reports per status, users, and what it removed."""

    projects_by_category: tuple[tuple[str, str, int], ...]  # (code, name, count)
    events_by_stage: tuple[tuple[str, str, int], ...]  # (stage, label, count)
    period_count: int
    reports_by_status: tuple[tuple[str, str, int], ...]  # (status, label, count)
    status_change_count: int
    park_count: int
    enterprise_count: int
    above_scale_count: int  # of the enterprises, above-scale industrial ones on the demo date
    user_count: int
    removed_project_count: int

    @property
    def project_count(self) -> int:
        return sum(count for _code, _name, count in self.projects_by_category)

    @property
    def event_count(self) -> int:
        return sum(count for _stage, _label, count in self.events_by_stage)

    @property
    def report_count(self) -> int:
        return sum(count for _status, _label, count in self.reports_by_status)

    def describe(self) -> str:
        """One line in Chinese for the audit log."""
        categories = "、".join(
            _("%(name)s %(count)s 个") % {"name": name, "count": count}
            for _code, name, count in self.projects_by_category
        )
        text = _("载入泉州 2022 演示数据：%(categories)s，共 %(projects)s 个项目；") % {
            "categories": categories,
            "projects": self.project_count,
        } + _("阶段记录 %(events)s 条；演示账号 %(users)s 个。") % {
            "events": self.event_count,
            "users": self.user_count,
        }
        text += _("填报期 %(periods)s 个，月度进展报告 %(reports)s 份。") % {
            "periods": self.period_count,
            "reports": self.report_count,
        }
        text += _(
            "园区 %(parks)s 个，企业 %(enterprises)s 家（其中规上工业企业 %(above)s 家）。"
        ) % {
            "parks": self.park_count,
            "enterprises": self.enterprise_count,
            "above": self.above_scale_count,
        }
        if self.removed_project_count:
            text += _("载入前已清除原演示项目 %(count)s 个。") % {
                "count": self.removed_project_count
            }
        return text


def demo_projects() -> ProjectQuerySet:
    """The projects the demo loader made, told apart by their code prefixes (ZD2022-, ZS2022-…)."""
    query = reduce(or_, (Q(code__startswith=f"{p}-") for p in CODE_PREFIXES.values()))
    return Project.objects.filter(query)


def demo_reset() -> int:
    """Delete the demo projects (with their stage events, monthly reports, problems and 督办),
    the demo's reporting months, parks and enterprises, the seed campaign xmgj2022 and the demo
    users; return how many projects went. Other projects, enterprises and users are left alone,
    and so is a month that still holds someone else's reports or a park that holds someone else's
    enterprise."""
    demo_dispatch_remove(demo_projects())
    demo_investment_remove()
    demo_assessment_remove()
    demo_campaign_reset()
    _remove_parks(*generate_parks())
    projects = demo_projects()
    # Problems and 督办 raised on demo projects while the demo was in use go with them.
    Problem.objects.filter(project__in=projects).delete()
    Supervision.objects.filter(project__in=projects).delete()
    reports = ProgressReport.objects.filter(project__in=projects)
    ReportStatusChange.objects.filter(report__in=reports).delete()
    ReportPhoto.objects.filter(report__in=reports).delete()
    reports.delete()
    # A month that someone else's reports (or uploads) still hold stays.
    for period in ReportingPeriod.objects.filter(month__in=DEMO_MONTHS):
        with suppress(ProtectedError):
            period.delete()
    StageEvent.objects.filter(project__in=projects).delete()
    removed = projects.count()
    projects.delete()
    User.objects.filter(username__in=DEMO_USERNAMES).delete()
    return removed


def demo_load(*, reset: bool = False) -> DemoSummary:
    """Load the demo users, projects, stage events and monthly reporting in one transaction, and
    audit the load.

    Refused in production, and, unless ``reset`` first removes the old demo data, when the
    ledger already holds any project. The monthly reports follow the categories' current
    "按月填报" setting, as ``reporting.selectors.projects_due`` does.
    """
    if settings.IS_PRODUCTION:
        raise DemoLoadRefused(
            "演示数据只能在 GONGJIAN_ENV=demo 或 test 下载入。 / "
            "Demo data loads only with GONGJIAN_ENV=demo or test."
        )
    with transaction.atomic(), _dated_on_business_day():
        removed = demo_reset() if reset else 0
        existing = Project.objects.count()
        if existing and not reset:
            raise DemoLoadRefused(
                f"台账中已有 {existing} 个项目，未载入演示数据；"
                "如需重新载入请使用 --reset，或使用 --if-empty 跳过。 / "
                f"The ledger already holds {existing} projects; nothing was loaded. "
                "Use --reset to reload the demo data or --if-empty to skip."
            )
        users = _load_users()
        parks, enterprises = generate_parks()
        # A roster left behind without its projects would collide on the credit codes.
        _remove_parks(parks, enterprises)
        _load_parks(parks, enterprises)
        projects = generate()
        project_ids = _load_projects(projects)
        monthly = Category.objects.filter(requires_monthly_report=True).values_list(
            "code", flat=True
        )
        _load_reporting(
            generate_reports(projects, monthly_categories=list(monthly)),
            project_ids=project_ids,
            user_ids={username: user.pk for username, user in users.items()},
        )
        demo_plans_load()
        demo_campaign_load()
        # The reports and stage events went in by bulk_create, which bypasses the signals that
        # keep the indicators' monthly cells current: build them from the rows once.
        rollup_rebuild()
        # Investment leads (some converted into the demo's signed projects) and the published
        # 2022-11 assessment under the default rubric, both through their services.
        demo_investment_load()
        demo_assessment_load()
        # Milestones, 要素保障 requests, 挂钩领导, stage claims and the Oct/Nov dispatch meetings.
        demo_dispatch_load()
        _refresh_planner_statistics(
            Project,
            StageEvent,
            ReportingPeriod,
            ProgressReport,
            ReportStatusChange,
            Park,
            Enterprise,
        )
        summary = _summarise(
            user_count=len(users),
            removed=removed,
            park_count=len(parks),
            enterprises=enterprises,
        )
        audit_record(
            actor=None,
            action=AuditAction.DEMO_LOADED,
            username="loaddemo",
            message=summary.describe(),
        )
    return summary


# The apps whose rows the demo loads, dated again after the load. Accounts are left alone (a
# password's or a lockout's time is a security fact of the real clock, password expiry reads
# it); assessment rows are immutable once published and are dated as they are written.
_DATED_APPS = (
    "projects",
    "reporting",
    "plans",
    "parks",
    "campaigns",
    "investment",
    "dispatch",
    "bulletins",
    "notifications",
)


def _stamped_fields() -> list[models.DateTimeField]:
    """The columns stamped "now" on insert: auto_now(_add), or a timezone.now default."""
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateTimeField)
        and (field.auto_now or field.auto_now_add or field.default is timezone.now)
    ]


@contextmanager
def _dated_on_business_day() -> Iterator[None]:
    """Date what the load writes on the business date, not the real clock.

    The business date is ``core.periods.today`` (``GONGJIAN_TODAY``, 2022-12-02 for ``make
    demo``; the real date when none is pinned), the moment ``core.periods.now``. While the load
    runs, every column stamped "now" on insert takes that moment (the append-only audit table
    and published assessment rows refuse a later UPDATE; services date business events by
    ``periods.now`` themselves). Rows a service stamped with the real clock are moved to that
    moment at the end (one UPDATE per column of the apps the demo loads). Timestamps the demo
    gives explicitly (its 2022 months) are older than the load and stay as given."""
    started = timezone.now()
    fields = [(f, f.auto_now, f.auto_now_add, f.default) for f in _stamped_fields()]
    for field, *_saved in fields:
        field.auto_now = field.auto_now_add = False
        field.default = periods.now
        field.__dict__.pop("_get_default", None)  # Django caches the default's callable
    try:
        yield
        moment = periods.now()
        for app_label in _DATED_APPS:
            for model in apps.get_app_config(app_label).get_models():
                for column in model._meta.concrete_fields:
                    if isinstance(column, models.DateTimeField):
                        model._base_manager.filter(**{f"{column.name}__gte": started}).update(
                            **{column.name: moment}
                        )
    finally:
        for field, auto_now, auto_now_add, default in fields:
            field.auto_now, field.auto_now_add, field.default = auto_now, auto_now_add, default
            field.__dict__.pop("_get_default", None)


def _load_users() -> dict[str, User]:
    # One hash for every demo login: hashing thirty times would cost seconds, and the demo
    # password is public anyway.
    password = make_password(DEMO_PASSWORD)
    specs = (*DEMO_USERS, *DISTRICT_STAFF)
    regions = {r.code: r for r in Region.objects.filter(code__in={s.region_code for s in specs})}
    departments = {d.code: d for d in Department.objects.all()}
    admin_permissions = _permissions(CITY_ADMIN_ADMIN_PERMISSIONS)
    users = {}
    for spec in specs:
        user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
        user.display_name = spec.display_name
        user.password = password
        user.is_active = True
        user.is_staff = spec.is_staff
        user.is_superuser = False
        user.save()
        Membership.objects.filter(user=user).delete()
        Membership.objects.create(
            user=user,
            region=regions[spec.region_code],
            role=spec.role,
            department=departments[spec.department_code] if spec.department_code else None,
        )
        # The Django admin asks for model permissions; region rules cannot answer module access.
        user.user_permissions.set(admin_permissions if spec.is_staff else [])
        users[spec.username] = user
    return users


def _permissions(names: tuple[str, ...]) -> list[Permission]:
    pairs = [name.split(".", 1) for name in names]
    query = reduce(
        or_, (Q(content_type__app_label=app, codename=codename) for app, codename in pairs)
    )
    found = list(Permission.objects.filter(query))
    if len(found) != len(names):
        raise LookupError(f"missing permissions among {names}")
    return found


def _load_projects(specs: list[ProjectSpec]) -> dict[str, int]:
    """Write the projects and their stage events; return each project's key by its code."""
    regions = {r.code: r for r in Region.objects.filter(code__in={s.region_code for s in specs})}
    categories = {c.code: c for c in Category.objects.all()}
    chains = {c.code: c for c in IndustryChain.objects.all()}
    projects: list[Project] = []
    events_of: list[list[StageEvent]] = []
    for spec in specs:
        events = [StageEvent(stage=e.stage, date=e.date, note=e.note) for e in spec.events]
        projects.append(
            Project(
                code=spec.code,
                name=spec.name,
                region=regions[spec.region_code],
                category=categories[spec.category_code],
                industry_chain=chains[spec.industry_chain_code]
                if spec.industry_chain_code
                else None,
                owner_enterprise=spec.owner_enterprise,
                responsible_unit=spec.responsible_unit,
                total_investment=spec.total_investment,
                annual_plan=spec.annual_plan,
                longitude=spec.longitude,
                latitude=spec.latitude,
                description=spec.description,
                stage=derive_stage(events),
            )
        )
        events_of.append(events)
    created = Project.objects.bulk_create(projects, batch_size=_BATCH_SIZE)
    # SQLite ≥ 3.35 and PostgreSQL return the new keys, in order, from the bulk insert.
    for project, events in zip(created, events_of, strict=True):
        assert project.pk is not None
        for event in events:
            event.project = project
    StageEvent.objects.bulk_create(
        [event for events in events_of for event in events], batch_size=_BATCH_SIZE
    )
    return {project.code: project.pk for project in created}


def demo_parks_load() -> tuple[int, int]:
    """Load the demo's parks and enterprise roster alone (for checks that need no projects);
    return how many parks and enterprises it wrote."""
    parks, enterprises = generate_parks()
    with transaction.atomic():
        _remove_parks(parks, enterprises)
        _load_parks(parks, enterprises)
    return len(parks), len(enterprises)


def _remove_parks(parks: Sequence[ParkSpec], enterprises: Sequence[EnterpriseSpec]) -> None:
    """Delete the demo's enterprises (by credit code) and then its parks that hold no one else's."""
    codes = [spec.uscc for spec in enterprises]
    for start in range(0, len(codes), _BATCH_SIZE):
        Enterprise.objects.filter(uscc__in=codes[start : start + _BATCH_SIZE]).delete()
    Park.objects.filter(code__in=[spec.code for spec in parks], enterprises__isnull=True).delete()


def _load_parks(parks: Sequence[ParkSpec], enterprises: Sequence[EnterpriseSpec]) -> None:
    """Write the demo's parks and its enterprise roster. A demo park kept by the reset because
    someone else's enterprise is in it is brought back to the demo's state, not made twice."""
    regions = dict(
        Region.objects.filter(code__in={p.region_code for p in parks}).values_list("code", "pk")
    )
    chains = dict(IndustryChain.objects.values_list("code", "pk"))
    kept = {p.code: p for p in Park.objects.filter(code__in=[spec.code for spec in parks])}
    rows = []
    for spec in parks:
        park = kept.get(spec.code) or Park(code=spec.code)
        park.name, park.region_id, park.kind = spec.name, regions[spec.region_code], spec.kind
        park.planned_area_mu, park.is_standardised = spec.planned_area_mu, spec.is_standardised
        park.sort_order = spec.sort_order
        if park.pk is not None:
            park.save()
        rows.append(park)
    created = [
        *kept.values(),
        *Park.objects.bulk_create([park for park in rows if park.pk is None]),
    ]
    park_ids = {park.code: park.pk for park in created}
    written = Enterprise.objects.bulk_create(
        [
            Enterprise(
                uscc=spec.uscc,
                name=spec.name,
                region_id=regions[spec.region_code],
                park_id=park_ids[spec.park_code] if spec.park_code else None,
                is_above_scale=spec.is_above_scale,
                above_scale_since=spec.above_scale_since,
                entered_park_on=spec.entered_park_on,
                industry_chain_id=chains[spec.industry_chain_code],
                industrial_land_mu=spec.industrial_land_mu,
                production_started_on=spec.production_started_on,
                output_value=spec.output_value,
                tax_paid=spec.tax_paid,
            )
            for spec in enterprises
        ],
        batch_size=_BATCH_SIZE,
    )
    _load_spells(written, enterprises, park_ids)


def _load_spells(
    rows: Sequence[Enterprise], enterprises: Sequence[EnterpriseSpec], park_ids: dict[str, int]
) -> None:
    """Each enterprise's dated history as the generator drew it (``EnterpriseSpec.spells``)."""
    EnterpriseSpell.objects.bulk_create(
        [
            EnterpriseSpell(
                enterprise_id=row.pk,
                region_id=row.region_id,
                park_id=park_ids[spell.park_code] if spell.park_code else None,
                is_above_scale=spell.is_above_scale,
                previous_above_scale=spell.previous_above_scale,
                industrial_land_mu=spell.industrial_land_mu,
                valid_from=spell.valid_from,
                valid_to=spell.valid_to,
            )
            for row, spec in zip(rows, enterprises, strict=True)
            for spell in spec.spells
        ],
        batch_size=_BATCH_SIZE,
    )


@contextmanager
def _timestamps_as_given(*fields: models.DateTimeField) -> Iterator[None]:
    """Let ``bulk_create`` store the timestamps given instead of the time of the load.

    ``auto_now`` and ``auto_now_add`` stamp "now" on every insert, but the demo's months were
    opened, filed and reviewed in 2022, and lateness and time-in-review are read off these
    columns. The switch lasts only as long as the load's inserts.
    """
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _datetime_field(model: type[models.Model], name: str) -> models.DateTimeField:
    field = model._meta.get_field(name)
    assert isinstance(field, models.DateTimeField)
    return field


def _load_periods() -> dict[dt.date, ReportingPeriod]:
    """Create the demo's months, or bring a month that already exists to the demo's state."""
    specs = reporting_periods()
    existing = {p.month: p for p in ReportingPeriod.objects.filter(month__in=DEMO_MONTHS)}
    new = []
    for spec in specs:
        period = existing.get(spec.month)
        if period is None:
            new.append(
                ReportingPeriod(
                    month=spec.month,
                    due_date=spec.due_date,
                    state=spec.state,
                    created_at=spec.opened_at,
                )
            )
        elif (period.due_date, period.state) != (spec.due_date, spec.state):
            period.due_date, period.state = spec.due_date, spec.state
            period.save(update_fields=["due_date", "state"])
    with _timestamps_as_given(_datetime_field(ReportingPeriod, "created_at")):
        ReportingPeriod.objects.bulk_create(new)
    return {p.month: p for p in ReportingPeriod.objects.filter(month__in=DEMO_MONTHS)}


def _load_reporting(
    specs: list[ReportSpec], *, project_ids: dict[str, int], user_ids: dict[str, int]
) -> None:
    """Write the reporting months, the monthly reports and every step of their review."""
    periods = _load_periods()
    reports = [
        ProgressReport(
            project_id=project_ids[spec.project_code],
            period=periods[spec.month],
            amount=spec.amount,
            progress_text=spec.progress_text,
            adjustment_note=spec.adjustment_note,
            status=spec.status,
            version=spec.version,
            created_by_id=user_ids[spec.created_by],
            created_at=spec.created_at,
            updated_at=spec.updated_at,
            submitted_at=spec.submitted_at,
        )
        for spec in specs
    ]
    timestamps = (
        _datetime_field(ProgressReport, "created_at"),
        _datetime_field(ProgressReport, "updated_at"),
        _datetime_field(ReportStatusChange, "at"),
    )
    with _timestamps_as_given(*timestamps):
        created = ProgressReport.objects.bulk_create(reports, batch_size=_BATCH_SIZE)
        ReportStatusChange.objects.bulk_create(
            [
                ReportStatusChange(
                    report_id=report.pk,
                    from_status=step.from_status,
                    to_status=step.to_status,
                    actor_id=user_ids[step.actor],
                    at=step.at,
                    reason=step.reason,
                )
                for report, spec in zip(created, specs, strict=True)
                for step in spec.transitions
            ],
            batch_size=_BATCH_SIZE,
        )


def _refresh_planner_statistics(*tables: type[models.Model]) -> None:
    """Tell the query planner what the bulk load just wrote.

    Without statistics SQLite answers ``reporting.selectors.projects_due`` through the
    (stage, date) index of stage events, scanning every start for every project: seconds per
    query on the demo instead of milliseconds. PostgreSQL's autovacuum would catch up later.
    """
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _summarise(
    *, user_count: int, removed: int, park_count: int, enterprises: Sequence[EnterpriseSpec]
) -> DemoSummary:
    counts = dict(demo_projects().values_list("category__code").annotate(n=Count("id")).order_by())
    by_category = tuple(
        (category.code, category.name, counts.get(category.code, 0))
        for category in Category.objects.filter(code__in=CODE_PREFIXES)
    )
    stage_counts = dict(
        # The ledger's stage events; the dispatch demo's claims waiting for review are not.
        StageEvent.objects.confirmed()
        .filter(project__in=demo_projects())
        .values_list("stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    labels = dict(Stage.choices)
    by_stage = tuple(
        (stage, str(labels[stage]), stage_counts.get(stage, 0)) for stage in RECORDABLE_STAGES
    )
    reports = ProgressReport.objects.filter(project__in=demo_projects())
    status_counts = dict(reports.values_list("status").annotate(n=Count("id")).order_by())
    by_status = tuple(
        (status.value, str(status.label), status_counts.get(status, 0)) for status in ReportStatus
    )
    return DemoSummary(
        projects_by_category=by_category,
        events_by_stage=by_stage,
        period_count=ReportingPeriod.objects.filter(month__in=DEMO_MONTHS).count(),
        reports_by_status=by_status,
        status_change_count=ReportStatusChange.objects.filter(report__in=reports).count(),
        park_count=park_count,
        enterprise_count=len(enterprises),
        above_scale_count=sum(1 for spec in enterprises if spec.is_above_scale),
        user_count=user_count,
        removed_project_count=removed,
    )
