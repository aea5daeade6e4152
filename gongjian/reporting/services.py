"""Writes for monthly reporting: periods, reports and their review workflow.

Every transition runs under a row lock on the report, writes a ReportStatusChange row and an audit
event, and is refused (with a Chinese message, changing nothing) when the actor lacks the role, the
period is closed, or the report is not in the state the transition starts from.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.core.money import CENT, MAX_PROJECT_INVESTMENT_WAN, format_wan
from gongjian.core.periods import add_months, month_start
from gongjian.notifications.choices import NotificationKind
from gongjian.notifications.services import notify
from gongjian.projects.choices import Stage
from gongjian.projects.models import Project, StageEvent
from gongjian.reporting.choices import EDITABLE_STATUSES, PeriodState, ReportStatus
from gongjian.reporting.models import (
    ProgressReport,
    ReportingPeriod,
    ReportPhoto,
    ReportStatusChange,
)
from gongjian.reporting.selectors import projects_due
from gongjian.reporting.validation import Finding, ReportFacts, validate_report
from gongjian.reporting.workbook import TEXT_MAX_LENGTH


class ReportConflictError(ValidationError):
    """The report changed (or was created) by someone else since this edit began."""


class ReportNotSubmittedError(ValidationError):
    """保存并报送 saved the figures as a draft, but a rule refused the submission."""

    def __init__(self, message, *, report: ProgressReport):
        super().__init__(message)
        self.report = report


# ---------------------------------------------------------------------------------------------
# Periods


def default_due_date(month: dt.date) -> dt.date:
    """The GONGJIAN_REPORT_DUE_DAY-th (default 5th) of the month after ``month``."""
    day = getattr(settings, "REPORT_DUE_DAY", 5)
    return add_months(month_start(month), 1).replace(day=day)


def period_open(*, actor, month: dt.date, due_date: dt.date | None = None) -> ReportingPeriod:
    """Open a month for reporting (idempotent for an already open month)."""
    if not actor.has_perm("reporting.manage_periods"):
        raise audit_denied(actor=actor, message=_("无权开启填报期。"))
    month = month_start(month)
    due = due_date or default_due_date(month)
    if due <= month:
        raise ValidationError({"due_date": [_("截止日期须晚于填报月份的第一天。")]})
    with transaction.atomic():
        period, created = ReportingPeriod.objects.get_or_create(
            month=month, defaults={"due_date": due}
        )
        if not created:
            if period.state == PeriodState.CLOSED:
                raise ValidationError(
                    {
                        "month": [
                            _("%(month)s 填报期已关闭；如需修改，请使用“重新开启”。")
                            % {"month": f"{month:%Y-%m}"}
                        ]
                    }
                )
            return period
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=period,
            after={"month": month.isoformat(), "due_date": due.isoformat(), "state": "open"},
        )
    return period


def _set_period_state(
    *, actor, period: ReportingPeriod, state: str, reason: str
) -> ReportingPeriod:
    if not actor.has_perm("reporting.manage_periods"):
        raise audit_denied(actor=actor, obj=period, message=_("无权变更填报期状态。"))
    with transaction.atomic():
        locked = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if locked.state == state:
            return locked
        before = locked.state
        locked.state = state
        locked.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            before={"state": before},
            after={"state": state},
            message=reason,
        )
    period.state = state
    return locked


def period_close(*, actor, period: ReportingPeriod) -> ReportingPeriod:
    """Close a month: every report in it becomes read-only."""
    return _set_period_state(actor=actor, period=period, state=PeriodState.CLOSED, reason="")


def period_reopen(*, actor, period: ReportingPeriod, reason: str) -> ReportingPeriod:
    """Reopen a closed month; the reason is required and kept in the audit log."""
    if not actor.has_perm("reporting.manage_periods"):
        raise audit_denied(actor=actor, obj=period, message=_("无权变更填报期状态。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("重新开启填报期须说明原因。")]})
    return _set_period_state(
        actor=actor, period=period, state=PeriodState.OPEN, reason=reason.strip()
    )


# ---------------------------------------------------------------------------------------------
# Facts and validation


_TOTAL: DecimalField = DecimalField(max_digits=18, decimal_places=2)
_ZERO_WAN = Value(Decimal(0), output_field=_TOTAL)


def _known_annotations(*, project: str, month: dt.date, stages: bool = True) -> dict[str, Any]:
    """What the rules and a write's answer need about the project named by ``project`` (an outer
    reference), as subqueries of the one query that reads the row anyway: its reported total for
    the months before ``month`` (``known_prior_total``) and for those of ``month``'s year
    (``known_prior_year``), and its latest confirmed 开工 and 竣工 dates."""

    def prior(**conditions: Any) -> Coalesce:
        rows = (
            ProgressReport.objects.filter(
                project=OuterRef(project), period__month__lt=month, **conditions
            )
            .order_by()
            .values("project")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return Coalesce(Subquery(rows, output_field=_TOTAL), _ZERO_WAN)

    def stage_date(stage: str) -> Subquery:
        events = (
            StageEvent.objects.confirmed()
            .filter(project=OuterRef(project), stage=stage)
            .order_by("-date", "-id")
            .values("date")[:1]
        )
        return Subquery(events)

    known: dict[str, Any] = {
        "known_prior_total": prior(),
        "known_prior_year": prior(period__month__gte=month.replace(month=1, day=1)),
        # The part of it not yet city-approved (the API's ytd_pending; see year_to_date).
        "known_prior_year_pending": prior(
            period__month__gte=month.replace(month=1, day=1),
            status__in=[s for s in ReportStatus if s != ReportStatus.CITY_APPROVED],
        ),
    }
    if stages:  # what only the rules read (a review runs none)
        known["known_started_on"] = stage_date(Stage.STARTED)
        known["known_completed_on"] = stage_date(Stage.COMPLETED)
    return known


def _facts_from(
    known: Any,
    *,
    project: Project,
    period: ReportingPeriod,
    amount: Decimal,
    progress_text: str,
    adjustment_note: str,
) -> ReportFacts:
    """``ReportFacts`` from a row read with ``_known_annotations`` (an object or a dict)."""

    def value(name: str) -> Any:
        return known[name] if isinstance(known, dict) else getattr(known, name)

    return ReportFacts(
        month=period.month,
        amount=amount,
        progress_text=progress_text or "",
        adjustment_note=adjustment_note or "",
        total_investment=project.total_investment,
        prior_total=value("known_prior_total"),
        started_on=value("known_started_on"),
        completed_on=value("known_completed_on"),
    )


def _with_totals(report: ProgressReport, known: Any) -> ProgressReport:
    """Give the written report its project's totals up to its month (``ytd``, ``ytd_pending``,
    ``since_start``: what the API answers with), from what was read with ``_known_annotations``
    and the report's own amount and status: one report per project and month, so no query is
    needed after the write."""

    def value(name: str) -> Decimal:
        return known[name] if isinstance(known, dict) else getattr(known, name)

    report.ytd = value("known_prior_year") + report.amount  # type: ignore[attr-defined]
    pending = report.amount if report.status != ReportStatus.CITY_APPROVED else Decimal(0)
    report.ytd_pending = value("known_prior_year_pending") + pending  # type: ignore[attr-defined]
    report.since_start = value("known_prior_total") + report.amount  # type: ignore[attr-defined]
    return report


def report_facts(
    *,
    project: Project,
    period: ReportingPeriod,
    amount: Decimal,
    progress_text: str,
    adjustment_note: str,
) -> ReportFacts:
    """Gather what the validation rules need, in one query.

    The prior total is as of the report's month: the project's reports for earlier months only,
    so a reopened or returned old month is judged against what was known then, not later.
    """
    known = (
        Project.objects.filter(pk=project.pk)
        .values("pk")
        .annotate(**_known_annotations(project="pk", month=period.month))
        .get()
    )
    return _facts_from(
        known,
        project=project,
        period=period,
        amount=amount,
        progress_text=progress_text,
        adjustment_note=adjustment_note,
    )


def report_check(report: ProgressReport) -> list[Finding]:
    """Run every rule over a stored report."""
    return validate_report(
        report_facts(
            project=report.project,
            period=report.period,
            amount=report.amount,
            progress_text=report.progress_text,
            adjustment_note=report.adjustment_note,
        )
    )


# The one limit on a report's texts, for the form, the Excel import and the API alike (the form
# field says it too; the service enforces it whatever the entry point).
# (The Excel template's cells carry the same limit: it is the workbook's TEXT_MAX_LENGTH.)
REPORT_TEXT_MAX_LENGTH = TEXT_MAX_LENGTH


def _text_length_errors(data: ReportInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, label in (("progress_text", _("形象进度")), ("adjustment_note", _("调整说明"))):
        length = len((getattr(data, field) or "").strip())
        if length > REPORT_TEXT_MAX_LENGTH:
            errors[field] = [
                _("%(label)s最多 %(max)s 个字（填写了 %(length)s 个字）。")
                % {"label": label, "max": REPORT_TEXT_MAX_LENGTH, "length": length}
            ]
    return errors


def storable_errors(data: ReportInput) -> dict[str, list[str]]:
    """What even a draft cannot hold, by field: one rule for the form, the API and the Excel
    import (an empty amount is kept as 0 in a draft)."""
    return {
        **_storable_amount_errors(Decimal(0) if data.amount is None else data.amount),
        **_text_length_errors(data),
    }


def _storable_amount_errors(amount: Decimal) -> dict[str, list[str]]:
    """What even a draft cannot hold (the database would refuse it)."""
    if not amount.is_finite():
        # NaN cannot even be compared with 0: refuse it before any comparison raises.
        return {"amount": [_("本月完成投资不是有效的数字。")]}
    if amount.adjusted() > MAX_PROJECT_INVESTMENT_WAN.adjusted():
        # Like "1e308": too long even to print in the message below.
        return {
            "amount": [_("本月完成投资超过 1 万亿元，超出合理范围；请确认单位是万元而不是元。")]
        }
    if amount < 0:
        return {
            "amount": [
                _("本月完成投资不能为负数（填写了 %(amount)s 万元）。")
                % {"amount": format_wan(amount)}
            ]
        }
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return {"amount": [_("本月完成投资最多保留两位小数（单位：万元）。")]}
    if amount > MAX_PROJECT_INVESTMENT_WAN:
        return {
            "amount": [
                _(
                    "本月完成投资 %(amount)s 万元超过 1 万亿元，超出合理范围；"
                    "请确认单位是万元而不是元。"
                )
                % {"amount": format_wan(amount)}
            ]
        }
    return {}


def _snapshot(report: ProgressReport) -> dict[str, Any]:
    return {
        "project": report.project.code,
        "period": f"{report.period.month:%Y-%m}",
        "amount": str(report.amount),
        "progress_text": report.progress_text,
        "adjustment_note": report.adjustment_note,
        "status": report.status,
        "version": report.version,
    }


def _require_open(period: ReportingPeriod) -> None:
    if period.state != PeriodState.OPEN:
        raise ValidationError(
            _("%(month)s 填报期已关闭，报告只读。") % {"month": f"{period.month:%Y-%m}"}
        )


# ---------------------------------------------------------------------------------------------
# Filing


@dataclass(frozen=True)
class ReportInput:
    # None: the filer left the amount empty (a draft stores 0; submitting it is refused).
    amount: Decimal | None
    progress_text: str = ""
    adjustment_note: str = ""


def report_save(
    *,
    actor,
    project: Project,
    period: ReportingPeriod,
    data: ReportInput,
    expected_version: int | None,
) -> tuple[ProgressReport, list[Finding]]:
    """Save the filer's figures as a draft.

    ``expected_version`` is None for a new report and the version the edit began from otherwise;
    a second "new" report for the same project and month, or a stale version, is refused with
    nothing written. Returns the report and the findings of every rule (for the filer to see).
    """
    if not actor.has_perm("reporting.file_report", project):
        raise audit_denied(
            actor=actor,
            obj=project,
            message=_("无权填报项目“%(code)s”的月度进展。") % {"code": project.code},
        )
    errors = storable_errors(data)
    if errors:
        raise ValidationError(errors)
    # One read before writing: whether the project is due this month, the period's state now (the
    # caller's object may have been read earlier) and what the rules need to know.
    known = (
        projects_due(period=period)
        .filter(pk=project.pk)
        .values("pk")
        .annotate(
            period_state=Subquery(ReportingPeriod.objects.filter(pk=period.pk).values("state")[:1]),
            **_known_annotations(project="pk", month=period.month),
        )
        .first()
    )
    if known is None:
        raise ValidationError(
            _(
                "项目“%(code)s”%(month)s 无需填报月度进展"
                "（未开工、已于此前竣工，或所属类别不按月填报）。"
            )
            % {"code": project.code, "month": f"{period.month:%Y-%m}"}
        )
    period.state = known["period_state"]
    _require_open(period)
    # At the column's precision, so that the returned object, its audit snapshot and the row agree
    # (otherwise an unchanged 1300 would be audited as a change from "1300.00").
    amount = (data.amount or Decimal(0)).quantize(CENT)
    progress_text = (data.progress_text or "").strip()
    adjustment_note = (data.adjustment_note or "").strip()

    if expected_version is None:
        # No savepoint around the INSERT: a second "new" report for the same project and month
        # fails the unique constraint, which rolls this whole transaction back (nothing else has
        # been written in it yet) and is answered as a conflict.
        try:
            with transaction.atomic():
                report = ProgressReport.objects.create(
                    project=project,
                    period=period,
                    amount=amount,
                    progress_text=progress_text,
                    adjustment_note=adjustment_note,
                    created_by=actor,
                )
                audit_record(
                    actor=actor, action=AuditAction.CREATE, obj=report, after=_snapshot(report)
                )
        except IntegrityError:
            raise ReportConflictError(
                _(
                    "%(code)s 的 %(month)s 报告已由他人创建，您的填报未保存；"
                    "请刷新后在该报告上修改。"
                )
                % {"code": project.code, "month": f"{period.month:%Y-%m}"}
            ) from None
    else:
        with transaction.atomic():
            report = (
                ProgressReport.objects.select_for_update(of=("self",))
                .select_related("project", "project__region", "period")
                .get(project=project, period=period)
            )
            _require_open(report.period)
            if report.version != expected_version:
                raise ReportConflictError(
                    _(
                        "保存失败：该报告已被他人修改"
                        "（当前版本 %(current)s，您编辑的是版本 %(mine)s）。"
                        "您的修改未保存，请刷新后重新填写。"
                    )
                    % {"current": report.version, "mine": expected_version}
                )
            if report.status not in EDITABLE_STATUSES:
                raise ValidationError(
                    _("报告当前状态为“%(status)s”，不能修改；如需修改请由审核人退回。")
                    % {"status": report.get_status_display()}
                )
            before = _snapshot(report)
            report.amount = amount
            report.progress_text = progress_text
            report.adjustment_note = adjustment_note
            report.version += 1
            report.save()
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=report,
                before=before,
                after=_snapshot(report),
            )
    facts = _facts_from(
        known,
        project=report.project,
        period=report.period,
        amount=report.amount,
        progress_text=report.progress_text,
        adjustment_note=report.adjustment_note,
    )
    return _with_totals(report, known), validate_report(facts)


def report_save_and_submit(
    *,
    actor,
    project: Project,
    period: ReportingPeriod,
    data: ReportInput,
    expected_version: int | None,
) -> tuple[ProgressReport, list[Finding]]:
    """保存并报送: refused with nothing written when the amount or the 形象进度 is empty (a zero
    must be typed as 0, with its reason); otherwise saved, then submitted. A blocking finding
    leaves the figures saved as a draft and raises the submission's ValidationError."""
    errors: dict[str, list[str]] = {}
    if data.amount is None:
        errors["amount"] = [
            _("本月完成投资未填写，不能报送；确无完成投资请填写 0 并在调整说明中写明原因。")
        ]
    if not (data.progress_text or "").strip():
        errors["progress_text"] = [_("形象进度未填写，不能报送。")]
    if errors:
        if not actor.has_perm("reporting.file_report", project):
            raise audit_denied(
                actor=actor,
                obj=project,
                message=_("无权填报项目“%(code)s”的月度进展。") % {"code": project.code},
            )
        raise ValidationError(errors)
    report, findings = report_save(
        actor=actor, project=project, period=period, data=data, expected_version=expected_version
    )
    try:
        report_submit(actor=actor, report=report)
    except ValidationError as error:
        raise ReportNotSubmittedError(error.message_dict, report=report) from None
    return report, findings


class _Refusal(Exception):
    """A ``guard`` of ``_transition`` refused the actor: audited once the transaction is undone."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _transition(
    *,
    actor,
    report: ProgressReport,
    allowed_from: set[str],
    to_status: str,
    reason: str = "",
    guard=None,
    before_save=None,
    checks_rules: bool = False,
) -> ProgressReport:
    """Move a report between statuses under a row lock; write a status-change row and an audit
    event.

    The locked read also brings what the checks and the answer need (the last submitter, the
    project's prior totals and stage dates), so that a transition is one read and three writes.
    ``guard(locked)`` may raise ``_Refusal``: the transaction is rolled back and the refusal
    audited, as a permission check before it would have been."""
    # Each subquery costs compiling as well as running: a submission reads the rules' facts, a
    # review the last submitter (separation of duties, the return's notice).
    known = _known_annotations(project="project_id", month=report.period.month, stages=checks_rules)
    if not checks_rules:
        known["last_submitter_id"] = Subquery(
            ReportStatusChange.objects.filter(
                report=OuterRef("pk"), to_status=ReportStatus.SUBMITTED
            )
            .order_by("-at", "-id")
            .values("actor_id")[:1]
        )
    try:
        with transaction.atomic():
            locked = (
                ProgressReport.objects.select_for_update(of=("self",))
                .select_related("project", "period", "project__region", "project__category")
                .annotate(**known)
                .get(pk=report.pk)
            )
            if guard is not None:
                guard(locked)
            _require_open(locked.period)
            if locked.status not in allowed_from:
                raise ValidationError(
                    _("报告当前状态为“%(status)s”，不能执行此操作。")
                    % {"status": locked.get_status_display()}
                )
            if locked.version != report.version:
                # The report went round (returned, edited, resubmitted) since the actor loaded
                # it: approving now would approve values the reviewer never saw.
                raise ReportConflictError(
                    _(
                        "操作失败：该报告已被他人修改"
                        "（当前版本 %(current)s，您看到的是版本 %(mine)s）。"
                        "操作未执行，请刷新后查看最新内容。"
                    )
                    % {"current": locked.version, "mine": report.version}
                )
            if before_save is not None:
                before_save(locked)
            from_status = locked.status
            locked.status = to_status
            locked.version += 1
            if to_status == ReportStatus.SUBMITTED:
                # The first filing time is what lateness is judged by; a resubmission keeps it.
                locked.submitted_at = locked.submitted_at or timezone.now()
            locked.save(
                update_fields=["status", "version", "submitted_at", "warnings", "updated_at"]
            )
            ReportStatusChange.objects.create(
                report=locked,
                from_status=from_status,
                to_status=to_status,
                actor=actor,
                reason=reason,
            )
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=locked,
                before={"status": from_status},
                after={"status": to_status},
                message=reason,
            )
    except _Refusal as refusal:
        raise audit_denied(actor=actor, obj=report, message=refusal.message) from None
    report.status, report.version = locked.status, locked.version
    return _with_totals(locked, locked)


def report_submit(*, actor, report: ProgressReport) -> ProgressReport:
    """Send a draft (or a returned report) to the district reviewer; blocking findings refuse it."""
    if not actor.has_perm("reporting.file_report", report):
        raise audit_denied(actor=actor, obj=report, message=_("无权报送该报告。"))

    def check(locked: ProgressReport) -> None:
        findings = validate_report(
            _facts_from(
                locked,
                project=locked.project,
                period=locked.period,
                amount=locked.amount,
                progress_text=locked.progress_text,
                adjustment_note=locked.adjustment_note,
            )
        )
        blocking = [f for f in findings if f.blocks]
        if blocking:
            errors: dict[str, list[str]] = {}
            for finding in blocking:
                errors.setdefault(finding.field, []).append(finding.message)
            raise ValidationError(errors)
        locked.warnings = [f.as_dict() for f in findings]

    return _transition(
        actor=actor,
        report=report,
        allowed_from=set(EDITABLE_STATUSES),
        to_status=ReportStatus.SUBMITTED,
        before_save=check,
        checks_rules=True,
    )


def report_approve(*, actor, report: ProgressReport, note: str = "") -> ProgressReport:
    """District review (submitted → district_approved) or city review (→ city_approved)."""
    if report.status == ReportStatus.SUBMITTED:
        perm, target = "reporting.review_district", ReportStatus.DISTRICT_APPROVED
    elif report.status == ReportStatus.DISTRICT_APPROVED:
        perm, target = "reporting.review_city", ReportStatus.CITY_APPROVED
    else:
        raise ValidationError(
            _("报告当前状态为“%(status)s”，不能审核通过。")
            % {"status": report.get_status_display()}
        )
    if not actor.has_perm(perm, report):
        raise audit_denied(actor=actor, obj=report, message=_("无权审核该报告。"))

    def separate_duties(locked: ProgressReport) -> None:
        # Whoever sent the figures cannot also vouch for them.
        if locked.last_submitter_id is not None and locked.last_submitter_id == actor.pk:  # type: ignore[attr-defined]
            raise _Refusal(_("不能审核自己报送的报告。"))

    return _transition(
        actor=actor,
        report=report,
        allowed_from={report.status},
        to_status=target,
        reason=note,
        guard=separate_duties,
    )


def report_return(*, actor, report: ProgressReport, reason: str) -> ProgressReport:
    """Send a report back to the filer with the reason, from either review."""
    if report.status == ReportStatus.SUBMITTED:
        perm = "reporting.review_district"
    elif report.status == ReportStatus.DISTRICT_APPROVED:
        perm = "reporting.review_city"
    else:
        raise ValidationError(
            _("报告当前状态为“%(status)s”，不能退回。") % {"status": report.get_status_display()}
        )
    if not actor.has_perm(perm, report):
        raise audit_denied(actor=actor, obj=report, message=_("无权退回该报告。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("退回须填写原因。")]})
    with transaction.atomic():
        returned = _transition(
            actor=actor,
            report=report,
            allowed_from={report.status},
            to_status=ReportStatus.RETURNED,
            reason=reason.strip(),
        )
        _notify_returned(report=returned, reason=reason.strip())
    return returned


def _notify_returned(*, report: ProgressReport, reason: str) -> None:
    """Tell whoever last submitted the report (else its creator) why it came back."""
    # ``_transition`` read the last submitter with the report (a return adds no submission).
    submitter_id = getattr(report, "last_submitter_id", None)
    if submitter_id is None:
        submitter_id = (
            report.status_changes.filter(to_status=ReportStatus.SUBMITTED)
            .order_by("-at", "-id")
            .values_list("actor_id", flat=True)
            .first()
        )
    submitter_id = submitter_id or report.created_by_id
    if submitter_id is None:
        return
    project = report.project
    month = f"{report.period.month:%Y-%m}"
    notify(
        recipients=get_user_model().objects.filter(pk=submitter_id),
        kind=NotificationKind.REPORT_RETURNED,
        title=_("%(month)s 月报被退回：%(code)s %(name)s")
        % {"month": month, "code": project.code, "name": project.name},
        body=_("退回原因：%(reason)s") % {"reason": reason},
        link=f"{reverse('reporting:workspace')}?period={month}&q={project.code}",
    )


# ---------------------------------------------------------------------------------------------
# Photos

# What a site photo may be, recognised by its first bytes (the browser's claim is not trusted).
_IMAGE_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"WEBP", 8, "image/webp", ".webp"),
)
MAX_PHOTOS_PER_REPORT = 20


def _image_type(head: bytes) -> tuple[str, str] | None:
    for signature, offset, content_type, extension in _IMAGE_SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type, extension
    return None


def report_photo_add(*, actor, report: ProgressReport, upload, caption: str = "") -> ReportPhoto:
    """Attach a site photo (JPEG, PNG or WebP, at most settings.REPORT_PHOTO_MAX_BYTES) to a
    report the filer may still change."""
    if not actor.has_perm("reporting.file_report", report):
        raise audit_denied(actor=actor, obj=report, message=_("无权为该报告上传照片。"))
    limit = settings.REPORT_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "photo": [
                    _("照片“%(name)s”为 %(size)s MB，超过 %(limit)s MB 的上限。")
                    % {
                        "name": upload.name,
                        "size": f"{upload.size / 1048576:.1f}",
                        "limit": f"{limit / 1048576:.0f}",
                    }
                ]
            }
        )
    upload.seek(0)
    detected = _image_type(upload.read(16))
    upload.seek(0)
    if detected is None:
        raise ValidationError(
            {"photo": [_("文件“%(name)s”不是 JPEG、PNG 或 WebP 图片。") % {"name": upload.name}]}
        )
    content_type, extension = detected
    caption = (caption or "").strip()[:200]
    with transaction.atomic():
        locked = (
            ProgressReport.objects.select_for_update(of=("self",))
            .select_related("project", "period")
            .get(pk=report.pk)
        )
        _require_open(locked.period)
        if locked.status not in EDITABLE_STATUSES:
            raise ValidationError(
                _("报告当前状态为“%(status)s”，不能再添加照片。")
                % {"status": locked.get_status_display()}
            )
        if locked.photos.count() >= MAX_PHOTOS_PER_REPORT:
            raise ValidationError(
                {"photo": [_("每份报告最多 %(n)s 张照片。") % {"n": MAX_PHOTOS_PER_REPORT}]}
            )
        photo = ReportPhoto(
            report=locked,
            content_type=content_type,
            size=upload.size,
            caption=caption,
            uploaded_by=actor,
        )
        # The stored name is ours, not the uploader's: no paths, no misleading extensions.
        photo.image.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
        photo.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=photo,
            after={
                "report": locked.pk,
                "content_type": content_type,
                "size": upload.size,
                "caption": caption,
                "original_name": upload.name[:200],
            },
        )
    return photo
