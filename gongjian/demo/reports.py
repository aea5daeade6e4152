"""Build the demo's monthly reporting in memory: the periods of 2022, and for every month
2022-01 … 2022-11 and every project due that month, what was filed and each step of its review.

The rules of ``generator.py`` hold here too: each project draws from its own ``random.Random``
seeded with a fixed string, and money is ``Decimal`` from the annual plan to the last cent, so the
figures the tests pin hold on every machine.

How the amounts come about: a project invests its annual plan, scaled by its district's pace and
a draw of its own, over the months it is under construction in 2022, in the shape of
``INVESTMENT_MONTH_WEIGHTS`` (low around the Spring Festival, rising through the year). January
to November are reported; December is still to come, so the year's reports end short of the plans:
the city's key projects stand near 1,550 亿元 of ~1,700 亿元 planned, some districts ahead of their
plans and some behind.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gongjian.accounts.choices import Role
from gongjian.core.periods import add_months, month_end, month_start, months_between
from gongjian.demo.data import (
    CITY_RETURN_REASONS,
    CLOSED_MONTHS,
    COMPLETED_TEXTS,
    DEMO_SEED,
    DEMO_TODAY,
    DEMO_USERS,
    DEMO_ZONE,
    DISTRICT_RETURN_REASONS,
    DISTRICT_STAFF,
    DISTRICTS,
    EMPTY_OPEN_MONTH,
    HOLIDAYS_2022,
    INVESTMENT_MONTH_WEIGHTS,
    LATE_SHARE,
    OPEN_MONTH_STATUS_WEIGHTS,
    PACE_EFFECT_PERCENT,
    PROGRESS_FLOORS,
    PROGRESS_STEPS,
    PROGRESS_UNITS,
    REPORT_DUE_DAY,
    REPORTED_MONTHS,
    RETURNED_ONCE_SHARE,
    SPRING_FESTIVAL_PAUSE_SHARE,
    SPRING_FESTIVAL_PAUSE_TEXT,
    SUSPENDED_TEXT,
)
from gongjian.demo.generator import CENT, ProjectSpec
from gongjian.projects.choices import Stage
from gongjian.reporting.choices import PeriodState, ReportStatus

CITY_REVIEWER = "city_reviewer"
# Filing and review happen in office hours: 8:30 to 17:50, in minutes after midnight.
_OFFICE_OPENS, _OFFICE_CLOSES = 8 * 60 + 30, 17 * 60 + 50
_YEAR_START, _LAST_MONTH = dt.date(2022, 1, 1), dt.date(2022, 12, 1)


@dataclass(frozen=True)
class PeriodSpec:
    """A reporting month to create: when it is due, whether it is still open, when it opened."""

    month: dt.date
    due_date: dt.date
    state: str
    opened_at: dt.datetime


@dataclass(frozen=True)
class TransitionSpec:
    """One step of a report's review, as the workflow services would have recorded it."""

    from_status: str
    to_status: str
    actor: str  # username
    at: dt.datetime
    reason: str = ""


@dataclass(frozen=True)
class ReportSpec:
    """A project's report for one month, with its review history."""

    project_code: str
    month: dt.date
    amount: Decimal
    progress_text: str
    status: str
    created_by: str  # username
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    version: int
    transitions: tuple[TransitionSpec, ...]
    # A month without investment says why (the submission rule asks it of every 0).
    adjustment_note: str = ""

    @property
    def updated_at(self) -> dt.datetime:
        return self.transitions[-1].at if self.transitions else self.created_at


def due_date(month: dt.date) -> dt.date:
    """Reports for ``month`` are due on the REPORT_DUE_DAY-th of the month after."""
    return add_months(month, 1).replace(day=REPORT_DUE_DAY)


