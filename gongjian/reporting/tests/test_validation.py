"""The report rule registry: every rule passes a sound report and fails its slip, with the exact
message, severity and field. Facts are built directly; no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from gongjian.reporting.validation import RULES, Finding, ReportFacts, validate_report

# A sound November report of a 5 亿元 project started in March with 1 亿元 already reported.
SOUND = ReportFacts(
    month=dt.date(2022, 11, 1),
    amount=Decimal("1000.00"),
    progress_text="主体结构施工至第 12 层",
    adjustment_note="",
    total_investment=Decimal("50000.00"),
    prior_total=Decimal("10000.00"),
    started_on=dt.date(2022, 3, 15),
    completed_on=None,
)


@dataclass(frozen=True)
class Case:
    code: str
    severity: str
    field: str
    facts: ReportFacts
    message: str | None  # None: the rule passes
    # Other rules the same facts trip, in registry order (a 元 slip is also more than remains).
    also: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.code


FAILING = [
    Case(
        "negative_amount",
        "block",
        "amount",
        replace(SOUND, amount=Decimal("-5")),
        "本月完成投资不能为负数（填写了 -5.00 万元）。",
    ),
    Case(
        "too_many_decimals",
        "block",
        "amount",
        replace(SOUND, amount=Decimal("1000.005")),
        "本月完成投资最多保留两位小数（单位：万元）。",
    ),
    Case(
        "yuan_slip",
        "block",
        "amount",
        # 50 万元 typed in 元, against a 5 亿元 project, just over ten times the whole project
        replace(SOUND, amount=Decimal("500000.01"), adjustment_note="总投资调增"),
        "本月完成投资 500,000.01 万元是项目总投资 50,000.00 万元的 10 倍，"
        "疑似按“元”填报；请换算为万元（元 ÷ 10000）。",
        also=("month_exceeds_remaining",),
    ),
    Case(
        "month_exceeds_remaining",
        "warn",
        "amount",
        replace(
            SOUND,
            amount=Decimal("6000.00"),
            prior_total=Decimal("45000.00"),
            adjustment_note="总投资调增至 5.2 亿元",
        ),
        "本月完成投资 6,000.00 万元大于项目剩余未完成投资 5,000.00 万元"
        "（总投资 50,000.00 万元，此前累计完成 45,000.00 万元）。",
    ),
    Case(
        "cumulative_exceeds_total",
        "block",
        "adjustment_note",
        # Within this month's remainder, but the project's reports already overshoot the total.
        replace(SOUND, amount=Decimal("0.00"), prior_total=Decimal("50000.01")),
        "开工以来累计完成投资 50,000.01 万元将超过总投资 50,000.00 万元，"
        "请填写调整说明（如总投资已调增）。",
        also=("zero_without_note",),
    ),
    Case(
        "before_start",
        "block",
        "amount",
        replace(SOUND, month=dt.date(2022, 2, 1)),
        "项目于 2022-03-15 开工，2022-02 不能填报完成投资。",
    ),
    Case(
        "after_completion",
        "warn",
        "amount",
        replace(SOUND, completed_on=dt.date(2022, 10, 31)),
        "项目已于 2022-10-31 竣工，2022-11 仍填报完成投资，请确认是否为结算尾款。",
    ),
    Case(
        "amount_without_progress",
        "block",
        "progress_text",
        replace(SOUND, progress_text="  \n"),
        "填报了本月完成投资，请同时填写形象进度。",
    ),
    Case(
        "progress_missing",
        "block",
        "progress_text",
        # An empty row: nothing typed at all (an empty amount is stored as 0).
        replace(SOUND, amount=Decimal("0"), progress_text="", adjustment_note="停工待批"),
        "形象进度未填写：请写明本月工程进展（本月无进展也请写明原因）。",
    ),
    Case(
        "zero_without_note",
        "block",
        "adjustment_note",
        replace(SOUND, amount=Decimal("0")),
        "本月完成投资为 0：确无完成投资时请填写 0，并在调整说明中写明原因（如停工、待批）。",
    ),
]

PASSING = [
    Case("negative_amount", "block", "amount", replace(SOUND, amount=Decimal("0")), None),
    Case("too_many_decimals", "block", "amount", replace(SOUND, amount=Decimal("0.01")), None),
    Case(
        "yuan_slip",
        "block",
        "amount",
        # Exactly ten times the project is implausible but not yet called a slip
        replace(SOUND, amount=Decimal("500000.00"), adjustment_note="总投资调增"),
        None,
    ),
    Case(
        "month_exceeds_remaining",
        "warn",
        "amount",
        replace(SOUND, amount=Decimal("5000.00"), prior_total=Decimal("45000.00")),
        None,
    ),
    Case(
        "cumulative_exceeds_total",
        "block",
        "adjustment_note",
        replace(
            SOUND,
            amount=Decimal("6000.00"),
            prior_total=Decimal("45000.00"),
            adjustment_note="总投资调增至 5.2 亿元",
        ),
        None,
    ),
    Case(
        "before_start",
        "block",
        "amount",
        # The month in which the works started may report (the 15th is inside March).
        replace(SOUND, month=dt.date(2022, 3, 1)),
        None,
    ),
    Case(
        "after_completion",
        "warn",
        "amount",
        # The month of completion still reports its last works.
        replace(SOUND, completed_on=dt.date(2022, 11, 30)),
        None,
    ),
    Case(
        "amount_without_progress",
        "block",
        "progress_text",
        # Nothing done this month is judged by the zero rules below, not this one.
        replace(SOUND, amount=Decimal("0"), progress_text="", adjustment_note="停工"),
        None,
    ),
    Case(
        "progress_missing",
        "block",
        "progress_text",
        replace(SOUND, amount=Decimal("0"), adjustment_note="停工待批"),
        None,
    ),
    Case(
        "zero_without_note",
        "block",
        "adjustment_note",
        # A zero typed with its reason is a true statement.
        replace(SOUND, amount=Decimal("0"), adjustment_note="停工待批"),
        None,
    ),
]


def test_the_registry_holds_exactly_these_rules_in_this_order():
    # A new rule must come with its passing and failing case below.
    assert list(RULES) == [
        "negative_amount",
        "too_many_decimals",
        "yuan_slip",
        "month_exceeds_remaining",
        "cumulative_exceeds_total",
        "before_start",
        "after_completion",
        "amount_without_progress",
        "progress_missing",
        "zero_without_note",
    ]
    assert [c.code for c in FAILING] == list(RULES)
    assert [c.code for c in PASSING] == list(RULES)


def test_a_sound_report_has_no_findings():
    assert validate_report(SOUND) == []


@pytest.mark.parametrize("case", FAILING, ids=str)
def test_each_rule_fails_its_slip_with_the_exact_finding(case: Case):
    assert case.message is not None
    rule = RULES[case.code]
    assert (rule.severity, rule.field) == (case.severity, case.field)
    assert rule.check(case.facts) == case.message
    findings = validate_report(case.facts)
    assert [f for f in findings if f.rule == case.code] == [
        Finding(rule=case.code, severity=case.severity, field=case.field, message=case.message)
    ]
    # The slip trips this rule and no other (beyond the ones named).
    assert sorted(f.rule for f in findings) == sorted((case.code, *case.also))


@pytest.mark.parametrize("case", PASSING, ids=str)
def test_each_rule_passes_the_sound_neighbour_of_its_slip(case: Case):
    assert RULES[case.code].check(case.facts) is None
    assert case.code not in [f.rule for f in validate_report(case.facts)]


def test_a_report_in_yuan_trips_every_amount_rule_in_registry_order():
    # Given 1,000 万元 of works typed as 10,000,000 元
    facts = replace(SOUND, amount=Decimal("10000000"))

    findings = validate_report(facts)

    assert [(f.rule, f.severity, f.field) for f in findings] == [
        ("yuan_slip", "block", "amount"),
        ("month_exceeds_remaining", "warn", "amount"),
        ("cumulative_exceeds_total", "block", "adjustment_note"),
    ]
    assert findings[0].message == (
        "本月完成投资 10,000,000.00 万元是项目总投资 50,000.00 万元的 200 倍，"
        "疑似按“元”填报；请换算为万元（元 ÷ 10000）。"
    )
    assert [f.blocks for f in findings] == [True, False, True]


def test_a_project_with_no_total_investment_cannot_be_divided_by():
    facts = replace(
        SOUND, amount=Decimal("1.00"), total_investment=Decimal("0"), prior_total=Decimal("0")
    )

    assert RULES["yuan_slip"].check(facts) == (
        "本月完成投资 1.00 万元是项目总投资 0.00 万元的 ∞ 倍，"
        "疑似按“元”填报；请换算为万元（元 ÷ 10000）。"
    )


def test_remaining_is_shown_as_zero_once_the_total_is_already_exceeded():
    facts = replace(
        SOUND,
        amount=Decimal("100.00"),
        prior_total=Decimal("52000.00"),
        adjustment_note="总投资调增至 5.5 亿元",
    )

    assert (facts.since_start_total, facts.remaining) == (Decimal("52100.00"), Decimal("-2000.00"))
    assert RULES["month_exceeds_remaining"].check(facts) == (
        "本月完成投资 100.00 万元大于项目剩余未完成投资 0.00 万元"
        "（总投资 50,000.00 万元，此前累计完成 52,000.00 万元）。"
    )


def test_a_blank_adjustment_note_is_no_note():
    facts = replace(
        SOUND, amount=Decimal("6000.00"), prior_total=Decimal("45000.00"), adjustment_note=" \t"
    )

    assert RULES["cumulative_exceeds_total"].check(facts) == (
        "开工以来累计完成投资 51,000.00 万元将超过总投资 50,000.00 万元，"
        "请填写调整说明（如总投资已调增）。"
    )


def test_a_zero_report_before_start_or_after_completion_is_fine():
    # "Nothing happened this month" is a true statement in any month.
    early = replace(SOUND, month=dt.date(2022, 1, 1), amount=Decimal("0"), adjustment_note="未开工")
    late = replace(
        SOUND, completed_on=dt.date(2022, 6, 30), amount=Decimal("0"), adjustment_note="已竣工"
    )

    assert validate_report(early) == []
    assert validate_report(late) == []


def test_a_finding_as_a_dict_is_what_the_report_keeps():
    finding = validate_report(replace(SOUND, completed_on=dt.date(2022, 10, 31)))[0]

    assert finding.as_dict() == {
        "rule": "after_completion",
        "severity": "warn",
        "field": "amount",
        "message": "项目已于 2022-10-31 竣工，2022-11 仍填报完成投资，请确认是否为结算尾款。",
    }
    assert finding.blocks is False
