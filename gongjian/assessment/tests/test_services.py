"""Services on the small campaign of conftest.py: exact scores from the engine and the reporting
lateness, publishing, versioning, immutability and the write permission matrix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from gongjian.assessment.models import AssessmentResult, AssessmentScore, Rubric, RubricItem
from gongjian.assessment.selectors import assessment_result_latest, late_reports
from gongjian.assessment.services import (
    RubricItemInput,
    assessment_compute,
    assessment_publish,
    rubric_create,
    rubric_item_add,
    rubric_item_remove,
    rubric_item_update,
    rubric_publish,
    rubric_update,
)
from gongjian.audit.models import AuditEvent
from gongjian.regions.models import Region

from .conftest import COUNTED_ON, INVESTMENT_ITEM, MARCH, rubric_input

D = Decimal
URBAN_OTHERS = ("350504", "350505", "QZ-TZQ", "QZ-JKQ")
COUNTY_OTHERS = ("350521", "350524", "350525", "350526", "350581", "350583")


def totals(scores) -> dict[str, tuple]:
    return {
        s.contestant.code: (s.item_points, s.deduction, s.total, s.group_rank, s.rank)
        for s in scores
    }


class TestLateReports:
    def test_counts_late_and_missing_reports(self, ledger):
        regions = list(Region.objects.filter(code__in=["350502", "350503", "350582"]))
        late = late_reports(
            campaign=ledger.campaign, month=MARCH, counted_on=COUNTED_ON, regions=regions
        )
        assert {
            code: [(p.month, p.codes, p.days) for p in c.periods] for code, c in late.items()
        } == {
            "350502": [("2022-02", ["LC-1"], 3)],
            "350582": [("2022-02", ["JJ-1"], 36)],
        }

    def test_a_period_not_yet_due_is_not_counted(self, ledger):
        regions = list(Region.objects.filter(code__in=["350502", "350582"]))
        # on 2022-03-05 (February's due date) nothing is late yet
        assert (
            late_reports(
                campaign=ledger.campaign,
                month=MARCH,
                counted_on=dt.date(2022, 3, 5),
                regions=regions,
            )
            == {}
        )


class TestCompute:
    def test_exact_scores_groups_and_ties(self, published_rubric, city_admin, ledger):
        # when the March assessment is computed under v1
        got = assessment_compute(
            actor=city_admin, campaign=ledger.campaign, month=MARCH, counted_on=COUNTED_ON
        )
        # then 鲤城 60 × 100% ÷ 120% = 50 + band 50% (20) − penalty 5 = 65, minus 1 late × 2
        #      丰泽 50 + 40 = 90; 晋江 60 × 50% ÷ 120% = 25 + 40 = 65, minus 1 late × 2
        expected = {
            "350502": (D("65.00"), D("2.00"), D("63.00"), 2, 2),
            "350503": (D("90.00"), D("0.00"), D("90.00"), 1, 1),
            "350582": (D("65.00"), D("2.00"), D("63.00"), 1, 2),
        }
        # and the districts without targets score 0, tied after the others of their group
        expected.update({c: (D("0.00"), D("0.00"), D("0.00"), 3, 4) for c in URBAN_OTHERS})
        expected.update({c: (D("0.00"), D("0.00"), D("0.00"), 2, 4) for c in COUNTY_OTHERS})
        assert totals(got.scores) == expected
        assert got.as_of == dt.date(2022, 3, 31)
        assert [name for name, _rows in got.groups()] == ["城区", "县域"]

    def test_breakdown_explains_every_point(self, published_rubric, city_admin, ledger):
        got = assessment_compute(
            actor=city_admin, campaign=ledger.campaign, month=MARCH, counted_on=COUNTED_ON
        )
        lichen = next(s for s in got.scores if s.contestant.code == "350502")
        lines = lichen.lines
        assert [(line["indicator"], line["points"]) for line in lines[:2]] == [
            ("在建重点项目完成投资", "50.00"),
            ("新开工重点项目", "15.00"),
        ]
        assert lines[0]["target"] == "4000.00"
        assert lines[0]["actual"] == "4000.00"
        assert lines[0]["completion"] == "1.0000"
        assert lines[0]["notes"] == ["100.00%，满分线 120.00%：60 × 100.00% ÷ 120.00% = 50.00 分"]
        assert lines[1]["notes"] == [
            "50.00% 在“50.00% 及以上”档，得 20.00 分",
            "低于 100.00%，扣 5.00 分",
        ]
        assert lines[2]["notes"] == ["逾期报告 1 份，每份扣 2 分，扣 2.00 分"]
        assert lines[2]["periods"] == [
            {"month": "2022-02", "due_date": "2022-03-05", "codes": ["LC-1"], "days": 3}
        ]
        # every point: the lines add up to the total
        assert sum(D(line["points"]) for line in lines) == lichen.total == D("63.00")

    def test_pace_basis_and_per_day_deduction(self, ledger, city_admin):
        rubric = rubric_create(
            actor=city_admin,
            campaign=ledger.campaign,
            data=rubric_input(
                basis="pace", late_mode="per_day", late_points=D("0.5"), late_cap=D("10")
            ),
        )
        rubric_item_add(actor=city_admin, rubric=rubric, data=INVESTMENT_ITEM)
        # a draft may be previewed
        got = assessment_compute(
            actor=city_admin,
            campaign=ledger.campaign,
            month=dt.date(2022, 2, 1),
            rubric=rubric,
            counted_on=COUNTED_ON,
        )
        scores = {s.contestant.code: s for s in got.scores}
        # February: 59 of 365 days elapsed (0.1616); 鲤城 3000 ÷ 4000 = 0.75 → 0.75 ÷ 0.1616
        # = 4.6411, capped at 1.2 → 60; 晋江 500 ÷ 2000 = 0.25 → 1.5470 → 60
        assert scores["350502"].lines[0]["ratio"] == "4.6411"
        assert scores["350502"].lines[0]["points"] == "60.00"
        # 3 days × 0.5 for 鲤城; 晋江's 36 days × 0.5 = 18, capped at 10
        assert (scores["350502"].deduction, scores["350582"].deduction) == (D("1.50"), D("10.00"))
        assert scores["350582"].lines[-1]["notes"] == [
            "逾期报告 1 份，共逾期 36 天，每天扣 0.5 分，计 18.00 分，按上限扣 10.00 分"
        ]

    def test_no_rubric_for_the_month(self, ledger, city_admin):
        with pytest.raises(ValidationError) as error:
            assessment_compute(actor=city_admin, campaign=ledger.campaign, month=MARCH)
        assert error.value.message_dict == {"rubric": ["2022-03 没有适用的已发布考核办法。"]}


class TestPublish:
    def test_publish_stores_scores_and_audits(self, published_rubric, city_admin, ledger):
        result = assessment_publish(
            actor=city_admin, campaign=ledger.campaign, month=MARCH, counted_on=COUNTED_ON
        )
        assert (result.rubric, result.month, result.as_of, result.counted_on) == (
            published_rubric,
            MARCH,
            dt.date(2022, 3, 31),
            COUNTED_ON,
        )
        stored = {
            s.region.code: (s.total, s.group_rank, s.rank, s.group_name, s.late_reports)
            for s in result.scores.select_related("region")
        }
        assert stored["350502"] == (D("63.00"), 2, 2, "城区", 1)
        assert stored["350503"] == (D("90.00"), 1, 1, "城区", 0)
        assert stored["350582"] == (D("63.00"), 1, 2, "县域", 1)
        assert len(stored) == 13
        event = AuditEvent.objects.get(object_type="assessment.assessmentresult")
        assert (event.action, event.actor, (event.after or {})["totals"]["350503"]) == (
            "create",
            city_admin,
            "90.00",
        )
        assert (
            assessment_result_latest(campaign=ledger.campaign, month=dt.date(2022, 3, 15)) == result
        )

    def test_a_draft_rubric_cannot_publish_results(self, ledger, city_admin):
        draft = rubric_create(actor=city_admin, campaign=ledger.campaign, data=rubric_input())
        rubric_item_add(actor=city_admin, rubric=draft, data=INVESTMENT_ITEM)
        with pytest.raises(ValidationError) as error:
            assessment_publish(
                actor=city_admin, campaign=ledger.campaign, month=MARCH, rubric=draft
            )
        assert error.value.message_dict == {"rubric": ["只能按已发布的考核办法发布结果。"]}
        assert AssessmentResult.objects.count() == 0

    def test_result_is_immutable(self, published_rubric, city_admin, ledger):
        result = assessment_publish(
            actor=city_admin, campaign=ledger.campaign, month=MARCH, counted_on=COUNTED_ON
        )
        score = result.scores.get(region__code="350502")
        with pytest.raises(TypeError):
            result.save()
        with pytest.raises(TypeError):
            score.save()
        with pytest.raises(TypeError):
            AssessmentScore.objects.filter(result=result).update(total=D("100"))
        # the database refuses too, whatever the ORM is bypassed with
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE assessment_assessmentscore SET total = 100")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE assessment_rubric SET name = 'x' WHERE status = 'published'")
        assert AssessmentScore.objects.get(pk=score.pk).total == score.total


class TestVersioning:
    def test_editing_a_published_rubric_makes_a_new_version(
        self, published_rubric, city_admin, ledger
    ):
        # given a result published under v1
        result = assessment_publish(
            actor=city_admin, campaign=ledger.campaign, month=MARCH, counted_on=COUNTED_ON
        )
        before = {s.region_id: (s.total, s.breakdown) for s in result.scores.all()}
        # when the rubric is edited: no late deduction, and investment weighs 80
        v2 = rubric_update(
            actor=city_admin,
            rubric=published_rubric,
            data=rubric_input(late_mode="none", late_points=D(0)),
        )
        item = published_rubric.items.get(indicator__code="key-investment")
        changed = rubric_item_update(
            actor=city_admin,
            item=item,
            data=RubricItemInput(
                indicator_code="key-investment",
                weight=D("80"),
                method="linear",
                params={"cap": "1.2"},
            ),
        )
        # then v2 is a draft copy holding the changes, and v1 is untouched
        assert (v2.version, v2.status, v2.late_mode) == (2, "draft", "none")
        assert changed.rubric == v2
        published_rubric.refresh_from_db()
        assert (published_rubric.version, published_rubric.status, published_rubric.late_mode) == (
            1,
            "published",
            "per_report",
        )
        assert [
            (i.indicator.code, i.weight) for i in published_rubric.items.order_by("sort_order")
        ] == [
            ("key-investment", D("60.00")),
            ("key-started", D("40.00")),
        ]
        assert [(i.indicator.code, i.weight) for i in v2.items.order_by("sort_order")] == [
            ("key-investment", D("80.00")),
            ("key-started", D("40.00")),
        ]
        # and the published result has not changed
        assert {s.region_id: (s.total, s.breakdown) for s in result.scores.all()} == before
        # when v2 is published and the month republished, the new result is the latest
        rubric_publish(actor=city_admin, rubric=v2)
        second = assessment_publish(
            actor=city_admin, campaign=ledger.campaign, month=MARCH, counted_on=COUNTED_ON
        )
        assert second.rubric == v2
        assert second.scores.get(region__code="350503").total == D("106.67")  # 80 ÷ 1.2 + 40
        assert assessment_result_latest(campaign=ledger.campaign, month=MARCH) == second
        assert result.scores.get(region__code="350503").total == D("90.00")

    def test_second_edit_goes_to_the_open_draft(self, published_rubric, city_admin):
        first = rubric_update(
            actor=city_admin, rubric=published_rubric, data=rubric_input(name="二版")
        )
        second = rubric_update(
            actor=city_admin, rubric=published_rubric, data=rubric_input(name="三版")
        )
        assert (first.pk, second.version, second.name) == (second.pk, 2, "三版")
        assert Rubric.objects.count() == 2

    def test_an_old_version_is_not_edited(self, published_rubric, city_admin):
        v2 = rubric_update(
            actor=city_admin, rubric=published_rubric, data=rubric_input(name="二版")
        )
        rubric_publish(actor=city_admin, rubric=v2)
        with pytest.raises(ValidationError) as error:
            rubric_update(actor=city_admin, rubric=published_rubric, data=rubric_input(name="三版"))
        assert error.value.messages == ["v1 已不是最新版本，请在 v2 上修改。"]
        assert Rubric.objects.count() == 2

    def test_remove_from_published_removes_from_the_copy(self, published_rubric, city_admin):
        item = published_rubric.items.get(indicator__code="key-started")
        draft = rubric_item_remove(actor=city_admin, item=item)
        assert draft.version == 2
        assert list(draft.items.values_list("indicator__code", flat=True)) == ["key-investment"]
        assert published_rubric.items.count() == 2


class TestValidation:
    def test_bad_item_names_the_field_and_changes_nothing(self, ledger, city_admin):
        rubric = rubric_create(actor=city_admin, campaign=ledger.campaign, data=rubric_input())
        events = AuditEvent.objects.count()
        with pytest.raises(ValidationError) as error:
            rubric_item_add(
                actor=city_admin,
                rubric=rubric,
                data=RubricItemInput(
                    indicator_code="nope",
                    weight=D("10"),
                    method="ranking",
                    params={"points": ["8", "12", "x"], "extra": 1},
                ),
            )
        assert error.value.message_dict == {
            "indicator": ["未知的指标代码“nope”。"],
            "params": [
                "未知的计分参数：extra。",
                "名次分值第 2 项须在 0 至 10 之间。",
                "名次分值第 3 项不是有效的数字。",
            ],
        }
        assert RubricItem.objects.count() == 0
        assert AuditEvent.objects.count() == events

    def test_bands_must_not_rise_as_completion_falls(self, ledger, city_admin):
        rubric = rubric_create(actor=city_admin, campaign=ledger.campaign, data=rubric_input())
        with pytest.raises(ValidationError) as error:
            rubric_item_add(
                actor=city_admin,
                rubric=rubric,
                data=RubricItemInput(
                    indicator_code="key-investment",
                    weight=D("10"),
                    method="bands",
                    params={
                        "bands": [{"from": "1", "points": "5"}, {"from": "0.8", "points": "8"}]
                    },
                ),
            )
        assert error.value.message_dict == {"params": ["起点 0.8 的档分值不能高于起点 1 的档。"]}

    def test_rubric_fields(self, ledger, city_admin):
        with pytest.raises(ValidationError) as error:
            rubric_create(
                actor=city_admin,
                campaign=ledger.campaign,
                data=rubric_input(
                    code="Bad Code",
                    name="",
                    effective_from=dt.date(2023, 1, 1),
                    late_points=D("-1"),
                ),
            )
        assert error.value.message_dict == {
            "code": ["代码只能包含小写字母、数字、“-”和“_”，最长 32 位。"],
            "name": ["名称不能为空。"],
            "effective_from": ["起用月份须在攻坚行动期限（2022-01 至 2022-12）之内。"],
            "late_points": ["每次（天）扣分须在 0 至 100 之间。"],
        }
        assert Rubric.objects.count() == 0

    def test_publish_needs_an_item(self, ledger, city_admin):
        rubric = rubric_create(actor=city_admin, campaign=ledger.campaign, data=rubric_input())
        with pytest.raises(ValidationError) as error:
            rubric_publish(actor=city_admin, rubric=rubric)
        assert error.value.messages == ["考核办法至少要有一个考核项目才能发布。"]


PERSONAS = ["lichen_filer", "fengze_filer", "leader", "city_reviewer", "department", "anonymous"]


@pytest.mark.parametrize("persona", PERSONAS)
class TestWritePermissions:
    """Only city_admin writes. A refusal changes nothing and leaves exactly one audit event, the
    refusal itself (``audit_denied``), and no create/update event."""

    def _attempts(self, ledger, rubric):
        item = rubric.items.first()
        return [
            lambda actor: rubric_create(
                actor=actor, campaign=ledger.campaign, data=rubric_input(code="other")
            ),
            lambda actor: rubric_update(actor=actor, rubric=rubric, data=rubric_input(name="改")),
            lambda actor: rubric_item_add(actor=actor, rubric=rubric, data=INVESTMENT_ITEM),
            lambda actor: rubric_item_update(actor=actor, item=item, data=INVESTMENT_ITEM),
            lambda actor: rubric_item_remove(actor=actor, item=item),
            lambda actor: rubric_publish(actor=actor, rubric=rubric),
            lambda actor: assessment_compute(actor=actor, campaign=ledger.campaign, month=MARCH),
            lambda actor: assessment_publish(actor=actor, campaign=ledger.campaign, month=MARCH),
        ]

    def test_denied(self, persona, request, published_rubric, ledger):
        actor = request.getfixturevalue(persona)
        rubric_rows = list(Rubric.objects.values())
        item_rows = list(RubricItem.objects.values())
        for attempt in self._attempts(ledger, published_rubric):
            events = set(AuditEvent.objects.values_list("pk", flat=True))
            with pytest.raises(PermissionDenied):
                attempt(actor)
            new = AuditEvent.objects.exclude(pk__in=events)
            assert list(new.values_list("action", flat=True)) == ["denied"]
        assert list(Rubric.objects.values()) == rubric_rows
        assert list(RubricItem.objects.values()) == item_rows
        assert AssessmentResult.objects.count() == 0