def reporting_periods() -> list[PeriodSpec]:
    """2022-01 … 2022-10 closed; 2022-11 open and in review; 2022-12 open with nothing filed."""
    return [
        PeriodSpec(
            month=month,
            due_date=due_date(month),
            state=PeriodState.CLOSED if month in CLOSED_MONTHS else PeriodState.OPEN,
            # The campaign office opens each month a few days before it begins.
            opened_at=_at(add_months(month, -1).replace(day=25), 9 * 60),
        )
        for month in (*REPORTED_MONTHS, EMPTY_OPEN_MONTH)
    ]


def generate_reports(
    projects: Sequence[ProjectSpec], *, monthly_categories: Iterable[str]
) -> list[ReportSpec]:
    """Every report of 2022-01 … 2022-11, by month, then project code.

    A project is due in a month (as ``reporting.selectors.projects_due`` has it) when its category
    is in ``monthly_categories``, it started by the end of the month and was not completed before
    the month began. Every such report exists, except a few of the open month's not yet filed.
    """
    categories = set(monthly_categories)
    paces = {district.code: district.pace for district in DISTRICTS}
    staff = _Staff.of_demo()
    reports: list[ReportSpec] = []
    for project in projects:
        if project.category_code in categories:
            reports.extend(_project_reports(project, paces[project.region_code], staff))
    reports.sort(key=lambda report: (report.month, report.project_code))
    return reports


@dataclass(frozen=True)
class _Staff:
    """Who files and who checks each district's reports."""

    filers: dict[str, str]  # region code → username
    reviewers: dict[str, str]

    @classmethod
    def of_demo(cls) -> _Staff:
        users = (*DEMO_USERS, *DISTRICT_STAFF)
        return cls(
            filers={u.region_code: u.username for u in users if u.role == Role.DISTRICT_FILER},
            reviewers={
                u.region_code: u.username for u in users if u.role == Role.DISTRICT_REVIEWER
            },
        )


def _rng(*parts: str) -> random.Random:
    # A string seed is hashed with SHA-512: stable across runs, platforms and PYTHONHASHSEED.
    return random.Random("-".join([str(DEMO_SEED), *parts]))


def _event_date(project: ProjectSpec, stage: str) -> dt.date | None:
    return next((event.date for event in project.events if event.stage == stage), None)


# --- one project's year ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Course:
    """How a project's 2022 runs: when it started, stopped or finished, and what it invests."""

    project: ProjectSpec
    started: dt.date
    completed: dt.date | None
    suspended: dt.date | None
    suspension_reason: str
    # Investment planned for each month it builds in 2022 (the annual plan, paced and spread).
    planned: dict[dt.date, Decimal]

    def is_due(self, month: dt.date) -> bool:
        return self.started <= month_end(month) and not (
            self.completed is not None and self.completed < month
        )

    def is_stopped(self, month: dt.date) -> bool:
        return self.suspended is not None and month > month_start(self.suspended)


def _course(rng: random.Random, project: ProjectSpec, pace: float) -> _Course | None:
    started = _event_date(project, Stage.STARTED)
    if started is None:
        return None
    completed = _event_date(project, Stage.COMPLETED)
    suspension = next((e for e in project.events if e.stage == Stage.SUSPENDED), None)
    # A month weighs its place in the year's curve times the days the project builds in it.
    last_day = completed or month_end(_LAST_MONTH)
    weights: dict[dt.date, int] = {}
    for month in months_between(max(_YEAR_START, started), min(_LAST_MONTH, last_day)):
        first = max(month, started)
        last = min(month_end(month), last_day)
        if suspension is not None and month == month_start(suspension.date):
            last = min(last, suspension.date)
        days = max(1, (last - first).days + 1)
        weights[month] = INVESTMENT_MONTH_WEIGHTS[month.month - 1] * days
    # The share of its annual plan a project gets done: its district's pace, and its own luck.
    pace_percent = 100 + (round(pace * 100) - 100) * PACE_EFFECT_PERCENT // 100
    execution = project.annual_plan * pace_percent * rng.randint(90, 120) / 10_000
    # A suspended project would have spread its plan over the whole year; it stops short instead.
    whole = sum(weights.values())
    planned = {month: execution * weight / whole for month, weight in weights.items()}
    return _Course(
        project=project,
        started=started,
        completed=completed,
        suspended=suspension.date if suspension else None,
        suspension_reason=suspension.note if suspension else "",
        planned=planned,
    )


