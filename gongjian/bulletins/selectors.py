"""Reads for bulletins: what an issue says (``bulletin_content``) and the bulletins a user may see.

``bulletin_content`` reads everything once — the campaign's progress at the month end (one query
for the targets and one grouped query per indicator), the month's reporting by district, and the
open problems and 督办 — so that the PDF, Word and Excel renderers print the same figures.
Problems and 督办 are listed as they stand when the bulletin is made (their status is not
reconstructed at the month end), limited to those raised by the month's end.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.bulletins.content import (
    ActionSummary,
    AssessmentRow,
    BulletinContent,
    ProblemRow,
    Ranking,
    RankingRow,
    ReportingRow,
    ReportingSummary,
    StatusCounts,
    SupervisionRow,
    TargetRow,
)
from gongjian.bulletins.models import Bulletin, DocxTemplate
from gongjian.campaigns.choices import ProgressStatus
from gongjian.campaigns.models import Campaign
from gongjian.campaigns.progress import FRACTION_PLACES, TargetProgress
from gongjian.campaigns.selectors import campaign_progress
from gongjian.core.periods import (
    add_months,
    month_end,
    month_start,
    months_between,
    time_elapsed,
    today,
)
from gongjian.core.ranking import competition_ranks
from gongjian.plans.selectors import plan_bulletin_section
from gongjian.projects.choices import SUPERVISION_AWAITING_REPLY, UNRESOLVED_PROBLEM_STATUSES
from gongjian.projects.models import Problem, Supervision
from gongjian.reporting.models import ReportingPeriod
from gongjian.reporting.selectors import district_status

# The issuing office printed under the red title.
OFFICE = "泉州市项目攻坚行动办公室"
# Whom the bulletin is addressed to (主送), the line above its body.
ADDRESSEE = gettext_noop("各县（市、区）人民政府，泉州开发区、泉州台商投资区管委会，市直有关单位：")
# How many open problems and 督办 the bulletin names (the counts cover all of them).
NOTABLE_LIMIT = 20


def issue_number(campaign: Campaign, month: dt.date) -> int:
    """第N期: the bulletin of the campaign's first month is issue 1, one issue a month."""
    return len(months_between(campaign.starts_on, month))


def _row(item: TargetProgress) -> TargetRow:
    target = item.target
    return TargetRow(
        action=target.action.display_name if target.action else "",
        indicator=target.indicator.display_name,
        region=target.region.display_name,
        region_code=target.region.code,
        is_city=target.parent_id is None,
        unit=target.indicator.unit,
        comparator=target.comparator,
        target=target.value,
        actual=item.actual,
        completion=item.completion,
        time_elapsed=item.time_elapsed,
        ahead_points=item.ahead_points,
        forecast=item.forecast,
        status=item.status,
        met=item.met,
    )


def _ranked(children: list[TargetProgress]) -> list[RankingRow]:
    """Best completion first (for a cap, the least used first); ties share a rank; a district
    with nothing measured comes last, unranked."""
    measured = [c for c in children if c.ranking_value is not None]
    unmeasured = [c for c in children if c.ranking_value is None]
    measured.sort(key=lambda item: (-(item.ranking_value or 0), item.target.region.sort_order))
    ranks = competition_ranks(
        {index: item.ranking_value for index, item in enumerate(measured)},
        order=lambda index: index,
    )
    rows: list[RankingRow] = []
    for index, item in enumerate(measured):
        rows.append(
            RankingRow(
                rank=ranks[index],
                region=item.target.region.display_name,
                region_code=item.target.region.code,
                row=_row(item),
            )
        )
    for item in sorted(unmeasured, key=lambda i: i.target.region.sort_order):
        rows.append(
            RankingRow(
                rank=None,
                region=item.target.region.display_name,
                region_code=item.target.region.code,
                row=_row(item),
            )
        )
    return rows


def _campaign_elapsed(campaign: Campaign, as_of: dt.date) -> Decimal:
    elapsed = time_elapsed(
        campaign.starts_on, campaign.ends_on, as_of, basis=campaign.elapsed_basis
    )
    return elapsed.quantize(FRACTION_PLACES, rounding=ROUND_HALF_UP)


