"""The demo's monthly dispatch: 前期工作 milestones on the key projects (some overdue), a few dozen
要素保障 requests across factor types, 挂钩领导 and 包保责任人, pending and rejected stage claims,
and the October and November 2022 dispatch meetings with their 交办 lists (some still open).

Written as rows (the demo's 2022 dates are in the past of any business date the services would
check against), deterministically, after the projects, reports and campaign are loaded, so that
``gongjian dispatch-agenda --period 2022-11`` has items of every kind.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db.models import Q

from gongjian.accounts.models import Department, User
from gongjian.core.periods import add_months, month_start
from gongjian.dispatch import selectors
from gongjian.dispatch.choices import LinkRole, MeetingStatus, TaskStatus
from gongjian.dispatch.models import (
    AgendaItem,
    FactorRequest,
    FactorType,
    Meeting,
    MilestoneTemplate,
    ProjectLink,
    ProjectMilestone,
    Task,
    TaskStatusChange,
)
from gongjian.projects.choices import ProblemStatus, Stage, StageEventStatus
from gongjian.projects.models import Problem, Project, StageEvent
from gongjian.regions.models import Region

ZONE = ZoneInfo("Asia/Shanghai")
SEED = "dispatch-2022"
AS_OF = dt.date(2022, 11, 30)
CITY = "350500"
KEY_PREFIX = "ZD2022-"
SIGNED_PREFIX = "ZS2022-"
PREPARING_COUNT = 60
# Share of the milestones planned before the as-of date that were done on time.
DONE_SHARE = 0.9

# (name, position, username of the platform account or "")
LEADERS = (
    ("王国栋", "市委常委、常务副市长", "leader"),
    ("李建新", "副市长", ""),
    ("陈静怡", "副市长", ""),
    ("黄志坚", "副市长", ""),
    ("吴明华", "市政府秘书长", ""),
    ("郑海涛", "市人大常委会副主任", ""),
)
GUARANTOR_TITLES = ("分管副县（市、区）长", "发改局局长", "项目所在镇（街道）党委书记")
GUARANTOR_NAMES = ("林国强", "陈丽华", "张建平", "黄秀英", "刘志明", "许雅琴", "蔡文辉", "王晓东")

# (factor code, title, description, department code, (low, high) quantity)
FACTOR_NEEDS = (
    ("land", "新增建设用地指标", "项目二期需新增建设用地，用地指标尚未落实。", "zrzyj", (20, 180)),
    ("land", "土地征迁", "红线范围内仍有房屋未完成征迁，影响场平施工。", "zrzyj", (5, 60)),
    ("forest", "使用林地审批", "项目选址涉及林地，需办理使用林地审核同意书。", "zrzyj", (3, 40)),
    ("sea", "用海审批", "码头工程需办理海域使用权。", "zrzyj", (2, 30)),
    ("funds", "专项债券资金", "申请地方政府专项债券资金支持。", "fgw", (2000, 30000)),
    ("funds", "银行融资对接", "项目贷款审批进度慢，需协调金融机构。", "fgw", (5000, 50000)),
    ("energy", "能耗指标", "项目新增能耗需统筹用能指标。", "fgw", (1000, 20000)),
    ("environment", "主要污染物排放总量", "需调剂二氧化硫、氮氧化物排放总量指标。", "fgw", (5, 80)),
    ("power", "电力增容", "生产线投产前需完成专线电力增容。", "gxj", (2000, 20000)),
    ("labour", "技术工人招用", "投产后需招用熟练技术工人。", "gxj", (50, 400)),
    ("other", "施工用水临时接驳", "施工期用水接驳手续需协调。", "zjj", None),
)
REQUEST_COUNT = 36

# A tiny but valid PDF: the evidence attached to the demo's pending 开工 claims.
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class DemoDispatchSummary:
    milestones: int
    overdue_milestones: int
    requests: int
    links: int
    pending_claims: int
    rejected_claims: int
    meetings: int
    tasks: int
    open_tasks: int


def _rng(*parts: str) -> random.Random:
    return random.Random("-".join([SEED, *parts]))


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=ZONE)


def demo_dispatch_remove(projects) -> None:
    """Remove what the demo's dispatch wrote (and anything done on the demo projects since)."""
    tasks = Task.objects.filter(Q(project__in=projects) | Q(meeting__region__code=CITY))
    TaskStatusChange.objects.filter(task__in=tasks).delete()
    tasks.delete()
    Meeting.objects.filter(region__code=CITY, tasks__isnull=True).delete()
    FactorRequest.objects.filter(problem__project__in=projects).delete()
    ProjectLink.objects.filter(project__in=projects).delete()
    ProjectMilestone.objects.filter(project__in=projects).delete()


