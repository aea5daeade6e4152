"""What a monthly bulletin (通报) says, gathered once and printed by every renderer.

The dataclasses here are plain values: the PDF, Word and Excel renderers read the same
``BulletinContent`` and never query the database themselves, so the three files cannot disagree.
Text helpers (``value_text``, ``percent_text``...) live here for the same reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from gongjian.campaigns.choices import IndicatorUnit, ProgressStatus
from gongjian.core.money import format_yi

HUNDRED = Decimal(100)


def value_text(value: Decimal | None, unit: str) -> str:
    """A value as a bulletin prints it: money in 亿元, counts whole, rates in percent."""
    if value is None:
        return "—"
    if unit == IndicatorUnit.WAN_YUAN:
        return _("%(value)s亿元") % {"value": format_yi(value)}
    if unit == IndicatorUnit.COUNT:
        return _("%(value)s个") % {"value": f"{value.quantize(Decimal(1)):,}"}
    return "{}%".format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def percent_text(fraction: Decimal | None) -> str:
    """A fraction (0.9512) as a percentage with two decimals (95.12%)."""
    if fraction is None:
        return "—"
    return "{}%".format((fraction * HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def points_text(points: Decimal | None) -> str:
    """Percentage points ahead (+3.20) or behind (−4.10) 序时进度."""
    if points is None:
        return "—"
    return f"+{points}" if points > 0 else str(points).replace("-", "−")


def status_text(status: str) -> str:
    return str(ProgressStatus(status).label)


@dataclass(frozen=True)
class TargetRow:
    """One target at the month end, flattened for printing (values in the indicator's unit)."""

    action: str
    indicator: str
    region: str
    region_code: str
    is_city: bool
    unit: str
    comparator: str
    target: Decimal
    actual: Decimal | None
    completion: Decimal | None  # fraction
    time_elapsed: Decimal  # fraction (序时进度)
    ahead_points: Decimal | None
    forecast: Decimal | None
    status: str
    met: bool

    @property
    def target_text(self) -> str:
        return f"{self.comparator}{value_text(self.target, self.unit)}"

    @property
    def actual_text(self) -> str:
        return value_text(self.actual, self.unit)

    @property
    def completion_text(self) -> str:
        return percent_text(self.completion)

    @property
    def time_elapsed_text(self) -> str:
        return percent_text(self.time_elapsed)

    @property
    def ahead_text(self) -> str:
        return points_text(self.ahead_points)

    @property
    def forecast_text(self) -> str:
        return value_text(self.forecast, self.unit)

    @property
    def status_label(self) -> str:
        return status_text(self.status)

    @property
    def met_text(self) -> str:
        return _("已完成") if self.met else _("未完成")


@dataclass(frozen=True)
class StatusCounts:
    total: int
    green: int
    yellow: int
    red: int
    met: int

    @classmethod
    def of(cls, rows: list[TargetRow]) -> StatusCounts:
        return cls(
            total=len(rows),
            green=sum(1 for r in rows if r.status == ProgressStatus.GREEN),
            yellow=sum(1 for r in rows if r.status == ProgressStatus.YELLOW),
            red=sum(1 for r in rows if r.status == ProgressStatus.RED),
            met=sum(1 for r in rows if r.met),
        )


@dataclass(frozen=True)
class ActionSummary:
    """A 专项行动 and its city targets."""

    name: str
    counts: StatusCounts
    targets: list[TargetRow]


@dataclass(frozen=True)
class RankingRow:
    rank: int | None  # None: nothing measured
    region: str
    region_code: str
    row: TargetRow


@dataclass(frozen=True)
class Ranking:
    """The districts' allocations of one city target, best completion first."""

    indicator: str
    unit: str
    city: TargetRow
    rows: list[RankingRow]


@dataclass(frozen=True)
class ReportingRow:
    """One district's monthly reports for the bulletin's month."""

    region: str
    region_code: str
    due: int
    filed: int
    approved: int
    returned: int
    missing: int
    is_late: bool  # missing reports after the due date

    @property
    def state_text(self) -> str:
        if self.missing == 0:
            return _("已全部报送")
        return _("逾期未报") if self.is_late else _("未报齐（未到期）")


@dataclass(frozen=True)
class ReportingSummary:
    period_label: str
    due_date: dt.date | None  # None: the month has no reporting period
    rows: list[ReportingRow]

    @property
    def laggards(self) -> list[ReportingRow]:
        return [row for row in self.rows if row.missing]

    @property
    def due_total(self) -> int:
        return sum(row.due for row in self.rows)

    @property
    def filed_total(self) -> int:
        return sum(row.filed for row in self.rows)


@dataclass(frozen=True)
class ProblemRow:
    """An unresolved 问题协调 item."""

    project_code: str
    project_name: str
    region: str
    title: str
    department: str
    raised_on: dt.date
    due_date: dt.date | None
    status_label: str
    days_open: int
    is_overdue: bool


@dataclass(frozen=True)
class SupervisionRow:
    """A 督办 order still waiting for its reply."""

    title: str
    addressee: str
    project_name: str
    issued_on: dt.date
    due_date: dt.date
    status_label: str
    is_overdue: bool


@dataclass(frozen=True)
class AssessmentRow:
    """A district's place in the latest published assessment (考核得分排名)."""

    rank: int
    group: str
    group_rank: int
    region: str
    total: Decimal
    deduction: Decimal


@dataclass(frozen=True)
class RedProjectRow:
    """A key project on red at the month end: the bulletin names it and its responsible unit."""

    code: str
    name: str
    region: str
    responsible_unit: str
    reasons: list[str]

    @property
    def reasons_text(self) -> str:
        return "；".join(self.reasons)


@dataclass(frozen=True)
class BoardRow:
    """A place on a 红黑榜: a project, a district or a responsible unit, by plan completion."""

    rank: int
    name: str
    detail: str  # the district of a project, the number of projects of a unit
    plan: Decimal  # 万元
    actual: Decimal  # 万元
    rate: Decimal | None  # percent

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate}%"