def _reporting(*, user, month: dt.date, on: dt.date) -> ReportingSummary:
    label = _("%(year)s年%(month)s月") % {"year": month.year, "month": month.month}
    period = ReportingPeriod.objects.filter(month=month).first()
    if period is None:
        return ReportingSummary(period_label=label, due_date=None, rows=[])
    rows = [
        ReportingRow(
            region=row["region__name_en"]
            if (get_language() or "").startswith("en") and row["region__name_en"]
            else row["region__name"],
            region_code=row["region__code"],
            due=row["due"],
            filed=row["filed"],
            approved=row["approved"],
            returned=row["returned"],
            missing=row["missing"],
            is_late=row["state"] == "late",
        )
        for row in district_status(user=user, period=period, today=on)
    ]
    return ReportingSummary(period_label=label, due_date=period.due_date, rows=rows)


def _problems(*, user, as_of: dt.date) -> tuple[list[ProblemRow], int, int]:
    cutoff = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    open_problems = Problem.objects.visible_to(user).filter(
        status__in=UNRESOLVED_PROBLEM_STATUSES, raised_at__lt=cutoff
    )
    overdue_q = Q(due_date__lt=as_of)
    counts = open_problems.aggregate(total=Count("id"), overdue=Count("id", filter=overdue_q))
    # Overdue first (the longest overdue first), then the oldest.
    notable = open_problems.select_related("project", "project__region", "department")
    overdue = list(
        notable.filter(overdue_q).order_by("due_date", "raised_at", "id")[:NOTABLE_LIMIT]
    )
    rest: list[Problem] = []
    if len(overdue) < NOTABLE_LIMIT:
        rest = list(
            notable.exclude(overdue_q).order_by("raised_at", "id")[: NOTABLE_LIMIT - len(overdue)]
        )
    rows = []
    for problem in [*overdue, *rest]:
        raised_on = timezone.localdate(problem.raised_at)
        rows.append(
            ProblemRow(
                project_code=problem.project.code,
                project_name=problem.project.name,
                region=problem.project.region.display_name,
                title=problem.title,
                department=problem.department.name if problem.department else "",
                raised_on=raised_on,
                due_date=problem.due_date,
                status_label=str(problem.get_status_display()),
                days_open=(as_of - raised_on).days,
                is_overdue=problem.due_date is not None and problem.due_date < as_of,
            )
        )
    return rows, counts["total"], counts["overdue"]


def _supervisions(*, user, as_of: dt.date) -> tuple[list[SupervisionRow], int, int]:
    cutoff = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    waiting = Supervision.objects.visible_to(user).filter(
        status__in=SUPERVISION_AWAITING_REPLY, issued_at__lt=cutoff
    )
    counts = waiting.aggregate(total=Count("id"), overdue=Count("id", filter=Q(due_date__lt=as_of)))
    orders = waiting.select_related("target_region", "target_department", "project").order_by(
        "due_date", "issued_at", "id"
    )[:NOTABLE_LIMIT]
    rows = [
        SupervisionRow(
            title=order.title,
            addressee=order.target_region.display_name
            if order.target_region
            else (order.target_department.name if order.target_department else ""),
            project_name=order.project.name if order.project else "",
            issued_on=timezone.localdate(order.issued_at),
            due_date=order.due_date,
            status_label=str(order.get_status_display()),
            is_overdue=order.due_date < as_of,
        )
        for order in orders
    ]
    return rows, counts["total"], counts["overdue"]


def _assessment(*, campaign: Campaign, month: dt.date) -> list[AssessmentRow] | None:
    """The latest published assessment ranking of the month, when the assessment app is
    installed and has one; None otherwise (the bulletin then leaves the section out)."""
    try:
        from gongjian.assessment.selectors import (  # type: ignore[import-not-found,unused-ignore]
            assessment_ranking_rows,
            assessment_result_latest,
        )
    except ImportError:
        return None
    result = assessment_result_latest(campaign=campaign, month=month)
    if result is None:
        return None
    return [
        AssessmentRow(
            rank=row.rank,
            group=row.group_name,
            group_rank=row.group_rank,
            region=row.region_name,
            total=row.total,
            deduction=row.deduction,
            item_points=row.item_points,
            late_reports=row.late_reports,
            is_tied=row.is_tied,
        )
        for row in assessment_ranking_rows(result=result)
    ]