def demo_dispatch_load() -> DemoDispatchSummary:
    key = list(
        Project.objects.filter(code__startswith=KEY_PREFIX)
        .select_related("region")
        .order_by("code")
    )
    # The major signed projects still in 前期工作 (not started): the year's 预备 projects.
    preparing = list(
        Project.objects.filter(code__startswith=SIGNED_PREFIX)
        .exclude(stage_events__stage=Stage.STARTED)
        .select_related("region")
        .order_by("-total_investment", "code")[:PREPARING_COUNT]
    )
    preparing.sort(key=lambda p: p.code)
    users = {u.username: u for u in User.objects.all()}
    filers = {
        m.region.code: m.user
        for u in users.values()
        for m in u.memberships.select_related("region")
        if m.role == "district_filer"
    }
    reviewers = {
        m.region.code: m.user
        for u in users.values()
        for m in u.memberships.select_related("region")
        if m.role == "district_reviewer"
    }
    admin = users.get("city_admin")
    milestones, overdue = _milestones([*key, *preparing])
    requests = _requests([*key, *preparing], filers, admin)
    links = _links([*key, *preparing], users)
    pending, rejected = _claims(key, preparing, filers, reviewers)
    tasks, open_tasks = _meetings(admin, users)
    return DemoDispatchSummary(
        milestones=milestones,
        overdue_milestones=overdue,
        requests=requests,
        links=links,
        pending_claims=pending,
        rejected_claims=rejected,
        meetings=2,
        tasks=tasks,
        open_tasks=open_tasks,
    )


def _milestones(key: list[Project]) -> tuple[int, int]:
    """Projects not yet started go through the industrial template towards a planned start
    between October 2022 and June 2023; a quarter of the started ones have their 前期工作 on
    record, all done before their start."""
    template = MilestoneTemplate.objects.prefetch_related("steps__milestone_type").get(
        code="industrial"
    )
    steps = list(template.steps.all())
    starts = dict(
        StageEvent.objects.filter(project__in=key, stage=Stage.STARTED).values_list(
            "project_id", "date"
        )
    )
    rows = []
    overdue = 0
    for index, project in enumerate(key):
        rng = _rng("milestones", project.code)
        started = starts.get(project.pk)
        if started is None:
            start = project.planned_start_month or add_months(
                dt.date(2022, 10, 1), rng.randrange(0, 9)
            )
        elif index % 4 == 0:
            start = month_start(started)
        else:
            continue
        for step in steps:
            planned = add_months(start, -step.months_before_start) + dt.timedelta(
                days=rng.randrange(0, 20)
            )
            done = started is not None or (planned < AS_OF and rng.random() < DONE_SHARE)
            actual = None
            number = ""
            if done:
                actual = min(planned + dt.timedelta(days=rng.randrange(-15, 25)), AS_OF)
                if started is not None:
                    actual = min(actual, started)
                number = (
                    f"泉{step.milestone_type.name[:2]}〔{actual.year}〕{rng.randrange(10, 400)}号"
                )
            elif planned < AS_OF:
                overdue += 1
            rows.append(
                ProjectMilestone(
                    project=project,
                    milestone_type=step.milestone_type,
                    planned_date=planned,
                    actual_date=actual,
                    document_number=number,
                )
            )
    ProjectMilestone.objects.bulk_create(rows)
    return len(rows), overdue