def _round_figure(rng: random.Random, value: Decimal) -> Decimal:
    """A monthly amount as filers write it: most to whole or ten 万元, small ones to the cent."""
    draw = rng.random()
    if value >= 1_000 and draw < 0.5:
        return (value / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 10
    if value >= 100 and draw < 0.8:
        return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _project_reports(project: ProjectSpec, pace: float, staff: _Staff) -> list[ReportSpec]:
    rng = _rng("report", project.code)
    course = _course(rng, project, pace)
    if course is None:
        return []
    months = [month for month in REPORTED_MONTHS if course.is_due(month)]
    if not months:
        return []
    writer = _ProgressWriter(rng, course)
    total = project.total_investment
    done = Decimal(0)  # since the first report; never above the total investment
    reports = []
    for month in months:
        if course.is_stopped(month):
            amount = Decimal(0)
            text = SUSPENDED_TEXT.format(reason=course.suspension_reason)
        elif month.month <= 2 and rng.random() < SPRING_FESTIVAL_PAUSE_SHARE:
            amount = Decimal(0)
            text = SPRING_FESTIVAL_PAUSE_TEXT
        else:
            planned = course.planned[month] * rng.randint(80, 120) / 100
            amount = min(_round_figure(rng, planned), total - done)
            text = writer.text(month, done + amount)
        done += amount
        workflow = _workflow(rng, month, pace)
        if workflow is None:
            continue
        # Nobody reports on works before they begin, nor a completion before the day.
        earliest = course.started
        if course.completed is not None and month == month_start(course.completed):
            earliest = course.completed
        reports.append(_report(rng, project, month, amount, text, workflow, staff, earliest))
    return reports


# --- 形象进度 ---------------------------------------------------------------------------------


def works_kind(project: ProjectSpec) -> str:
    """Which kind of works a project is (a key of PROGRESS_STEPS), read from its name."""
    name = project.name
    for kind, words in _KIND_WORDS:
        if any(word in name for word in words):
            return kind
    if project.industry_chain_code in ("infrastructure", "public-services"):
        return "building"
    if any(word in name for word in _SERVICE_BUILDINGS):
        return "building"
    return "factory"


# First match wins: "古城…强弱电管线下地工程" is old-town work, not pipes, and "智慧停车场" is
# built, not programmed.
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("telecom", ("5G",)),
    ("datacentre", ("数据中心",)),
    ("charging", ("充电站",)),
    ("solar", ("光伏发电",)),
    ("storage", ("储能电站",)),
    ("building", ("停车场", "停车楼")),
    ("platform", ("工业互联网平台", "智慧")),
    ("retrofit", ("技改", "数字化车间", "生产线项目")),
    ("oldtown", ("古城",)),
    ("rebuild", ("旧村改造", "城中村改造", "棚户区改造", "城市更新")),
    ("renewal", ("老旧小区",)),
    ("pipes", ("管网", "管道", "雨污分流", "排水防涝", "海绵城市", "管廊")),
    (
        "landscape",
        ("公园", "绿道", "湿地", "绿廊", "步道", "岸线", "防洪堤", "亲水", "景观", "广场"),
    ),
    ("road", ("段）", "立交", "跨线桥", "天桥", "道路", "慢行系统", "提升改造工程")),
)
# Industrial-chain projects that are offices, malls and warehouses rather than factories.
_SERVICE_BUILDINGS: tuple[str, ...] = (
    "综合体",
    "总部",
    "研发中心",
    "研发基地",
    "物流园",
    "数字经济产业园",
    "文创园",
)