def bulletin_content(
    *, campaign: Campaign, month: dt.date, user, on: dt.date | None = None
) -> BulletinContent:
    """Everything the bulletin of ``campaign`` for ``month`` prints, as ``user`` may see it.

    Progress is taken at the month's last day (or the campaign's end, if earlier); ``on`` is the
    day the bulletin is made (default: the business date), which decides whether the month's
    missing reports are already late.
    """
    on = on or today()
    as_of = min(month_end(month), campaign.ends_on)
    progress = campaign_progress(campaign=campaign, as_of=as_of, user=user).targets

    city = [item for item in progress if item.target.parent_id is None]
    children: dict[int, list[TargetProgress]] = defaultdict(list)
    for item in progress:
        if item.target.parent_id is not None:
            children[item.target.parent_id].append(item)

    city_rows = [_row(item) for item in city]
    by_action: dict[str, list[TargetRow]] = defaultdict(list)
    for row in city_rows:
        by_action[row.action].append(row)
    actions = [
        ActionSummary(name=name or _("未归属专项行动"), counts=StatusCounts.of(rows), targets=rows)
        for name, rows in by_action.items()
    ]
    rankings = [
        Ranking(
            indicator=item.target.indicator.display_name,
            unit=item.target.indicator.unit,
            city=_row(item),
            rows=_ranked(children[item.target.pk]),
        )
        for item in city
        if children.get(item.target.pk)
    ]
    severity: dict[str, int] = {ProgressStatus.RED: 0, ProgressStatus.YELLOW: 1}
    flags = sorted(
        (_row(item) for item in progress if item.status in severity),
        key=lambda r: (
            severity[r.status],
            not r.is_city,
            r.ahead_points if r.ahead_points is not None else Decimal("-1e9"),
        ),
    )
    problems, open_problems, overdue_problems = _problems(user=user, as_of=as_of)
    supervisions, open_orders, overdue_orders = _supervisions(user=user, as_of=as_of)
    return BulletinContent(
        campaign_code=campaign.code,
        campaign_name=campaign.display_name,
        month=month,
        as_of=as_of,
        issue_number=issue_number(campaign, month),
        issued_on=on,
        office=_(OFFICE),
        addressee=_(ADDRESSEE),
        time_elapsed=_campaign_elapsed(campaign, as_of),
        overall=StatusCounts.of(city_rows),
        actions=actions,
        targets=city_rows,
        rankings=rankings,
        flags=flags,
        reporting=_reporting(user=user, month=month, on=on),
        problems=problems,
        open_problem_count=open_problems,
        overdue_problem_count=overdue_problems,
        supervisions=supervisions,
        open_supervision_count=open_orders,
        overdue_supervision_count=overdue_orders,
        assessment=_assessment(campaign=campaign, month=month),
        plan=plan_bulletin_section(user=user, as_of=as_of),
    )


def bulletin_months(campaign: Campaign, *, on: dt.date | None = None) -> list[dt.date]:
    """The months a bulletin can be made for: the campaign's months that have ended."""
    last = min(month_start(campaign.ends_on), add_months(month_start(on or today()), -1))
    if last < month_start(campaign.starts_on):
        return []
    return months_between(campaign.starts_on, last)


def bulletin_list(*, user, campaign: Campaign | None = None) -> QuerySet[Bulletin]:
    """Bulletins the user may read (city roles and leaders: all; anyone else: none)."""
    bulletins = Bulletin.objects.select_related("campaign", "created_by", "published_by")
    if not user.has_perm("bulletins.read"):
        return bulletins.none()
    if campaign is not None:
        bulletins = bulletins.filter(campaign=campaign)
    return bulletins.order_by("-created_at", "-id")


def bulletin_get(*, user, pk) -> Bulletin:
    """One bulletin; 404 (and a denied audit event) for anyone who may not read bulletins."""
    bulletin = scoped_get_or_404(
        queryset=Bulletin.objects.all(),
        scoped=bulletin_list(user=user),
        user=user,
        pk=pk,
    )
    assert isinstance(bulletin, Bulletin)
    return bulletin


def previous_month(day: dt.date) -> dt.date:
    """The month before ``day``'s: the bulletin usually made at the start of a month."""
    return add_months(day.replace(day=1), -1)


def docx_template_current(kind: str) -> DocxTemplate | None:
    """The office's active Word template of ``kind``; None: the shipped 公文 layout is used."""
    return (
        DocxTemplate.objects.filter(kind=kind, is_active=True).select_related("uploaded_by").first()
    )


def docx_template_data(kind: str) -> bytes | None:
    """The bytes of the office's active Word template of ``kind``, or None for the default."""
    template = docx_template_current(kind)
    if template is None:
        return None
    with template.file.open("rb") as handle:
        return handle.read()