def _requests(key: list[Project], filers: dict, admin) -> int:
    rng = _rng("requests")
    factors = {f.code: f for f in FactorType.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    chosen = rng.sample(key, min(REQUEST_COUNT, len(key)))
    created = 0
    for index, project in enumerate(chosen):
        code, title, description, department_code, span = FACTOR_NEEDS[index % len(FACTOR_NEEDS)]
        raised = dt.date(2022, 6, 1) + dt.timedelta(days=rng.randrange(0, 170))
        assigned = raised + dt.timedelta(days=rng.randrange(1, 6))
        due = assigned + dt.timedelta(days=rng.choice((15, 30, 45, 60)))
        # A third solved; of the rest, those due before the as-of date are past due.
        resolved = index % 3 == 0 and due <= AS_OF
        status = ProblemStatus.RESOLVED if resolved else ProblemStatus.IN_PROGRESS
        if not resolved and index % 5 == 1:
            status = ProblemStatus.OPEN
        problem = Problem.objects.create(
            project=project,
            title=title,
            description=description,
            department=departments[department_code],
            due_date=due,
            status=status,
            resolution="已协调解决，相关手续已办结。" if resolved else "",
            raised_by=filers.get(project.region.code),
            raised_at=_moment(raised),
            assigned_by=admin,
            assigned_at=_moment(assigned),
            resolved_at=_moment(due - dt.timedelta(days=3)) if resolved else None,
        )
        factor = factors[code]
        quantity = None if span is None else Decimal(rng.randrange(*span))
        FactorRequest.objects.create(
            problem=problem, factor_type=factor, quantity=quantity, unit=factor.unit
        )
        created += 1
    return created


def _links(key: list[Project], users: dict) -> int:
    rows = []
    for index, project in enumerate(key):
        name, position, username = LEADERS[index % len(LEADERS)]
        rows.append(
            ProjectLink(
                project=project,
                role=LinkRole.LEADER,
                user=users.get(username) if username else None,
                name=name,
                position=position,
                start_date=dt.date(2022, 1, 1),
            )
        )
        rows.append(
            ProjectLink(
                project=project,
                role=LinkRole.GUARANTOR,
                name=GUARANTOR_NAMES[index % len(GUARANTOR_NAMES)],
                position=f"{project.region.name}{GUARANTOR_TITLES[index % len(GUARANTOR_TITLES)]}",
                start_date=dt.date(2022, 1, 1),
            )
        )
    ProjectLink.objects.bulk_create(rows)
    return len(rows)


def _claims(
    key: list[Project], preparing: list[Project], filers: dict, reviewers: dict
) -> tuple[int, int]:
    """Pending 开工 claims (with a document) and 竣工 claims, and two rejected 开工 claims."""
    events: dict[int, list[StageEvent]] = {}
    for event in StageEvent.objects.filter(project__in=[*key, *preparing]).order_by("date"):
        events.setdefault(event.project_id, []).append(event)
    not_started = preparing[::10]
    started_only = [
        p
        for p in key
        if {e.stage for e in events.get(p.pk, [])} & {Stage.STARTED}
        and not {e.stage for e in events.get(p.pk, [])} & {Stage.COMPLETED, Stage.SUSPENDED}
    ]
    pending = rejected = 0
    for index, project in enumerate(not_started[:6]):
        last = max((e.date for e in events.get(project.pk, [])), default=dt.date(2022, 1, 1))
        day = max(last, dt.date(2022, 11, 10 + index))
        is_rejected = index >= 4
        event = StageEvent(
            project=project,
            stage=Stage.STARTED,
            date=day,
            note="施工许可证已取得，已进场施工",
            actor=filers.get(project.region.code),
            status=StageEventStatus.REJECTED if is_rejected else StageEventStatus.PENDING,
            evidence_type="application/pdf",
        )
        if is_rejected:
            event.reviewed_by = reviewers.get(project.region.code)
            event.reviewed_at = _moment(day + dt.timedelta(days=3))
            event.rejection_reason = "现场照片未见施工迹象，施工许可证尚未核发，请补充后重新申报。"
            rejected += 1
        else:
            pending += 1
        event.evidence.save(
            f"demo-{project.code}-started.pdf", ContentFile(EVIDENCE_PDF), save=False
        )
        event.save()
    for index, project in enumerate(started_only[:2]):
        last = max(e.date for e in events[project.pk])
        StageEvent.objects.create(
            project=project,
            stage=Stage.COMPLETED,
            date=max(last, dt.date(2022, 11, 20 + index)),
            note="主体工程完工，已组织竣工验收",
            actor=filers.get(project.region.code),
            status=StageEventStatus.PENDING,
            evidence_type="application/pdf",
            evidence=ContentFile(EVIDENCE_PDF, name=f"demo-{project.code}-completed.pdf"),
        )
        pending += 1
    return pending, rejected


OCTOBER_TASKS = (
    (
        "加快推进用地报批，11月底前完成土地出让。",
        "zrzyj",
        "市自然资源和规划局分管副局长",
        dt.date(2022, 11, 25),
        TaskStatus.CLOSED,
    ),
    (
        "协调专项债券资金拨付，确保项目资金到位。",
        "fgw",
        "市发改委投资科科长",
        dt.date(2022, 11, 20),
        TaskStatus.CLOSED,
    ),
    (
        "督促施工单位增加作业面，加快形象进度。",
        "350582",
        "晋江市分管副市长",
        dt.date(2022, 11, 30),
        TaskStatus.CLOSED,
    ),
    (
        "协调电力增容方案，确保年底前通电投产。",
        "gxj",
        "市工信局电力科科长",
        dt.date(2022, 11, 25),
        TaskStatus.OPEN,
    ),
    (
        "对前期工作滞后项目逐一制定倒排计划。",
        "350583",
        "南安市发改局局长",
        dt.date(2022, 11, 15),
        TaskStatus.REPORTED,
    ),
    (
        "帮助企业对接银行融资，解决贷款审批慢问题。",
        "fgw",
        "市发改委金融科",
        dt.date(2022, 11, 18),
        TaskStatus.OPEN,
    ),
)
NOVEMBER_TASKS = (
    (
        "逐项梳理逾期前期工作，12月15日前报送办理计划。",
        "zrzyj",
        "市自然资源和规划局",
        dt.date(2022, 12, 15),
    ),
    ("红灯项目所在县区主要领导带队现场办公。", "350505", "泉港区区长", dt.date(2022, 12, 20)),
    ("统筹年度能耗指标，优先保障年底投产项目。", "fgw", "市发改委环资科", dt.date(2022, 12, 25)),
    ("加大招商签约项目落地督导，年底前开工一批。", "zsj", "市招商局", dt.date(2022, 12, 31)),
    (
        "核实待核实开工项目佐证材料，按时确认或退回。",
        "350521",
        "惠安县项目办",
        dt.date(2022, 12, 10),
    ),
    ("指导企业办理施工许可，压缩审批时限。", "zjj", "市住建局审批科", dt.date(2022, 12, 16)),
)


def _meeting(region: Region, period: dt.date, held_on: dt.date, admin, number: str, summary: str):
    meeting = Meeting.objects.create(
        title=f"泉州市{period.year}年{period.month}月项目攻坚调度会",
        period=period,
        region=region,
        held_on=held_on,
        chair="王国栋（市委常委、常务副市长）",
        attendees="市发改委、市自然资源和规划局、市住建局、市工信局、市招商局，各县（市、区）、开发区分管负责同志",
        location="市行政中心 3 号楼 301 会议室",
        status=MeetingStatus.HELD,
        agenda_as_of=min(held_on, selectors.period_as_of(period)),
        summary=summary,
        minutes_number=number,
        created_by=admin,
    )
    assert meeting.agenda_as_of is not None
    entries = selectors.generate_agenda(region=region, period=period, as_of=meeting.agenda_as_of)
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=meeting,
                position=position,
                kind=entry.kind,
                ref=entry.ref,
                title=entry.title[:300],
                reasons=entry.reasons,
                project_id=entry.project_id,
            )
            for position, entry in enumerate(entries, start=1)
        ]
    )
    return meeting, entries