class _ProgressWriter:
    """Writes a project's 形象进度 from the share of its works done."""

    def __init__(self, rng: random.Random, course: _Course) -> None:
        project = course.project
        self._rng = rng
        self._course = course
        kind = works_kind(project)
        self._steps = PROGRESS_STEPS[kind]
        self._floors = rng.randint(*PROGRESS_FLOORS.get(kind, (4, 12)))
        self._units = rng.randint(*PROGRESS_UNITS.get(kind, (10, 100)))
        total = project.total_investment
        this_year = sum(course.planned.values(), Decimal(0))
        year_percent = int(this_year * 100 / total) if total else 0
        # Works done before 2022, in percent: none for a 2022 start; for a project finishing in
        # 2022 what its plan leaves; else a draw that leaves room for this year's works.
        if course.started >= _YEAR_START:
            self._before = 0
        elif course.completed is not None:
            self._before = max(0, 100 - year_percent)
        else:
            self._before = rng.randint(5, max(5, 90 - year_percent))
        # Percent of the works an amount stands for: of the total investment, or for a project
        # finishing in 2022, of what it still had to do (so that it reaches 100 on completion).
        if course.completed is None:
            self._per_cent_of = total / 100
        else:
            self._per_cent_of = this_year / max(1, 100 - self._before)

    def text(self, month: dt.date, done: Decimal) -> str:
        course, rng = self._course, self._rng
        if course.completed is not None and month == month_start(course.completed):
            return rng.choice(COMPLETED_TEXTS)
        share = int(done / self._per_cent_of) if self._per_cent_of else 0
        percent = min(97, self._before + share)
        # The step the works are in, and where it began (the last step ends at 100).
        index = next(i for i, (high, _) in enumerate(self._steps) if percent < high)
        high, phrases = self._steps[index]
        low = self._steps[index - 1][0] if index else 0
        within = (percent - low) * 100 // (high - low)
        tenths = max(1, self._units * percent // 100)
        return rng.choice(phrases).format(
            step=min(90, max(10, within // 10 * 10)),
            floor=max(1, self._floors * within // 100),
            km=f"{tenths // 10}.{tenths % 10}".removesuffix(".0"),
            count=max(1, self._units * percent // 100),
        )


# --- review -----------------------------------------------------------------------------------

# A flow is the statuses a report passes through after its draft, and who moves it: the district's
# filer, its reviewer, or the city reviewer.
_APPROVED = (
    (ReportStatus.SUBMITTED, "filer"),
    (ReportStatus.DISTRICT_APPROVED, "reviewer"),
    (ReportStatus.CITY_APPROVED, "city"),
)
_RETURNED_ONCE = (
    (ReportStatus.SUBMITTED, "filer"),
    (ReportStatus.RETURNED, "reviewer"),
    (ReportStatus.SUBMITTED, "filer"),
    (ReportStatus.DISTRICT_APPROVED, "reviewer"),
    (ReportStatus.CITY_APPROVED, "city"),
)
_OPEN_MONTH_FLOWS: dict[str, tuple[tuple[str, str], ...]] = {
    "city_approved": _APPROVED,
    "district_approved": _APPROVED[:2],
    "submitted": _APPROVED[:1],
    "returned": ((ReportStatus.SUBMITTED, "filer"), (ReportStatus.RETURNED, "reviewer")),
}
_RETURNED_BY_CITY = (
    (ReportStatus.SUBMITTED, "filer"),
    (ReportStatus.DISTRICT_APPROVED, "reviewer"),
    (ReportStatus.RETURNED, "city"),
)


@dataclass(frozen=True)
class _Workflow:
    """How a report went through review, and in which days."""

    flow: tuple[tuple[str, str], ...]
    # Days the draft is written in, and days the steps after it happen in.
    drafted: tuple[dt.date, dt.date]
    reviewed: tuple[dt.date, dt.date] | None = None  # None: the same days as the draft


def _workflow(rng: random.Random, month: dt.date, pace: float) -> _Workflow | None:
    """How this month's report went; None when it has not been filed (the open month only)."""
    last = month_end(month)
    # Slower districts file late and leave reports missing more often.
    lag = 2 - pace
    if month in CLOSED_MONTHS:
        if rng.random() < RETURNED_ONCE_SHARE:
            return _Workflow(_RETURNED_ONCE, (month.replace(day=12), last))
        if rng.random() < LATE_SHARE * lag:
            due = due_date(month)
            late = (due + dt.timedelta(days=1), due + dt.timedelta(days=14))
            return _Workflow(_APPROVED, (month.replace(day=16), last), late)
        return _Workflow(_APPROVED, (month.replace(day=16), last))
    weights = [
        weight * lag if status in ("submitted", "missing") else weight
        for status, weight in OPEN_MONTH_STATUS_WEIGHTS
    ]
    status = rng.choices([status for status, _ in OPEN_MONTH_STATUS_WEIGHTS], weights)[0]
    if status == "missing":
        return None
    flow = _OPEN_MONTH_FLOWS[status]
    if status == "returned" and rng.random() < 0.25:
        flow = _RETURNED_BY_CITY
    return _Workflow(flow, (month.replace(day=18), min(last, DEMO_TODAY)))


def _report(
    rng: random.Random,
    project: ProjectSpec,
    month: dt.date,
    amount: Decimal,
    text: str,
    workflow: _Workflow,
    staff: _Staff,
    earliest: dt.date,
) -> ReportSpec:
    region = project.region_code
    actors = {
        "filer": staff.filers[region],
        "reviewer": staff.reviewers[region],
        "city": CITY_REVIEWER,
    }
    steps = len(workflow.flow)
    first, last = workflow.drafted
    first = max(first, earliest)
    if workflow.reviewed is None:
        moments = _moments(rng, first, last, count=1 + steps)
    else:
        moments = _moments(rng, first, last, count=1) + _moments(
            rng, *workflow.reviewed, count=steps
        )
    transitions = []
    status: str = ReportStatus.DRAFT
    for (to_status, role), at in zip(workflow.flow, moments[1:], strict=True):
        reason = ""
        if to_status == ReportStatus.RETURNED:
            reasons = CITY_RETURN_REASONS if role == "city" else DISTRICT_RETURN_REASONS
            reason = rng.choice(reasons)
        transitions.append(TransitionSpec(status, to_status, actors[role], at, reason))
        status = to_status
    submissions = [t.at for t in transitions if t.to_status == ReportStatus.SUBMITTED]
    # As the services count: one version per transition, and one for the edit after a return.
    edits = sum(1 for t in transitions[:-1] if t.to_status == ReportStatus.RETURNED)
    return ReportSpec(
        project_code=project.code,
        month=month,
        amount=amount,
        progress_text=text,
        adjustment_note="" if amount else ZERO_AMOUNT_NOTE,
        status=status,
        created_by=actors["filer"],
        created_at=moments[0],
        # The services stamp every submission; the last one stands.
        submitted_at=submissions[-1] if submissions else None,
        version=1 + len(transitions) + edits,
        transitions=tuple(transitions),
    )


ZERO_AMOUNT_NOTE = "本月停工，无完成投资（原因见形象进度）。"


@functools.cache
def _workdays(first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    """The days from ``first`` to ``last`` that are neither weekends nor 2022 holidays (or, when
    there are none, every day: a report due then is still filed)."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    workdays = [
        day
        for day in days
        if day.weekday() < 5 and not any(start <= day <= end for start, end in HOLIDAYS_2022)
    ]
    return tuple(workdays or days)


def _at(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=DEMO_ZONE)


def _moments(rng: random.Random, first: dt.date, last: dt.date, *, count: int) -> list[dt.datetime]:
    """``count`` moments in office hours of working days from ``first`` to ``last``, in order."""
    workdays = _workdays(first, last)
    picks = sorted(
        (rng.choice(workdays), rng.randint(_OFFICE_OPENS, _OFFICE_CLOSES)) for _ in range(count)
    )
    moments: list[dt.datetime] = []
    for day, minute in picks:
        moment = _at(day, minute)
        if moments and moment <= moments[-1]:
            moment = moments[-1] + dt.timedelta(minutes=rng.randint(3, 30))
        moments.append(moment)
    return moments
