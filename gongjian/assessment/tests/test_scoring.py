"""Scoring rules on hand-made numbers: each method, caps, bands with bonus and penalty, ranking
points with ties, late-report deductions, and groups ranked separately. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongjian.assessment.scoring import (
    Contestant,
    ItemRule,
    LateCount,
    LatePeriod,
    Measure,
    RubricRule,
    competition_ranks,
    late_deduction,
    score_all,
    score_bands,
    score_linear,
)

D = Decimal


def measure(
    completion: str | None, elapsed: str = "0.9151", target_id: int = 1, comparator: str = "≥"
) -> Measure:
    return Measure(
        comparator=comparator,
        target_id=target_id,
        target_value=D("100.00"),
        actual=None if completion is None else D(completion) * 100,
        completion=None if completion is None else D(completion),
        time_elapsed=D(elapsed),
        unit="万元",
    )


# Two groups: 城区 a, b, c, d (official order a..d) and 县域 e, f.
PEOPLE = [
    Contestant("a", "甲区", "urban", "城区", 10),
    Contestant("b", "乙区", "urban", "城区", 20),
    Contestant("c", "丙区", "urban", "城区", 30),
    Contestant("d", "丁区", "urban", "城区", 40),
    Contestant("e", "戊县", "county", "县域", 50),
    Contestant("f", "己县", "county", "县域", 60),
]


class TestLinear:
    @pytest.mark.parametrize(
        ("ratio", "points"),
        [("0.9350", "7.79"), ("1.2000", "10.00"), ("1.3000", "10.00"), ("0", "0.00")],
    )
    def test_full_points_at_the_cap(self, ratio, points):
        # given a 10-point item with full points at 120%
        # when a district reaches ``ratio``
        earned, _note = score_linear(D(10), {"cap": "1.2"}, D(ratio))
        # then it earns 10 × min(ratio, 1.2) ÷ 1.2, rounded to 0.01
        assert earned == D(points)

    def test_note_explains_the_arithmetic(self):
        _earned, note = score_linear(D(10), {"cap": "1.2"}, D("0.9350"))
        assert note == "93.50%，满分线 120.00%：10 × 93.50% ÷ 120.00% = 7.79 分"

    def test_over_the_cap_says_so(self):
        _earned, note = score_linear(D(10), {"cap": "1"}, D("1.0500"))
        assert note == (
            "105.00%，满分线 100.00%：10 × 100.00% ÷ 100.00% = 10.00 分（超过满分线，按满分计）"
        )


BANDS = {
    "bands": [
        {"from": "1", "points": "20"},
        {"from": "0.9", "points": "16"},
        {"from": "0.8", "points": "12"},
    ],
    "bonus_per_point": "0.5",
    "bonus_max": "3",
    "penalty": "2",
}


class TestBands:
    @pytest.mark.parametrize(
        ("ratio", "base", "bonus", "penalty"),
        [
            ("1.0500", "20.00", "2.50", "0.00"),  # 5 points over 100% × 0.5
            ("1.1000", "20.00", "3.00", "0.00"),  # 5.00 capped at 3
            ("1.0000", "20.00", "0.00", "0.00"),  # met exactly: no bonus, no penalty
            ("0.9500", "16.00", "0.00", "2.00"),  # in the 90% band, missed: penalty
            ("0.8000", "12.00", "0.00", "2.00"),  # a band's start is inside it
            ("0.7999", "0.00", "0.00", "2.00"),  # below every band
        ],
    )
    def test_band_bonus_and_penalty(self, ratio, base, bonus, penalty):
        got = score_bands(D(20), BANDS, D(ratio))
        assert got[:3] == (D(base), D(bonus), D(penalty))

    def test_notes(self):
        _b, _bo, _p, notes = score_bands(D(20), BANDS, D("1.1000"))
        assert notes == [
            "110.00% 在“100.00% 及以上”档，得 20.00 分",
            "超过 100% 10.00个百分点，每个百分点加 0.5 分，加 3.00 分（封顶 3 分）",
        ]
        _b, _bo, _p, notes = score_bands(D(20), BANDS, D("0.7000"))
        assert notes == ["70.00% 低于最低档，得 0 分", "低于 100.00%，扣 2.00 分"]

    def test_penalty_line_can_be_lower(self):
        params = {**BANDS, "penalty_below": "0.9"}
        assert score_bands(D(20), params, D("0.9500"))[2] == D("0.00")
        assert score_bands(D(20), params, D("0.8500"))[2] == D("2.00")


class TestCompetitionRanks:
    def test_ties_share_a_rank_and_skip_the_next(self):
        order = {"a": 1, "b": 2, "c": 3, "d": 4}.__getitem__
        ranks = competition_ranks({"a": D("0.8"), "b": D("0.9"), "c": D("0.9"), "d": None}, order)
        assert ranks == {"b": 1, "c": 1, "a": 3, "d": 4}


class TestLateDeduction:
    late = LateCount(
        periods=[
            LatePeriod("2022-09", "2022-10-05", ["P1", "P2"], 9),
            LatePeriod("2022-10", "2022-11-05", ["P3"], 3),
        ]
    )

    def test_per_report_with_cap(self):
        rule = RubricRule(
            basis="completion",
            items=[],
            late_mode="per_report",
            late_points=D("0.5"),
            late_cap=D("1"),
        )
        assert late_deduction(rule, self.late) == (
            D("1.00"),
            "逾期报告 3 份，每份扣 0.5 分，计 1.50 分，按上限扣 1.00 分",
        )

    def test_per_report_under_cap(self):
        rule = RubricRule(
            basis="completion",
            items=[],
            late_mode="per_report",
            late_points=D("0.5"),
            late_cap=D("5"),
        )
        assert late_deduction(rule, self.late) == (
            D("1.50"),
            "逾期报告 3 份，每份扣 0.5 分，扣 1.50 分",
        )

    def test_per_day_without_cap(self):
        rule = RubricRule(
            basis="completion", items=[], late_mode="per_day", late_points=D("0.1"), late_cap=D("0")
        )
        assert late_deduction(rule, self.late) == (
            D("1.20"),
            "逾期报告 3 份，共逾期 12 天，每天扣 0.1 分，扣 1.20 分",
        )

    def test_none_late(self):
        rule = RubricRule(basis="completion", items=[], late_mode="per_day", late_points=D("0.1"))
        assert late_deduction(rule, LateCount()) == (D("0"), "无逾期报告，不扣分")


class TestScoreAll:
    def rule(self, **kwargs) -> RubricRule:
        return RubricRule(
            basis=kwargs.pop("basis", "completion"),
            items=[
                ItemRule("inv", "完成投资", D(10), "linear", {"cap": "1.2"}),
                ItemRule(
                    "sign", "签约项目", D(10), "ranking", {"points": ["10", "8", "6"], "rest": "2"}
                ),
            ],
            **kwargs,
        )

    def test_ranking_points_by_group_with_ties(self):
        # given 城区 ratios on 签约 a 0.9, b 0.9, c 0.8, d none and 县域 e 0.5, f 0.6
        measures = {
            ("sign", "a"): measure("0.9000"),
            ("sign", "b"): measure("0.9000"),
            ("sign", "c"): measure("0.8000"),
            ("sign", "d"): measure(None),
            ("sign", "e"): measure("0.5000"),
            ("sign", "f"): measure("0.6000"),
        }
        scores = {
            s.contestant.code: s
            for s in score_all(rule=self.rule(), contestants=PEOPLE, measures=measures, late={})
        }
        sign = {code: scores[code].lines[1] for code in scores}
        # then a and b tie for 1st (10 each), c is 3rd (6), d has no measurement (0)
        assert {c: (sign[c]["rank"], sign[c]["points"]) for c in "abcd"} == {
            "a": (1, "10.00"),
            "b": (1, "10.00"),
            "c": (3, "6.00"),
            "d": (4, "0.00"),
        }
        # and 县域 is ranked on its own: f 1st despite a lower ratio than every 城区 district
        assert {c: (sign[c]["rank"], sign[c]["points"]) for c in "ef"} == {
            "e": (2, "8.00"),
            "f": (1, "10.00"),
        }
        assert sign["a"]["notes"] == ["90.00%，城区组内第 1 名（并列），得 10.00 分"]
        assert sign["d"]["notes"] == ["无可计量的完成情况，不计分"]

    def test_a_cap_target_ranks_the_least_used_first(self):
        # given a cap (≤): 城区 a used 90 % of its cap, b 90 %, c 80 %, 县域 e 50 %, f 60 %
        measures = {
            ("sign", code): measure(value, comparator="≤")
            for code, value in {
                "a": "0.9000",
                "b": "0.9000",
                "c": "0.8000",
                "e": "0.5000",
                "f": "0.6000",
            }.items()
        }
        scores = score_all(rule=self.rule(), contestants=PEOPLE, measures=measures, late={})
        sign = {s.contestant.code: s.lines[1] for s in scores}
        # then c, using the least, is 1st and a and b tie for 2nd; e is 1st of 县域
        assert {c: (sign[c]["rank"], sign[c]["points"]) for c in "abcef"} == {
            "a": (2, "8.00"),
            "b": (2, "8.00"),
            "c": (1, "10.00"),
            "e": (1, "10.00"),
            "f": (2, "8.00"),
        }

    def test_totals_ranks_and_deductions(self):
        # given 城区: a and b both earn 10 + 10, but b has 2 late reports (0.5 each)
        measures = {
            ("inv", "a"): measure("1.2000"),
            ("inv", "b"): measure("1.2000"),
            ("inv", "c"): measure("0.6000"),
            ("sign", "a"): measure("0.9000"),
            ("sign", "b"): measure("0.9000"),
            ("sign", "c"): measure("0.9000"),
            ("inv", "e"): measure("0.3000"),
            ("sign", "e"): measure("0.1000"),
            ("inv", "f"): measure("0.3000"),
            ("sign", "f"): measure("0.1000"),
        }
        late = {"b": LateCount(periods=[LatePeriod("2022-10", "2022-11-05", ["B1", "B2"], 4)])}
        rule = self.rule(late_mode="per_report", late_points=D("0.5"), late_cap=D("3"))
        scores = {
            s.contestant.code: s
            for s in score_all(rule=rule, contestants=PEOPLE, measures=measures, late=late)
        }
        got = {
            c: (s.item_points, s.deduction, s.total, s.group_rank, s.rank)
            for c, s in scores.items()
        }
        assert got == {
            "a": (D("20.00"), D("0"), D("20.00"), 1, 1),
            "b": (D("20.00"), D("1.00"), D("19.00"), 2, 2),
            "c": (D("15.00"), D("0"), D("15.00"), 3, 3),
            # d has no target for either item: 0 points, last in its group
            "d": (D("0"), D("0"), D("0"), 4, 6),
            # e and f tie in 县域 (2.50 + 10): both 1st, and tied 4th across the city
            "e": (D("12.50"), D("0"), D("12.50"), 1, 4),
            "f": (D("12.50"), D("0"), D("12.50"), 1, 4),
        }
        deduction = scores["b"].lines[-1]
        assert deduction == {
            "kind": "deduction",
            "mode": "per_report",
            "late_reports": 2,
            "late_days": 4,
            "per": "0.5",
            "cap": "3",
            "points": "-1.00",
            "periods": [
                {"month": "2022-10", "due_date": "2022-11-05", "codes": ["B1", "B2"], "days": 4}
            ],
            "notes": ["逾期报告 2 份，每份扣 0.5 分，扣 1.00 分"],
        }
        assert scores["d"].lines[0]["notes"] == ["未分解该指标目标，不计分"]

    def test_pace_basis_divides_by_time_elapsed(self):
        # given completion 0.8 at 序时进度 0.8 (on pace) and 0.4 at 0.8 (half pace)
        measures = {
            ("inv", "a"): measure("0.8000", "0.8000"),
            ("inv", "b"): measure("0.4000", "0.8000"),
        }
        scores = score_all(
            rule=self.rule(basis="pace"), contestants=PEOPLE[:2], measures=measures, late={}
        )
        # then the ratios are 1.0000 and 0.5000: 10 × 1 ÷ 1.2 and 10 × 0.5 ÷ 1.2
        assert [(s.lines[0]["ratio"], s.lines[0]["points"]) for s in scores] == [
            ("1.0000", "8.33"),
            ("0.5000", "4.17"),
        ]