def _meetings(admin, users: dict) -> tuple[int, int]:
    city = Region.objects.get(code=CITY)
    departments = {d.code: d for d in Department.objects.all()}
    regions = {r.code: r for r in Region.objects.all()}
    october, entries = _meeting(
        city,
        dt.date(2022, 10, 1),
        dt.date(2022, 11, 8),
        admin,
        "泉攻坚纪〔2022〕10号",
        "会议听取了10月份全市重点项目推进情况汇报，分析了红灯项目、前期工作和要素保障存在的问题。\n"
        "会议要求，各地各部门要对照年度目标，倒排工期、挂图作战，确保完成全年任务。",
    )
    projects = [e.project_id for e in entries if e.project_id]
    tasks = 0
    open_tasks = 0
    for number, (text, owner, person, due, status) in enumerate(OCTOBER_TASKS, start=1):
        task = Task.objects.create(
            meeting=october,
            number=number,
            text=text,
            owner_department=departments.get(owner),
            owner_region=regions.get(owner) if owner not in departments else None,
            owner_person=person,
            due_date=due,
            project_id=projects[number - 1] if number <= len(projects) else None,
            status=status,
            progress="" if status == TaskStatus.OPEN else "已按要求完成。",
            closed_at=_moment(due - dt.timedelta(days=2)) if status == TaskStatus.CLOSED else None,
        )
        if status != TaskStatus.OPEN:
            TaskStatusChange.objects.create(
                task=task,
                from_status=TaskStatus.OPEN,
                to_status=status,
                actor=admin,
                note="已按要求完成。",
            )
        else:
            open_tasks += 1
        if status == TaskStatus.REPORTED:
            open_tasks += 1
        tasks += 1
    november, entries = _meeting(
        city,
        dt.date(2022, 11, 1),
        dt.date(2022, 12, 1),
        admin,
        "泉攻坚纪〔2022〕11号",
        "会议通报了11月份全市重点项目推进情况和10月份调度会交办事项办理情况。\n"
        "会议要求，对上期未办结事项继续跟踪督办；红灯项目所在地主要领导要亲自协调，确保年底前取得突破。",
    )
    projects = [e.project_id for e in entries if e.project_id]
    for number, (text, owner, person, due) in enumerate(NOVEMBER_TASKS, start=1):
        Task.objects.create(
            meeting=november,
            number=number,
            text=text,
            owner_department=departments.get(owner),
            owner_region=regions.get(owner) if owner not in departments else None,
            owner_person=person,
            due_date=due,
            project_id=projects[-number] if number <= len(projects) else None,
        )
        tasks += 1
        open_tasks += 1
    return tasks, open_tasks
