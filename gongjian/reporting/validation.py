"""Report validation as a registry: one function per check, each with a code, a severity and the
field it names. ``validate_report`` runs them all and returns every finding, blocking or not.

Adding a check is adding one decorated function here (and its passing and failing test).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from gongjian.core.money import format_wan
from gongjian.reporting.choices import Severity

# A monthly amount this many times the whole project is a 元-for-万元 slip, not a real figure.
YUAN_SLIP_FACTOR = Decimal(10)


@dataclass(frozen=True)
class ReportFacts:
    """Everything the rules look at, gathered once by the service (no queries inside rules)."""

    month: dt.date
    amount: Decimal
    progress_text: str
    adjustment_note: str
    total_investment: Decimal
    prior_total: Decimal  # the project's reported total for the months before this one
    started_on: dt.date | None
    completed_on: dt.date | None

    @property
    def since_start_total(self) -> Decimal:
        return self.prior_total + self.amount

    @property
    def remaining(self) -> Decimal:
        return self.total_investment - self.prior_total


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one report: which field, how serious, what to tell the filer."""

    rule: str
    severity: str
    field: str
    message: str

    @property
    def blocks(self) -> bool:
        return self.severity == Severity.BLOCK

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    field: str
    check: Callable[[ReportFacts], str | None]


RULES: dict[str, Rule] = {}


def rule(code: str, *, severity: str, field: str):
    """Register a check; it returns the message when the report fails it, else None."""

    def register(check: Callable[[ReportFacts], str | None]):
        if code in RULES:
            raise ValueError(f"duplicate report rule {code}")
        RULES[code] = Rule(code=code, severity=severity, field=field, check=check)
        return check

    return register


def validate_report(facts: ReportFacts) -> list[Finding]:
    findings = []
    for item in RULES.values():
        message = item.check(facts)
        if message:
            findings.append(Finding(item.code, item.severity, item.field, message))
    return findings


@rule("negative_amount", severity=Severity.BLOCK, field="amount")
def negative_amount(f: ReportFacts) -> str | None:
    if f.amount < 0:
        return _("本月完成投资不能为负数（填写了 %(amount)s 万元）。") % {
            "amount": format_wan(f.amount)
        }
    return None


@rule("too_many_decimals", severity=Severity.BLOCK, field="amount")
def too_many_decimals(f: ReportFacts) -> str | None:
    if f.amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return _("本月完成投资最多保留两位小数（单位：万元）。")
    return None


@rule("yuan_slip", severity=Severity.BLOCK, field="amount")
def yuan_slip(f: ReportFacts) -> str | None:
    if f.amount > 0 and f.amount > f.total_investment * YUAN_SLIP_FACTOR:
        return _(
            "本月完成投资 %(amount)s 万元是项目总投资 %(total)s 万元的 %(times)s 倍，"
            "疑似按“元”填报；请换算为万元（元 ÷ 10000）。"
        ) % {
            "amount": format_wan(f.amount),
            "total": format_wan(f.total_investment),
            "times": f"{(f.amount / f.total_investment):.0f}" if f.total_investment else "∞",
        }
    return None


@rule("month_exceeds_remaining", severity=Severity.WARN, field="amount")
def month_exceeds_remaining(f: ReportFacts) -> str | None:
    if f.amount > 0 and f.amount > f.remaining:
        return _(
            "本月完成投资 %(amount)s 万元大于项目剩余未完成投资 %(remaining)s 万元"
            "（总投资 %(total)s 万元，此前累计完成 %(prior)s 万元）。"
        ) % {
            "amount": format_wan(f.amount),
            "remaining": format_wan(max(f.remaining, Decimal(0))),
            "total": format_wan(f.total_investment),
            "prior": format_wan(f.prior_total),
        }
    return None


@rule("cumulative_exceeds_total", severity=Severity.BLOCK, field="adjustment_note")
def cumulative_exceeds_total(f: ReportFacts) -> str | None:
    if f.since_start_total > f.total_investment and not f.adjustment_note.strip():
        return _(
            "开工以来累计完成投资 %(cumulative)s 万元将超过总投资 %(total)s 万元，"
            "请填写调整说明（如总投资已调增）。"
        ) % {"cumulative": format_wan(f.since_start_total), "total": format_wan(f.total_investment)}
    return None


@rule("before_start", severity=Severity.BLOCK, field="amount")
def before_start(f: ReportFacts) -> str | None:
    if f.amount > 0 and f.started_on is not None and f.month < f.started_on.replace(day=1):
        return _("项目于 %(date)s 开工，%(month)s 不能填报完成投资。") % {
            "date": f.started_on.isoformat(),
            "month": f"{f.month:%Y-%m}",
        }
    return None


@rule("after_completion", severity=Severity.WARN, field="amount")
def after_completion(f: ReportFacts) -> str | None:
    if f.amount > 0 and f.completed_on is not None and f.month > f.completed_on.replace(day=1):
        return _("项目已于 %(date)s 竣工，%(month)s 仍填报完成投资，请确认是否为结算尾款。") % {
            "date": f.completed_on.isoformat(),
            "month": f"{f.month:%Y-%m}",
        }
    return None


@rule("amount_without_progress", severity=Severity.BLOCK, field="progress_text")
def amount_without_progress(f: ReportFacts) -> str | None:
    if f.amount > 0 and not f.progress_text.strip():
        return _("填报了本月完成投资，请同时填写形象进度。")
    return None


@rule("progress_missing", severity=Severity.BLOCK, field="progress_text")
def progress_missing(f: ReportFacts) -> str | None:
    # A month without investment still has a state of works (停工待料, 办理手续…) to report.
    if f.amount == 0 and not f.progress_text.strip():
        return _("形象进度未填写：请写明本月工程进展（本月无进展也请写明原因）。")
    return None


@rule("zero_without_note", severity=Severity.BLOCK, field="adjustment_note")
def zero_without_note(f: ReportFacts) -> str | None:
    # An empty amount is stored as 0; a real zero is a statement the filer must explain.
    if f.amount == 0 and not f.adjustment_note.strip():
        return _(
            "本月完成投资为 0：确无完成投资时请填写 0，并在调整说明中写明原因（如停工、待批）。"
        )
    return None