@dataclass(frozen=True)
class Board:
    """One 红黑榜 list (rules as data, ``plans.BoardRule``): the best (红榜), the worst (黑榜)."""

    name: str
    subject: str
    red: list[BoardRow]
    black: list[BoardRow]


@dataclass(frozen=True)
class PlanSection:
    """The year's key-project list at the month end: plan completion, lights, red projects."""

    year: int
    project_count: int
    plan_total: Decimal  # 万元
    actual_total: Decimal  # 万元
    completion_rate: Decimal | None  # percent
    schedule: Decimal  # percent
    ahead: Decimal | None  # points
    start_rate: Decimal | None
    started: int
    due_to_start: int
    completion_count_rate: Decimal | None
    completed: int
    due_to_complete: int
    red: int
    yellow: int
    green: int
    red_projects: list[RedProjectRow]
    boards: list[Board]

    @property
    def summary(self) -> str:
        """ "完成年度计划投资 X%，超序时进度 Y 个百分点" and the lights, as bulletins say it."""
        if self.completion_rate is None or self.ahead is None:
            progress = _("尚无年度计划。")
        elif self.ahead >= 0:
            progress = _("完成年度计划投资%(rate)s%%，超序时进度%(points)s个百分点。") % {
                "rate": self.completion_rate,
                "points": self.ahead,
            }
        else:
            progress = _("完成年度计划投资%(rate)s%%，落后序时进度%(points)s个百分点。") % {
                "rate": self.completion_rate,
                "points": -self.ahead,
            }
        return (
            _(
                "%(year)s年清单内重点项目%(count)s个，年度计划投资%(plan)s亿元，"
                "累计完成投资%(actual)s亿元，"
            )
            % {
                "year": self.year,
                "count": self.project_count,
                "plan": format_yi(self.plan_total),
                "actual": format_yi(self.actual_total),
            }
            + progress
            + _(
                "计划开工项目%(due)s个、已开工%(started)s个，开工率%(start_rate)s；"
                "亮红灯项目%(red)s个、黄灯%(yellow)s个、绿灯%(green)s个。"
            )
            % {
                "due": self.due_to_start,
                "started": self.started,
                "start_rate": "—" if self.start_rate is None else f"{self.start_rate}%",
                "red": self.red,
                "yellow": self.yellow,
                "green": self.green,
            }
        )


@dataclass(frozen=True)
class BulletinContent:
    """Everything one issue of the monthly bulletin prints."""

    campaign_code: str
    campaign_name: str
    month: dt.date
    as_of: dt.date
    issue_number: int
    issued_on: dt.date
    office: str
    time_elapsed: Decimal  # the campaign's 序时进度 at as_of
    overall: StatusCounts
    actions: list[ActionSummary]
    targets: list[TargetRow]  # the city targets, in the campaign's order
    rankings: list[Ranking]
    flags: list[TargetRow]  # red then yellow, city and district targets
    reporting: ReportingSummary
    problems: list[ProblemRow]
    open_problem_count: int
    overdue_problem_count: int
    supervisions: list[SupervisionRow]
    open_supervision_count: int
    overdue_supervision_count: int
    assessment: list[AssessmentRow] | None = None
    plan: PlanSection | None = None

    @property
    def plan_heading(self) -> str:
        number = _("八") if self.assessment else _("七")
        return _("%(number)s、重点项目推进和红黑榜") % {"number": number}

    @property
    def title(self) -> str:
        return _("%(campaign)s 工作通报") % {"campaign": self.campaign_name}

    @property
    def issue_text(self) -> str:
        return _("第%(number)s期") % {"number": self.issue_number}

    @property
    def month_label(self) -> str:
        return _("%(year)s年%(month)s月") % {"year": self.month.year, "month": self.month.month}

    @property
    def as_of_text(self) -> str:
        return date_text(self.as_of)

    @property
    def issued_on_text(self) -> str:
        return date_text(self.issued_on)

    @property
    def summary(self) -> str:
        """The opening paragraph: where the campaign stands at the month end."""
        counts = self.overall
        return _(
            "截至%(as_of)s，%(campaign)s共设市级目标%(total)s项，序时进度%(elapsed)s。"
            "其中进度正常%(green)s项、预警%(yellow)s项、滞后%(red)s项，"
            "已完成全年目标%(met)s项。"
        ) % {
            "as_of": self.as_of_text,
            "campaign": self.campaign_name,
            "total": counts.total,
            "elapsed": percent_text(self.time_elapsed),
            "green": counts.green,
            "yellow": counts.yellow,
            "red": counts.red,
            "met": counts.met,
        }

    @property
    def reporting_summary(self) -> str:
        reporting = self.reporting
        if reporting.due_date is None:
            return _("%(label)s未开设填报期。") % {"label": reporting.period_label}
        laggards = reporting.laggards
        text = _(
            "%(label)s月度进展应报%(due)s个项目，已报送%(filed)s个（截止日期%(due_date)s）。"
        ) % {
            "label": reporting.period_label,
            "due": reporting.due_total,
            "filed": reporting.filed_total,
            "due_date": date_text(reporting.due_date),
        }
        if not laggards:
            return text + _("各县（市、区）均已全部报送。")
        late = [row for row in laggards if row.is_late]
        return text + _("%(count)s个县（市、区）未报齐，其中逾期未报%(late)s个。") % {
            "count": len(laggards),
            "late": len(late),
        }


def date_text(day: dt.date) -> str:
    return _("%(year)s年%(month)s月%(day)s日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }
