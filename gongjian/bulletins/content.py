"""What a monthly bulletin (通报) says, gathered once and printed by every renderer.

The dataclasses here are plain values: the PDF, Word and Excel renderers read the same
``BulletinContent`` and never query the database themselves, so the three files cannot disagree.
``bulletin_document`` lays it out once as a 公文 (``core.gongwen``): the headings, paragraphs and
tables in their order, which both the PDF and the Word file print. Text helpers
(``value_text``, ``percent_text``...) live here for the same reason.

Layout decisions (公文 convention for a 通报): every table sits in the body under the heading of
its section, with the district named in its own column wherever a row is one district's target;
the note on the data (说明) closes the body; the 署名 and 成文日期 are the last paragraphs, and
nothing follows them (no 附件 after the signature).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongjian.campaigns.choices import IndicatorUnit, ProgressStatus
from gongjian.core import formatting
from gongjian.core.gongwen import Cell, GongwenDocument, Heading, Paragraph, Row, Table

HUNDRED = Decimal(100)


def value_text(value: Decimal | None, unit: str) -> str:
    """A value as a bulletin prints it: money in 亿元, counts whole, rates in percent."""
    if unit == IndicatorUnit.WAN_YUAN:
        return formatting.money(value, "亿元")
    if unit == IndicatorUnit.COUNT:
        return formatting.count(value)
    return formatting.percent(value)


def percent_text(fraction: Decimal | None) -> str:
    """A fraction (0.9512) as a percentage with two decimals (95.12%)."""
    return formatting.percent(None if fraction is None else fraction * HUNDRED)


def points_text(points: Decimal | None) -> str:
    """Percentage points ahead (+3.20个百分点) or behind (-4.10个百分点) 序时进度."""
    return formatting.points(points)


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
    item_points: Decimal = Decimal(0)
    late_reports: int = 0
    is_tied: bool = False

    @property
    def group_rank_text(self) -> str:
        """As the assessment page shows it: 1, or 2（并列）."""
        if self.is_tied:
            return _("%(rank)s（并列）") % {"rank": self.group_rank}
        return str(self.group_rank)

    @property
    def deduction_text(self) -> str:
        """Points taken off as the assessment page shows them: −1.50, or 0.00."""
        return f"−{formatting.number(self.deduction)}" if self.deduction else "0.00"


def assessment_headers() -> list[str]:
    """The columns of the 考核得分排名, in the assessment page's order (``_ranking.html``)."""
    return [
        _("名次"),
        _("县（市、区）"),
        _("指标得分"),
        _("扣分"),
        _("逾期报告（份）"),
        _("总分"),
        _("全市排名"),
    ]


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
        return formatting.percent(self.rate)


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
            progress = _("完成年度计划投资%(rate)s，超序时进度%(points)s。") % {
                "rate": formatting.percent(self.completion_rate),
                "points": formatting.points(self.ahead, signed=False),
            }
        else:
            progress = _("完成年度计划投资%(rate)s，落后序时进度%(points)s。") % {
                "rate": formatting.percent(self.completion_rate),
                "points": formatting.points(-self.ahead, signed=False),
            }
        return (
            _("%(year)s年清单内重点项目%(count)s，年度计划投资%(plan)s，累计完成投资%(actual)s，")
            % {
                "year": self.year,
                "count": formatting.count(self.project_count),
                "plan": formatting.money(self.plan_total, "亿元"),
                "actual": formatting.money(self.actual_total, "亿元"),
            }
            + progress
            + _(
                "计划开工项目%(due)s、已开工%(started)s，开工率%(start_rate)s；"
                "亮红灯项目%(red)s、黄灯%(yellow)s、绿灯%(green)s。"
            )
            % {
                "due": formatting.count(self.due_to_start),
                "started": formatting.count(self.started),
                "start_rate": formatting.percent(self.start_rate),
                "red": formatting.count(self.red),
                "yellow": formatting.count(self.yellow),
                "green": formatting.count(self.green),
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
    addressee: str = ""  # 主送

    @property
    def document_title(self) -> str:
        return _("关于%(label)s%(name)s推进情况的通报") % {
            "label": self.month_label,
            "name": self.campaign_name,
        }

    @property
    def note(self) -> str:
        return _(
            "说明：数据截至%(as_of)s，由平台根据已审核的月度填报、项目阶段记录和企业名录实时计算；"
            "完成率＝累计完成÷目标，较序时进度＝完成率－序时进度（个百分点）。"
        ) % {"as_of": self.as_of_text}

    @property
    def problems_summary(self) -> str:
        return _(
            "截至本期末，尚未解决的问题%(open)s，其中超过办结期限%(overdue)s；"
            "待回复的督办事项%(orders)s，其中逾期%(late)s。"
        ) % {
            "open": formatting.count(self.open_problem_count),
            "overdue": formatting.count(self.overdue_problem_count),
            "orders": formatting.count(self.open_supervision_count, "件"),
            "late": formatting.count(self.overdue_supervision_count, "件"),
        }

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
            "截至%(as_of)s，%(campaign)s共设目标%(total)s（不含分解到县（市、区）的目标），"
            "序时进度%(elapsed)s。其中进度正常%(green)s、预警%(yellow)s、滞后%(red)s，"
            "已完成全年目标%(met)s。"
        ) % {
            "as_of": self.as_of_text,
            "campaign": self.campaign_name,
            "total": formatting.count(counts.total, "项"),
            "elapsed": percent_text(self.time_elapsed),
            "green": formatting.count(counts.green, "项"),
            "yellow": formatting.count(counts.yellow, "项"),
            "red": formatting.count(counts.red, "项"),
            "met": formatting.count(counts.met, "项"),
        }

    @property
    def reporting_summary(self) -> str:
        reporting = self.reporting
        if reporting.due_date is None:
            return _("%(label)s未开设填报期。") % {"label": reporting.period_label}
        laggards = reporting.laggards
        text = _("%(label)s月度进展应报%(due)s项目，已报送%(filed)s（截止日期%(due_date)s）。") % {
            "label": reporting.period_label,
            "due": formatting.count(reporting.due_total),
            "filed": formatting.count(reporting.filed_total),
            "due_date": date_text(reporting.due_date),
        }
        if not laggards:
            return text + _("各县（市、区）均已全部报送。")
        late = [row for row in laggards if row.is_late]
        return text + _("%(count)s县（市、区）未报齐，其中逾期未报%(late)s。") % {
            "count": formatting.count(len(laggards)),
            "late": formatting.count(len(late)),
        }


def date_text(day: dt.date) -> str:
    return _("%(year)s年%(month)s月%(day)s日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def chinese_number(number: int) -> str:
    """一 … 十 for section numbers (一、 and （一）); larger numbers, and any number in the
    English documents, as digits."""
    if (get_language() or "").startswith("en") or not 1 <= number <= 10:
        return str(number)
    return "一二三四五六七八九十"[number - 1]


def _tone(status: str) -> str:
    return (
        status
        if status in (ProgressStatus.RED, ProgressStatus.YELLOW, ProgressStatus.GREEN)
        else ""
    )


def _right(text: str) -> Cell:
    return Cell(text, align="right")


def _center(text: object, tone: str = "") -> Cell:
    return Cell(str(text), align="center", tone=tone)


def _light(row: TargetRow) -> str:
    return _("红灯") if row.status == ProgressStatus.RED else _("黄灯")


def bulletin_blocks(content: BulletinContent) -> list[Heading | Paragraph | Table]:
    """The bulletin's body: numbered sections, each a heading, its paragraphs and its tables."""
    blocks: list[Heading | Paragraph | Table] = []
    sections = 0

    def section(title: str) -> None:
        nonlocal sections
        sections += 1
        blocks.append(
            Heading(
                _("%(number)s、%(title)s") % {"number": chinese_number(sections), "title": title}
            )
        )

    def subsection(number: int, title: str) -> None:
        blocks.append(
            Heading(
                _("（%(number)s）%(title)s") % {"number": chinese_number(number), "title": title},
                level=2,
            )
        )

    section(_("总体进度"))
    blocks.append(Paragraph(content.summary))
    overall = content.overall
    blocks.append(
        Table(
            headers=(_("专项行动"), _("目标数"), _("正常"), _("预警"), _("滞后"), _("已完成")),
            rows=tuple(
                Row(
                    (
                        Cell(name),
                        _center(counts.total),
                        _center(counts.green, "green"),
                        _center(counts.yellow, "yellow"),
                        _center(counts.red, "red"),
                        _center(counts.met),
                    ),
                    is_total=is_total,
                )
                for name, counts, is_total in [
                    *((a.name, a.counts, False) for a in content.actions),
                    (_("合计"), overall, True),
                ]
            ),
        )
    )

    section(_("各项目标完成情况"))
    target_rows: list[Row] = []
    for action in content.actions:
        target_rows.append(Row.group(action.name))
        for number, t in enumerate(action.targets, start=1):
            target_rows.append(
                Row(
                    (
                        _center(number),
                        _center(t.region),
                        Cell(t.indicator),
                        _right(t.target_text),
                        _right(t.actual_text),
                        _right(t.completion_text),
                        _right(t.ahead_text),
                        _center(t.status_label, _tone(t.status)),
                    )
                )
            )
    blocks.append(
        Table(
            headers=(
                _("序号"),
                _("区域"),
                _("指标"),
                _("目标"),
                _("累计完成"),
                _("完成率"),
                _("较序时进度"),
                _("状态"),
            ),
            rows=tuple(target_rows),
            widths_cm=(0.7, 1.4, 4.4, 2.0, 2.0, 1.4, 2.6, 0.9),
        )
    )

    section(_("县（市、区）排名"))
    if content.rankings:
        blocks.append(Paragraph(_("各县（市、区）按分解目标的完成率排名（完成率相同的并列）。")))
    else:
        blocks.append(Paragraph(_("本期无分解到县（市、区）的目标。")))
    for number, ranking in enumerate(content.rankings, start=1):
        subsection(
            number,
            _("%(indicator)s：全市目标%(target)s，累计完成%(actual)s，完成率%(completion)s")
            % {
                "indicator": ranking.indicator,
                "target": ranking.city.target_text,
                "actual": ranking.city.actual_text,
                "completion": ranking.city.completion_text,
            },
        )
        blocks.append(
            Table(
                headers=(
                    _("排名"),
                    _("县（市、区）"),
                    _("分解目标"),
                    _("累计完成"),
                    _("完成率"),
                    _("较序时进度"),
                    _("状态"),
                ),
                rows=tuple(
                    Row(
                        (
                            _center("—" if r.rank is None else r.rank),
                            _center(r.region),
                            _right(r.row.target_text),
                            _right(r.row.actual_text),
                            _right(r.row.completion_text),
                            _right(r.row.ahead_text),
                            _center(r.row.status_label, _tone(r.row.status)),
                        )
                    )
                    for r in ranking.rows
                ),
            )
        )

    section(_("红黄灯预警"))
    if content.flags:
        blocks.append(
            Paragraph(
                _(
                    "以下%(count)s目标进度落后于序时进度（红灯为滞后，黄灯为预警），"
                    "请相关单位加快推进。"
                )
                % {"count": formatting.count(len(content.flags), "项")}
            )
        )
        blocks.append(
            Table(
                headers=(
                    _("灯号"),
                    _("区域"),
                    _("指标"),
                    _("目标"),
                    _("累计完成"),
                    _("完成率"),
                    _("较序时进度"),
                ),
                rows=tuple(
                    Row(
                        (
                            _center(_light(t), _tone(t.status)),
                            _center(t.region),
                            Cell(t.indicator),
                            _right(t.target_text),
                            _right(t.actual_text),
                            _right(t.completion_text),
                            _right(t.ahead_text),
                        )
                    )
                    for t in content.flags
                ),
            )
        )
    else:
        blocks.append(Paragraph(_("本期各项目标均达到序时进度，无红黄灯。")))

    section(_("月度填报情况"))
    blocks.append(Paragraph(content.reporting_summary))
    if content.reporting.laggards:
        blocks.append(
            Table(
                headers=(
                    _("县（市、区）"),
                    _("应报"),
                    _("已报"),
                    _("未报"),
                    _("退回"),
                    _("情况"),
                ),
                rows=tuple(
                    Row(
                        (
                            _center(r.region),
                            _center(r.due),
                            _center(r.filed),
                            _center(r.missing),
                            _center(r.returned),
                            _center(r.state_text, "red" if r.is_late else ""),
                        )
                    )
                    for r in content.reporting.laggards
                ),
            )
        )

    section(_("重点问题和督办事项"))
    blocks.append(Paragraph(content.problems_summary))
    number = 0
    if content.problems:
        number += 1
        subsection(number, _("待协调解决的问题"))
        blocks.append(
            Table(
                headers=(
                    _("项目"),
                    _("区域"),
                    _("问题"),
                    _("承办部门"),
                    _("办结期限"),
                    _("已提出（天）"),
                ),
                rows=tuple(
                    Row(
                        (
                            Cell(p.project_name),
                            _center(p.region),
                            Cell(p.title),
                            Cell(p.department or "—"),
                            _center(
                                p.due_date.isoformat() if p.due_date else "—",
                                "red" if p.is_overdue else "",
                            ),
                            _center(p.days_open),
                        )
                    )
                    for p in content.problems
                ),
            )
        )
    if content.supervisions:
        number += 1
        subsection(number, _("督办事项"))
        blocks.append(
            Table(
                headers=(_("督办事项"), _("督办对象"), _("相关项目"), _("办理期限"), _("状态")),
                rows=tuple(
                    Row(
                        (
                            Cell(s.title),
                            _center(s.addressee),
                            Cell(s.project_name or "—"),
                            _center(s.due_date.isoformat(), "red" if s.is_overdue else ""),
                            _center(s.status_label),
                        )
                    )
                    for s in content.supervisions
                ),
            )
        )

    if content.assessment:
        section(_("考核得分排名"))
        blocks.append(
            Paragraph(_("按最近发布的考核结果，各组内按总分排名（总分相同的名次并列）。"))
        )
        assessment_rows: list[Row] = []
        group = None
        for a in content.assessment:
            if a.group != group:
                group = a.group
                assessment_rows.append(Row.group(a.group))
            assessment_rows.append(
                Row(
                    (
                        _center(a.group_rank_text),
                        _center(a.region),
                        _right(formatting.number(a.item_points)),
                        _right(a.deduction_text),
                        _right(formatting.number(a.late_reports, 0)),
                        _right(formatting.number(a.total)),
                        _center(a.rank),
                    )
                )
            )
        blocks.append(Table(headers=tuple(assessment_headers()), rows=tuple(assessment_rows)))

    if content.plan is not None:
        plan = content.plan
        section(_("重点项目推进和红黑榜"))
        blocks.append(Paragraph(plan.summary))
        subsection(1, _("红灯项目"))
        if plan.red_projects:
            blocks.append(
                Table(
                    headers=(_("项目"), _("县（市、区）"), _("责任单位"), _("亮灯原因")),
                    rows=tuple(
                        Row(
                            (
                                Cell(p.name),
                                _center(p.region),
                                Cell(p.responsible_unit),
                                Cell(p.reasons_text),
                            )
                        )
                        for p in plan.red_projects
                    ),
                )
            )
        else:
            blocks.append(Paragraph(_("本期无亮红灯项目。")))
        for index, board in enumerate(plan.boards, start=2):
            subsection(index, board.name)
            blocks.append(
                Table(
                    headers=(
                        _("榜单"),
                        _("名次"),
                        _("名称"),
                        _("说明"),
                        formatting.with_money_unit(_("年度计划"), "亿元"),
                        formatting.with_money_unit(_("完成"), "亿元"),
                        _("完成率"),
                    ),
                    rows=tuple(
                        Row(
                            (
                                _center(label, tone),
                                _center(r.rank),
                                Cell(r.name),
                                _center(r.detail),
                                _right(formatting.money(r.plan, "亿元", with_unit=False)),
                                _right(formatting.money(r.actual, "亿元", with_unit=False)),
                                _right(r.rate_text),
                            )
                        )
                        for label, tone, rows in (
                            (_("红榜"), "", board.red),
                            (_("黑榜"), "red", board.black),
                        )
                        for r in rows
                    ),
                )
            )

    blocks.append(Paragraph(content.note, is_note=True))
    return blocks


def bulletin_document(content: BulletinContent) -> GongwenDocument:
    """The bulletin as a 公文: 版头 (title, 期数, office, date), title, 主送, body, 署名, 日期."""
    return GongwenDocument(
        masthead=content.title,
        number=content.issue_text,
        office=content.office,
        issued_on=content.issued_on_text,
        title=content.document_title,
        addressee=content.addressee,
        blocks=tuple(bulletin_blocks(content)),
        signature=content.office,
        date=content.issued_on_text,
    )
