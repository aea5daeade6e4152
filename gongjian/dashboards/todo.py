"""Each role's to-do list: what is waiting for the signed-in user, and where it is done.

The list is a registry of providers, one function per kind of item, each deciding for itself
whether the user's roles concern it. Adding a kind is adding one decorated function here (or in
the app that owns the data, imported by ``DashboardsConfig.ready``); the home page and
``GET /api/v1/me/todo`` then show it without further change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongjian.accounts.choices import Role
from gongjian.accounts.scopes import department_ids_of, has_any_role, memberships_of
from gongjian.core.periods import today as business_today
from gongjian.investment.choices import LeadStage
from gongjian.investment.models import Lead
from gongjian.projects.choices import (
    SUPERVISION_AWAITING_REPLY,
    UNRESOLVED_PROBLEM_STATUSES,
    StageEventStatus,
)
from gongjian.projects.models import Problem, Project, StageEvent, Supervision
from gongjian.regions.choices import RegionKind
from gongjian.reporting.choices import PeriodState, ReportStatus
from gongjian.reporting.models import ProgressReport, ReportingPeriod, ReportStatusChange
from gongjian.reporting.rules import CITY_REVIEW_ROLES, DISTRICT_REVIEW_ROLES
from gongjian.reporting.selectors import district_status, workspace_due

# Returned reports are listed one by one (with the reviewer's reason) up to this many.
RETURNED_SHOWN = 5


@dataclass(frozen=True)
class TodoItem:
    """One line of a to-do list: how many things of one kind wait, and the page to do them on."""

    kind: str
    count: int
    title: str
    url: str
    period: str | None = None  # "YYYY-MM" for items of a reporting period
    urgent: bool = False  # past its due date

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("urgent")
        return data


Provider = Callable[..., list[TodoItem]]
PROVIDERS: dict[str, Provider] = {}


def provider(kind: str):
    """Register the function that lists one kind of to-do item for a user (``user``, ``today``
    keyword arguments; an empty list when the kind does not concern them)."""

    def register(func: Provider) -> Provider:
        if kind in PROVIDERS:
            raise ValueError(f"duplicate to-do provider {kind}")
        PROVIDERS[kind] = func
        return func

    return register


def todo_list(*, user, today: dt.date | None = None) -> list[TodoItem]:
    """Everything waiting for ``user``, in the providers' order; nothing for the anonymous."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    on = today or business_today()
    items: list[TodoItem] = []
    for func in PROVIDERS.values():
        items.extend(func(user=user, today=on))
    return items


def _open_periods() -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.filter(state=PeriodState.OPEN).order_by("month"))


def _month(period: ReportingPeriod) -> str:
    return f"{period.month:%Y-%m}"


def _url(name: str, **query) -> str:
    query = {k: v for k, v in query.items() if v}
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def _is_district_filer(user) -> bool:
    # The city admin files too, but its daily work is the city's: late districts, the city queue.
    return any(m.role == Role.DISTRICT_FILER for m in memberships_of(user))


# ---------------------------------------------------------------------------------------------
# Monthly reporting


@provider("report_due")
def reports_due(*, user, today: dt.date) -> list[TodoItem]:
    """Per open period: the filer's projects with no report yet or only a draft."""
    if not _is_district_filer(user):
        return []
    items = []
    for period in _open_periods():
        count = (
            workspace_due(user=user, period=period)
            .filter(Q(report_status__isnull=True) | Q(report_status=ReportStatus.DRAFT))
            .count()
        )
        if not count:
            continue
        late = today > period.due_date
        values = {"label": period.label, "count": count, "due": f"{period.due_date:%m-%d}"}
        title = (
            ngettext(
                "%(label)s：%(count)s 个项目未报送，已过 %(due)s 截止日期",
                "%(label)s：%(count)s 个项目未报送，已过 %(due)s 截止日期",
                count,
            )
            if late
            else ngettext(
                "%(label)s：%(count)s 个项目待报送（%(due)s 截止）",
                "%(label)s：%(count)s 个项目待报送（%(due)s 截止）",
                count,
            )
        ) % values
        items.append(
            TodoItem(
                kind="report_due",
                period=_month(period),
                count=count,
                title=title,
                url=_url("reporting:workspace", period=_month(period), show="todo"),
                urgent=late,
            )
        )
    return items


@provider("report_returned")
def reports_returned(*, user, today: dt.date) -> list[TodoItem]:
    """Each returned report of the filer's districts in an open period, with the reason."""
    if not _is_district_filer(user):
        return []
    returned = list(
        ProgressReport.objects.visible_to(user)
        .filter(status=ReportStatus.RETURNED, period__state=PeriodState.OPEN)
        .select_related("project", "period")
        .order_by("period__month", "project__code")
    )
    reasons = dict(
        ReportStatusChange.objects.filter(
            report__in=[r.pk for r in returned], to_status=ReportStatus.RETURNED
        )
        .order_by("report_id", "at", "id")
        .values_list("report_id", "reason")
    )  # ordered by time: the last return of each report wins
    items = []
    for report in returned[:RETURNED_SHOWN]:
        month = _month(report.period)
        items.append(
            TodoItem(
                kind="report_returned",
                period=month,
                count=1,
                title=_("%(code)s %(name)s 被退回：%(reason)s")
                % {
                    "code": report.project.code,
                    "name": report.project.name,
                    "reason": reasons.get(report.pk, ""),
                },
                url=_url("reporting:workspace", period=month, q=report.project.code),
                urgent=today > report.period.due_date,
            )
        )
    rest = returned[RETURNED_SHOWN:]
    if rest:
        items.append(
            TodoItem(
                kind="report_returned",
                period=None,
                count=len(rest),
                title=ngettext(
                    "另有 %(count)s 份被退回的报告",
                    "另有 %(count)s 份被退回的报告",
                    len(rest),
                )
                % {"count": len(rest)},
                url=_url("reporting:workspace", period=_month(rest[0].period), show="returned"),
            )
        )
    return items


@provider("review_queue")
def review_queue(*, user, today: dt.date) -> list[TodoItem]:
    """Per open period: reports waiting for this reviewer (the district's first review, the
    city's second)."""
    queues = []
    if has_any_role(user, DISTRICT_REVIEW_ROLES):
        queues.append((ReportStatus.SUBMITTED, _("县区审核")))
    if has_any_role(user, CITY_REVIEW_ROLES):
        queues.append((ReportStatus.DISTRICT_APPROVED, _("市级审核")))
    items = []
    for period in _open_periods():
        for status, label in queues:
            count = (
                ProgressReport.objects.visible_to(user).filter(period=period, status=status).count()
            )
            if not count:
                continue
            items.append(
                TodoItem(
                    kind="review_queue",
                    period=_month(period),
                    count=count,
                    title=ngettext(
                        "%(label)s：%(count)s 份报告待%(queue)s",
                        "%(label)s：%(count)s 份报告待%(queue)s",
                        count,
                    )
                    % {"label": period.label, "count": count, "queue": label},
                    url=_url("reporting:review", period=_month(period)),
                )
            )
    return items


@provider("late_district")
def late_districts(*, user, today: dt.date) -> list[TodoItem]:
    """For the city admin: per open period past its due date, the districts not complete."""
    if not any(
        m.role == Role.CITY_ADMIN and m.region.kind in (RegionKind.CITY, RegionKind.PROVINCE)
        for m in memberships_of(user)
    ):
        return []
    items = []
    for period in _open_periods():
        if today <= period.due_date:
            continue
        late = [r for r in district_status(user=user, period=period, today=today) if r["missing"]]
        if not late:
            continue
        names = "、".join(r["region__name"] for r in late[:3])
        items.append(
            TodoItem(
                kind="late_district",
                period=_month(period),
                count=len(late),
                title=ngettext(
                    "%(label)s：%(count)s 个县区逾期未报齐（%(names)s%(more)s）",
                    "%(label)s：%(count)s 个县区逾期未报齐（%(names)s%(more)s）",
                    len(late),
                )
                % {
                    "label": period.label,
                    "count": len(late),
                    "names": names,
                    "more": _("等") if len(late) > 3 else "",
                },
                url=_url("reporting:status", period=_month(period)),
                urgent=True,
            )
        )
    return items


# ---------------------------------------------------------------------------------------------
# Stage claims (开工, 竣工, 投产, 签约): the district reviewer confirms them; the filer follows up


@provider("stage_claim")
def stage_claims(*, user, today: dt.date) -> list[TodoItem]:
    """For a district reviewer: the 待核实 claims of their districts that others filed (no one
    confirms their own). For a filer: their own claims still waiting, and each of their rejected
    claims not yet filed again, with the reviewer's reason."""
    items = []
    if any(m.role == Role.DISTRICT_REVIEWER for m in memberships_of(user)):
        count = (
            StageEvent.objects.filter(
                project__in=Project.objects.visible_to(user), status=StageEventStatus.PENDING
            )
            .exclude(actor=user)
            .count()
        )
        if count:
            items.append(
                TodoItem(
                    kind="stage_claim",
                    count=count,
                    title=ngettext(
                        "%(count)s 条阶段记录待核实", "%(count)s 条阶段记录待核实", count
                    )
                    % {"count": count},
                    url=reverse("projects:stage_claims"),
                )
            )
    if not _is_district_filer(user):
        return items
    own = StageEvent.objects.filter(actor=user, project__in=Project.objects.visible_to(user))
    pending = own.filter(status=StageEventStatus.PENDING).count()
    if pending:
        items.append(
            TodoItem(
                kind="stage_claim",
                count=pending,
                title=ngettext(
                    "%(count)s 条本人提交的阶段记录等待核实",
                    "%(count)s 条本人提交的阶段记录等待核实",
                    pending,
                )
                % {"count": pending},
                url=reverse("projects:stage_claims"),
            )
        )
    filed_again = StageEvent.objects.standing().filter(
        project=OuterRef("project"), stage=OuterRef("stage"), id__gt=OuterRef("id")
    )
    rejected = (
        own.filter(status=StageEventStatus.REJECTED)
        .exclude(Exists(filed_again))
        .select_related("project")
        .order_by("reviewed_at", "id")
    )
    for event in rejected:
        items.append(
            TodoItem(
                kind="stage_claim",
                count=1,
                title=_("%(code)s %(name)s 的%(stage)s记录被退回：%(reason)s")
                % {
                    "code": event.project.code,
                    "name": event.project.name,
                    "stage": event.get_stage_display(),
                    "reason": event.rejection_reason,
                },
                url=reverse("projects:detail", args=[event.project_id]),
            )
        )
    return items


# ---------------------------------------------------------------------------------------------
# A department's work: new leads, problems handed to it, 督办 awaiting its reply


@provider("lead")
def leads_new(*, user, today: dt.date) -> list[TodoItem]:
    departments = department_ids_of(user)
    if not departments:
        return []
    count = Lead.objects.filter(
        department_id__in=departments, stage=LeadStage.NEW, is_spam=False
    ).count()
    if not count:
        return []
    return [
        TodoItem(
            kind="lead",
            count=count,
            title=ngettext("%(count)s 条新线索待对接", "%(count)s 条新线索待对接", count)
            % {"count": count},
            url=_url("investment:lead_list", stage=LeadStage.NEW),
        )
    ]


@provider("problem")
def problems_assigned(*, user, today: dt.date) -> list[TodoItem]:
    departments = department_ids_of(user)
    if not departments:
        return []
    problems = Problem.objects.filter(
        department_id__in=departments, status__in=UNRESOLVED_PROBLEM_STATUSES
    )
    count = problems.count()
    if not count:
        return []
    overdue = problems.filter(due_date__lt=today).count()
    title = ngettext("%(count)s 个问题待解决", "%(count)s 个问题待解决", count) % {"count": count}
    if overdue:
        title += _("（%(overdue)s 个已超期）") % {"overdue": overdue}
    return [
        TodoItem(
            kind="problem",
            count=count,
            title=title,
            url=reverse("projects:problem_board"),
            urgent=bool(overdue),
        )
    ]


@provider("supervision")
def supervisions_awaiting(*, user, today: dt.date) -> list[TodoItem]:
    """督办 orders addressed to the user's department or district, still awaiting a reply."""
    districts = [
        m.region_id
        for m in memberships_of(user)
        if m.role != Role.DEPARTMENT and m.region.kind not in (RegionKind.CITY, RegionKind.PROVINCE)
    ]
    departments = department_ids_of(user)
    if not districts and not departments:
        return []
    orders = Supervision.objects.filter(
        Q(target_department_id__in=departments) | Q(target_region_id__in=districts),
        status__in=SUPERVISION_AWAITING_REPLY,
    )
    count = orders.count()
    if not count:
        return []
    overdue = orders.filter(due_date__lt=today).count()
    title = ngettext("%(count)s 件督办待回复", "%(count)s 件督办待回复", count) % {"count": count}
    if overdue:
        title += _("（%(overdue)s 件已逾期）") % {"overdue": overdue}
    return [
        TodoItem(
            kind="supervision",
            count=count,
            title=title,
            url=reverse("projects:supervision_list"),
            urgent=bool(overdue),
        )
    ]
