"""Reporting reminders: who has not filed this month yet, and telling their district filers.

A project is missing when it is due for the period (``reporting.selectors.projects_due``) and has
no report that reached the district reviewer (none at all, a draft, or one returned). Before the
due date each district's filers get a reminder, after it an overdue notice; each person at most
once per period and day, whoever runs the command and however often.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Membership, User
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.notifications.choices import NotificationKind, ReminderKind
from gongjian.notifications.models import ReminderLog, ReminderRun
from gongjian.notifications.services import notify
from gongjian.regions.models import Region
from gongjian.reporting.choices import PeriodState, ReportStatus
from gongjian.reporting.models import ProgressReport, ReportingPeriod
from gongjian.reporting.selectors import projects_due

# A district can miss a hundred reports in a bad month: the message names this many codes and the
# count of the rest; the workspace it links to (and the ReminderLog) has the whole list.
CODES_SHOWN = 20

# Reports that have left the filer's hands; anything else (none, draft, returned) is missing.
FILED_STATUSES = (
    ReportStatus.SUBMITTED,
    ReportStatus.DISTRICT_APPROVED,
    ReportStatus.CITY_APPROVED,
)


@dataclass(frozen=True)
class Shortfall:
    """A district and the codes of its projects still missing a filed report."""

    region: Region
    codes: list[str]


@dataclass(frozen=True)
class Reminder:
    """What one person is (or would be) told."""

    user: User
    shortfalls: list[Shortfall]
    title: str
    body: str
    sms_text: str
    link: str

    @property
    def codes(self) -> list[str]:
        return [code for s in self.shortfalls for code in s.codes]

    @property
    def emailed(self) -> bool:
        return bool(self.user.email)

    @property
    def texted(self) -> bool:
        return bool(self.user.phone)


@dataclass
class ReminderOutcome:
    period: ReportingPeriod
    today: dt.date
    kind: str
    days: int
    shortfalls: list[Shortfall]
    sent: list[Reminder] = field(default_factory=list)
    skipped: list[User] = field(default_factory=list)
    run: ReminderRun | None = None

    @property
    def project_count(self) -> int:
        return sum(len(s.codes) for s in self.shortfalls)

    def recipients_of(self, region: Region) -> list[Reminder]:
        return [r for r in self.sent if any(s.region.pk == region.pk for s in r.shortfalls)]


def reminder_shortfalls(*, period: ReportingPeriod) -> list[Shortfall]:
    """Every district with projects missing a filed report, in official order (one query for
    the codes, one for the regions)."""
    filed = ProgressReport.objects.filter(
        project=OuterRef("pk"), period=period, status__in=FILED_STATUSES
    )
    rows = (
        projects_due(period=period)
        .filter(~Exists(filed))
        .order_by("region__sort_order", "region__code", "code")
        .values_list("region_id", "code")
    )
    codes: dict[int, list[str]] = defaultdict(list)
    for region_id, code in rows:
        codes[region_id].append(code)
    regions = Region.objects.in_bulk(list(codes))
    return [
        Shortfall(region=regions[pk], codes=project_codes) for pk, project_codes in codes.items()
    ]


def code_list(codes: list[str], shown: int) -> str:
    """ "A、B、C", or "A、B 等 5 个" when there are more than ``shown``."""
    if len(codes) <= shown:
        return "、".join(codes)
    return _("%(codes)s 等 %(count)s 个") % {"codes": "、".join(codes[:shown]), "count": len(codes)}


def _deadline(period: ReportingPeriod, today: dt.date) -> str:
    due = f"{period.due_date:%Y-%m-%d}"
    days = (period.due_date - today).days
    if days > 0:
        return _("距截止还有 %(days)s 天（截止日期 %(due)s）") % {"days": days, "due": due}
    if days == 0:
        return _("今天截止（截止日期 %(due)s）") % {"due": due}
    return _("已逾期 %(days)s 天（截止日期 %(due)s）") % {"days": -days, "due": due}


def _compose(
    user: User, shortfalls: list[Shortfall], period: ReportingPeriod, today: dt.date
) -> Reminder:
    overdue = today > period.due_date
    names = "、".join(s.region.display_name for s in shortfalls)
    count = sum(len(s.codes) for s in shortfalls)
    template = (
        _("%(period)s项目进展填报已逾期：%(regions)s还有 %(count)s 个项目未报送")
        if overdue
        else _("%(period)s项目进展填报提醒：%(regions)s还有 %(count)s 个项目未报送")
    )
    title = template % {"period": period.label, "regions": names, "count": count}
    deadline = _deadline(period, today)
    lines = [
        _("%(deadline)s。") % {"deadline": deadline},
        _("未报送的项目："),
        *(
            _("%(region)s：%(codes)s")
            % {"region": s.region.display_name, "codes": code_list(s.codes, CODES_SHOWN)}
            for s in shortfalls
        ),
        _("请在“月度填报”中填写并报送。"),
    ]
    link = f"{reverse('reporting:workspace')}?period={period.month:%Y-%m}"
    if len(shortfalls) == 1:
        link += f"&region={shortfalls[0].region.code}"
    return Reminder(
        user=user,
        shortfalls=shortfalls,
        title=title,
        body="\n".join(lines),
        sms_text=_("【攻坚】%(title)s。%(deadline)s，请登录平台报送。")
        % {"title": title, "deadline": deadline},
        link=link,
    )


def _filers_by_user(shortfalls: list[Shortfall]) -> list[tuple[User, list[Shortfall]]]:
    """Each active district filer of the districts concerned, with their districts (one query)."""
    by_region = {s.region.pk: s for s in shortfalls}
    memberships = (
        Membership.objects.filter(
            role=Role.DISTRICT_FILER, region_id__in=list(by_region), user__is_active=True
        )
        .select_related("user")
        .order_by("user__username", "region__sort_order")
    )
    people: dict[int, tuple[User, list[Shortfall]]] = {}
    for membership in memberships:
        entry = people.setdefault(membership.user_id, (membership.user, []))
        entry[1].append(by_region[membership.region_id])
    return list(people.values())


def reminders_send(
    *, period: ReportingPeriod, today: dt.date, actor, dry_run: bool = False
) -> ReminderOutcome:
    """Remind (or, after the due date, chase) the filers of every district with missing reports.

    Idempotent per day: a person already reminded about ``period`` on ``today`` is skipped.
    A real run writes one ReminderRun, a ReminderLog per person and one audit event; a dry run
    writes nothing and returns what would be sent.
    """
    if not actor.has_perm("notifications.send_reminders"):
        raise audit_denied(actor=actor, obj=period, message=_("无权发送填报提醒。"))
    if period.state != PeriodState.OPEN:
        raise ValidationError(
            {"period": [_("%(label)s填报期已关闭，不再催报。") % {"label": period.label}]}
        )
    shortfalls = reminder_shortfalls(period=period)
    kind = ReminderKind.OVERDUE if today > period.due_date else ReminderKind.REMINDER
    outcome = ReminderOutcome(
        period=period,
        today=today,
        kind=kind,
        days=abs((period.due_date - today).days),
        shortfalls=shortfalls,
    )
    people = _filers_by_user(shortfalls)
    already = set(
        ReminderLog.objects.filter(
            period=period, sent_on=today, recipient_id__in=[u.pk for u, _s in people]
        ).values_list("recipient_id", flat=True)
    )
    reminders = []
    for user, theirs in people:
        if user.pk in already:
            outcome.skipped.append(user)
        else:
            reminders.append(_compose(user, theirs, period, today))
    if dry_run:
        outcome.sent = reminders
        return outcome

    notification_kind = (
        NotificationKind.REPORT_OVERDUE
        if kind == ReminderKind.OVERDUE
        else NotificationKind.REPORT_REMINDER
    )
    with transaction.atomic():
        run = ReminderRun.objects.create(period=period, run_on=today, kind=kind, actor=actor)
        for reminder in reminders:
            try:
                # A savepoint per person: a concurrent run that reminded them first wins, and
                # this run's notification (and its e-mail and SMS) is rolled back with it.
                with transaction.atomic():
                    notification = notify(
                        recipients=[reminder.user],
                        kind=notification_kind,
                        title=reminder.title,
                        body=reminder.body,
                        link=reminder.link,
                        email=True,
                        sms=True,
                        sms_text=reminder.sms_text,
                    )[0]
                    ReminderLog.objects.create(
                        run=run,
                        period=period,
                        recipient=reminder.user,
                        sent_on=today,
                        notification=notification,
                        project_codes=reminder.codes,
                        emailed=reminder.emailed,
                        texted=reminder.texted,
                    )
            except IntegrityError:
                outcome.skipped.append(reminder.user)
            else:
                outcome.sent.append(reminder)
        run.region_count = len(shortfalls)
        run.project_count = outcome.project_count
        run.recipient_count = len(outcome.sent)
        run.email_count = sum(1 for r in outcome.sent if r.emailed)
        run.sms_count = sum(1 for r in outcome.sent if r.texted)
        run.skipped_count = len(outcome.skipped)
        run.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=run,
            after={
                "period": f"{period.month:%Y-%m}",
                "run_on": today.isoformat(),
                "kind": kind,
                "region_count": run.region_count,
                "project_count": run.project_count,
                "recipient_count": run.recipient_count,
                "email_count": run.email_count,
                "sms_count": run.sms_count,
                "skipped_count": run.skipped_count,
            },
        )
    outcome.run = run
    return outcome
