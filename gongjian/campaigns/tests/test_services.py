"""Writes to campaigns: only the campaign office, always audited, refused with nothing changed;
validation with exact messages; allocation of a city target and the gap warning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjian.audit.models import AuditEvent
from gongjian.campaigns.models import (
    Campaign,
    Indicator,
    LeadingGroupMember,
    SpecialAction,
    Target,
)
from gongjian.campaigns.selectors import allocation_gap
from gongjian.campaigns.services import (
    CampaignInput,
    IndicatorInput,
    SpecialActionInput,
    TargetInput,
    campaign_create,
    campaign_update,
    indicator_create,
    indicator_update,
    leading_group_member_add,
    leading_group_member_remove,
    plan_curve_from_values,
    special_action_create,
    target_allocate,
    target_create,
    target_delete,
    target_update,
)
from gongjian.tests.factories import (
    CampaignFactory,
    IndicatorFactory,
    LeadingGroupMemberFactory,
    SpecialActionFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

YEAR_2022 = {"period_start": dt.date(2022, 1, 1), "period_end": dt.date(2022, 12, 31)}


@pytest.fixture
def campaign(db):
    return CampaignFactory.create()


@pytest.fixture
def indicator(db):
    return IndicatorFactory.create()


@pytest.fixture
def city_target(campaign, indicator):
    return TargetFactory.create(campaign=campaign, indicator=indicator, value=Decimal("10000.00"))


def _state():
    """Every campaign row, to show that a refused write changed nothing."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (Campaign, SpecialAction, LeadingGroupMember, Indicator, Target)
    ]


def _events():
    return list(
        AuditEvent.objects.order_by("id").values_list(
            "action", "actor_username", "object_type", "message"
        )
    )


def _target_input(**overrides: Any) -> TargetInput:
    values: dict[str, Any] = {
        "indicator_code": "key-investment",
        "region_code": "350502",
        "value": "6000",
        **YEAR_2022,
    }
    values.update(overrides)
    return TargetInput(**values)


WRITES = {
    "campaign_create": (
        lambda actor, f: campaign_create(
            actor=actor,
            data=CampaignInput(
                code="xmgj2023",
                name="项目攻坚2023",
                starts_on=dt.date(2023, 1, 1),
                ends_on=dt.date(2023, 12, 31),
            ),
        ),
        "无权新建攻坚行动。",
    ),
    "campaign_update": (
        lambda actor, f: campaign_update(
            actor=actor,
            campaign=f["campaign"],
            data=CampaignInput(
                code="xmgj2022",
                name="项目攻坚2022（修订）",
                starts_on=dt.date(2022, 1, 1),
                ends_on=dt.date(2022, 12, 31),
            ),
        ),
        "无权修改攻坚行动“项目攻坚2022”。",
    ),
    "special_action_create": (
        lambda actor, f: special_action_create(
            actor=actor,
            campaign=f["campaign"],
            data=SpecialActionInput(
                code="zsyz", name="招商引资专项行动", lead_department_code="zsj"
            ),
        ),
        "无权新建专项行动。",
    ),
    "leading_group_member_add": (
        lambda actor, f: leading_group_member_add(
            actor=actor, action=f["action"], name="张三", title="副市长", role="leader"
        ),
        "无权修改领导小组。",
    ),
    "leading_group_member_remove": (
        lambda actor, f: leading_group_member_remove(actor=actor, member=f["member"]),
        "无权修改领导小组。",
    ),
    "indicator_create": (
        lambda actor, f: indicator_create(
            actor=actor,
            data=IndicatorInput(
                code="started",
                name="新开工项目",
                kind="event_count",
                unit="个",
                definition={"source": "stage_events", "stage": "started"},
            ),
        ),
        "无权新建指标。",
    ),
    "indicator_update": (
        lambda actor, f: indicator_update(
            actor=actor,
            indicator=f["indicator"],
            data=IndicatorInput(
                code="key-investment",
                name="重点项目完成投资",
                kind="flow_sum",
                unit="万元",
                definition={"source": "reports", "measure": "amount"},
            ),
        ),
        "无权修改指标“在建重点项目完成投资”。",
    ),
    "target_create": (
        lambda actor, f: target_create(actor=actor, campaign=f["campaign"], data=_target_input()),
        "无权为该区域设定目标。",
    ),
    "target_update": (
        lambda actor, f: target_update(
            actor=actor,
            target=f["target"],
            data=_target_input(region_code="350500", value="12000"),
        ),
        "无权修改该目标。",
    ),
    "target_allocate": (
        lambda actor, f: target_allocate(
            actor=actor, target=f["target"], allocations={"350502": "6000"}
        ),
        "无权分解该目标。",
    ),
    "target_delete": (
        lambda actor, f: target_delete(actor=actor, target=f["target"]),
        "无权删除该目标。",
    ),
}


@pytest.fixture
def world(campaign, indicator, city_target):
    action = SpecialActionFactory.create(campaign=campaign, code="xmjs", name="项目建设专项行动")
    member = LeadingGroupMemberFactory.create(action=action, name="李四", role="deputy")
    return {
        "campaign": campaign,
        "indicator": indicator,
        "target": city_target,
        "action": action,
        "member": member,
    }


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize(
    "persona", ["city_reviewer", "leader", "lichen_filer", "lichen_reviewer", "department"]
)
def test_only_the_campaign_office_writes(request, world, write, persona):
    actor = request.getfixturevalue(persona)
    call, message = WRITES[write]
    before, events_before = _state(), _events()

    with pytest.raises(PermissionDenied) as raised:
        call(actor, world)

    assert str(raised.value) == message
    assert _state() == before
    new_events = _events()[len(events_before) :]
    assert [(e[0], e[1], e[3]) for e in new_events] == [("denied", actor.username, message)]


@pytest.mark.parametrize("write", list(WRITES))
def test_the_campaign_office_writes_and_each_write_is_audited(world, city_admin, write):
    call, _message = WRITES[write]
    events_before = len(_events())

    call(city_admin, world)

    actions = [e[0] for e in _events()[events_before:]]
    expected = {
        "campaign_update": ["update"],
        "indicator_update": ["update"],
        "target_update": ["update"],
        "leading_group_member_remove": ["delete"],
        "target_delete": ["delete"],
    }.get(write, ["create"])
    assert actions == expected
    assert {e[1] for e in _events()[events_before:]} == {"city_admin"}


# --- campaigns, actions, leading groups -------------------------------------------------------


def test_campaign_create_stores_and_audits_the_values(city_admin):
    campaign = campaign_create(
        actor=city_admin,
        data=CampaignInput(
            code="xmgj2022",
            name="项目攻坚2022",
            starts_on=dt.date(2022, 1, 1),
            ends_on=dt.date(2022, 12, 31),
            document="全年在建重点项目完成投资1700亿元以上。",
        ),
    )

    event = AuditEvent.objects.get(action="create")
    assert (event.object_type, event.object_id) == ("campaigns.campaign", str(campaign.pk))
    assert event.after == {
        "code": "xmgj2022",
        "name": "项目攻坚2022",
        "name_en": "",
        "starts_on": "2022-01-01",
        "ends_on": "2022-12-31",
        "is_active": True,
        "green_threshold": "-5",
        "yellow_threshold": "-15",
        "elapsed_basis": "days",
        "document_length": 21,
    }


def test_campaign_values_are_checked(city_admin, campaign):
    with pytest.raises(ValidationError) as raised:
        campaign_create(
            actor=city_admin,
            data=CampaignInput(
                code="xmgj2022",
                name=" ",
                starts_on=dt.date(2022, 12, 1),
                ends_on=dt.date(2022, 1, 1),
                green_threshold=Decimal("-20"),
                yellow_threshold=Decimal("-10"),
            ),
        )

    assert raised.value.message_dict == {
        "name": ["名称不能为空。"],
        "ends_on": ["结束日期不能早于开始日期。"],
        "yellow_threshold": ["预警阈值不能高于正常阈值。"],
        "code": ["代码“xmgj2022”已被使用。"],
    }


def test_a_special_action_with_its_leading_group(city_admin, campaign):
    action = special_action_create(
        actor=city_admin,
        campaign=campaign,
        data=SpecialActionInput(
            code="zsyz",
            name="招商引资专项行动",
            lead_department_code="zsj",
            sort_order=2,
        ),
    )
    leading_group_member_add(
        actor=city_admin, action=action, name="王五", title="市政府副市长", role="leader"
    )
    leading_group_member_add(
        actor=city_admin,
        action=action,
        name="赵六",
        title="市招商局局长",
        role="deputy",
        sort_order=1,
    )

    assert action.lead_department is not None
    assert (action.lead_department.code, action.sort_order) == ("zsj", 2)
    assert [str(m) for m in action.leading_group.all()] == [
        "组长 王五（市政府副市长）",
        "副组长 赵六（市招商局局长）",
    ]


def test_special_action_and_member_values_are_checked(city_admin, campaign):
    SpecialActionFactory.create(campaign=campaign, code="zsyz")
    with pytest.raises(ValidationError) as action_error:
        special_action_create(
            actor=city_admin,
            campaign=campaign,
            data=SpecialActionInput(code="zsyz", name="招商", lead_department_code="nope"),
        )
    with pytest.raises(ValidationError) as member_error:
        leading_group_member_add(
            actor=city_admin,
            action=SpecialAction.objects.get(code="zsyz"),
            name="",
            title="",
            role="chair",
        )

    assert action_error.value.message_dict == {
        "lead_department": ["未知的部门代码“nope”。"],
        "code": ["本攻坚行动已有代码为“zsyz”的专项行动。"],
    }
    assert member_error.value.message_dict == {
        "name": ["姓名不能为空。"],
        "title": ["职务不能为空。"],
        "role": ["小组职务须为组长、副组长或成员。"],
    }


# --- indicators -------------------------------------------------------------------------------


def test_an_indicator_definition_is_refused_with_the_validator_messages(city_admin):
    with pytest.raises(ValidationError) as raised:
        indicator_create(
            actor=city_admin,
            data=IndicatorInput(
                code="signed",
                name="招商签约项目",
                kind="event_count",
                unit="万元",
                definition={"source": "stage_events", "stage": "signing", "sql": "1=1"},
            ),
        )

    assert raised.value.message_dict == {
        "definition": [
            "“sql”不是事件计数指标的定义项（可用：source、stage、categories、"
            "min_total_investment）。",
            "“stage”须为以下阶段之一：signed（签约）、landed（落地）、started（开工）、"
            "completed（竣工）、operating（投产）。",
        ],
        "unit": ["事件计数指标的单位须为“个”。"],
    }
    assert Indicator.objects.count() == 0


def test_an_indicator_in_use_keeps_its_kind(city_admin, city_target, indicator):
    with pytest.raises(ValidationError) as raised:
        indicator_update(
            actor=city_admin,
            indicator=indicator,
            data=IndicatorInput(
                code="key-investment",
                name="在建重点项目完成投资",
                kind="event_sum",
                unit="万元",
                definition={
                    "source": "stage_events",
                    "stage": "started",
                    "measure": "total_investment",
                },
            ),
        )

    assert raised.value.message_dict == {"kind": ["已有目标使用该指标，不能修改指标类型。"]}


# --- targets ----------------------------------------------------------------------------------


def test_target_create_resolves_codes_and_audits(city_admin, campaign, indicator):
    SpecialActionFactory.create(campaign=campaign, code="xmjs")

    target = target_create(
        actor=city_admin,
        campaign=campaign,
        data=_target_input(
            action_code="xmjs",
            value="6000",
            plan_curve=["0.05", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9",
                        "0.95", "1"],
            source_sentence="鲤城区全年完成投资60亿元",
        ),
    )  # fmt: skip

    assert target.action is not None
    assert (target.region.code, target.action.code, target.value) == (
        "350502",
        "xmjs",
        Decimal(6000),
    )
    assert AuditEvent.objects.get(action="create").after == {
        "campaign": "xmgj2022",
        "action": "xmjs",
        "indicator": "key-investment",
        "region": "350502",
        "period_start": "2022-01-01",
        "period_end": "2022-12-31",
        "comparator": "≥",
        "value": "6000",
        "baseline_value": None,
        "baseline_date": None,
        "weight": "1",
        "source_sentence": "鲤城区全年完成投资60亿元",
        "parent": None,
        "plan_curve": ["0.05", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9",
                       "0.95", "1"],
        "green_threshold": None,
        "yellow_threshold": None,
        "sort_order": 0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"period_start": dt.date(2022, 1, 8), "period_end": dt.date(2022, 12, 30)},
            {
                "period_start": ["起始日期须为某月的 1 日（目标按整月计）。"],
                "period_end": ["截止日期须为某月的最后一天（目标按整月计）。"],
            },
        ),
        (
            {"period_start": dt.date(2022, 12, 1), "period_end": dt.date(2022, 1, 31)},
            {"period_end": ["截止日期不能早于起始日期。"]},
        ),
        ({"value": "-1"}, {"value": ["目标值不能为负数。"]}),
        ({"value": "12.345"}, {"value": ["目标值最多保留 2 位小数。"]}),
        ({"value": "1700亿"}, {"value": ["目标值不是有效的数字。"]}),
        ({"comparator": ">="}, {"comparator": ["比较须为 ≥、>、=、≤ 或 <。"]}),
        ({"indicator_code": "gdp"}, {"indicator": ["未知的指标代码“gdp”。"]}),
        ({"region_code": "350599"}, {"region": ["未知的区域代码“350599”。"]}),
        ({"action_code": "zsyz"}, {"action": ["本攻坚行动没有代码为“zsyz”的专项行动。"]}),
        (
            {"baseline_date": dt.date(2021, 12, 31)},
            {"baseline_value": ["填写了基数日期，须同时填写基数。"]},
        ),
        (
            {"plan_curve": ["0.5", "0.4", "1"]},
            {
                "plan_curve": [
                    "月度计划进度须为 12 个累计比例（0 至 1，逐月不减，最后一个为 1），"
                    '如 ["0.1", "0.25", …, "1"]。'
                ]
            },
        ),
        (
            {"green_threshold": Decimal("-20")},
            {"yellow_threshold": ["预警阈值不能高于正常阈值。"]},
        ),
        ({"weight": "-1"}, {"weight": ["权重须在 0 至 1000 之间。"]}),
    ],
)
def test_target_values_are_checked(city_admin, campaign, indicator, overrides, errors):
    with pytest.raises(ValidationError) as raised:
        target_create(actor=city_admin, campaign=campaign, data=_target_input(**overrides))

    assert raised.value.message_dict == errors
    assert Target.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "unit", "definition", "value", "message"),
    [
        (
            "stock_ratio",
            "%",
            {
                "source": "enterprises",
                "numerator": {"in_park": True},
                "denominator": {"above_scale": True},
            },
            "150",
            "目标值是百分比，须在 0 至 100 之间。",
        ),
        (
            "event_count",
            "个",
            {"source": "stage_events", "stage": "started"},
            "170.5",
            "目标值是个数，须为整数。",
        ),
    ],
)
def test_target_values_fit_the_unit(city_admin, campaign, kind, unit, definition, value, message):
    IndicatorFactory.create(code="other", kind=kind, unit=unit, definition=definition)

    with pytest.raises(ValidationError) as raised:
        target_create(
            actor=city_admin,
            campaign=campaign,
            data=_target_input(indicator_code="other", value=value),
        )

    assert raised.value.message_dict == {"value": [message]}


def test_one_target_per_indicator_region_and_period(city_admin, campaign, city_target):
    with pytest.raises(ValidationError) as raised:
        target_create(actor=city_admin, campaign=campaign, data=_target_input(region_code="350500"))

    assert raised.value.message_dict == {
        "region": ["泉州市在该期间已有“在建重点项目完成投资”目标。"]
    }


def test_target_delete_removes_its_allocations_and_audits_each(city_admin, city_target, region):
    target_allocate(actor=city_admin, target=city_target, allocations={"350502": "6000"})

    target_delete(actor=city_admin, target=city_target)

    assert Target.objects.count() == 0
    deleted = AuditEvent.objects.filter(action="delete").order_by("id")
    assert [e.region.code if e.region else None for e in deleted] == ["350502", "350500"]


# --- allocation -------------------------------------------------------------------------------


def test_allocation_creates_district_targets_and_warns_of_the_gap(city_admin, city_target):
    children = target_allocate(
        actor=city_admin,
        target=city_target,
        allocations={"350502": "6000", "350503": Decimal("3000.00")},
    )

    assert [
        (c.region.code, c.value, c.parent_id, c.period_start, c.period_end, c.comparator)
        for c in children
    ] == [
        ("350502", Decimal("6000"), city_target.pk, *YEAR_2022.values(), "≥"),
        ("350503", Decimal("3000.00"), city_target.pk, *YEAR_2022.values(), "≥"),
    ]
    assert allocation_gap(city_target) == (
        "分解到2个区域的目标合计 9,000.00万元，低于泉州市目标 10,000.00万元，尚差 1,000.00万元。"
    )


def test_allocating_again_updates_and_closes_the_gap(city_admin, city_target):
    target_allocate(
        actor=city_admin, target=city_target, allocations={"350502": "6000", "350503": "3000"}
    )

    target_allocate(actor=city_admin, target=city_target, allocations={"350503": "4000"})

    assert sorted(
        Target.objects.filter(parent=city_target).values_list("region__code", "value")
    ) == [("350502", Decimal("6000.00")), ("350503", Decimal("4000.00"))]
    assert allocation_gap(city_target) == ""
    assert list(
        AuditEvent.objects.filter(object_type="campaigns.target")
        .order_by("id")
        .values_list("action", "region__code")
    ) == [("create", "350502"), ("create", "350503"), ("update", "350503")]


def test_allocation_only_to_reporting_regions_below_the_target(city_admin, city_target):
    with pytest.raises(ValidationError) as raised:
        target_allocate(
            actor=city_admin,
            target=city_target,
            allocations={
                "350000": "1",
                "350500": "1",
                "350527": "1",
                "350599": "1",
                "350582": "-5",
            },
        )

    assert raised.value.message_dict == {
        "350000": ["“福建省”不在“泉州市”之内，不能分解到该区域。"],
        "350500": ["“泉州市”不在“泉州市”之内，不能分解到该区域。"],
        "350527": ["“金门县”不参与填报，不能分解目标。"],
        "350599": ["未知的区域代码“350599”。"],
        "350582": ["晋江市的目标值不能为负数。"],
    }
    assert Target.objects.count() == 1


def test_the_gap_of_a_count_and_of_a_cap(city_admin, campaign):
    started = IndicatorFactory.create(
        code="started",
        name="新开工项目",
        kind="event_count",
        unit="个",
        definition={"source": "stage_events", "stage": "started"},
    )
    count_target = TargetFactory.create(campaign=campaign, indicator=started, value=Decimal(170))
    cap = TargetFactory.create(campaign=campaign, comparator="≤", value=Decimal("10000.00"))
    target_allocate(
        actor=city_admin, target=count_target, allocations={"350502": "100", "350503": "50"}
    )
    target_allocate(actor=city_admin, target=cap, allocations={"350502": "6000", "350503": "5000"})

    assert allocation_gap(count_target) == (
        "分解到2个区域的目标合计 150个，低于泉州市目标 170个，尚差 20个。"
    )
    assert allocation_gap(cap) == (
        "分解到2个区域的目标合计 11,000.00万元，超过泉州市的上限 10,000.00万元，超出 1,000.00万元。"
    )


def test_a_rate_allocation_is_not_summed(city_admin, campaign):
    rate = IndicatorFactory.create(
        code="park-rate",
        name="规上工业企业入园率",
        kind="stock_ratio",
        unit="%",
        definition={
            "source": "enterprises",
            "numerator": {"in_park": True},
            "denominator": {"above_scale": True},
        },
    )
    city = TargetFactory.create(campaign=campaign, indicator=rate, value=Decimal("50.00"))
    target_allocate(actor=city_admin, target=city, allocations={"350582": "60", "350502": "30"})

    assert allocation_gap(city) == ""


def test_a_target_without_allocations_has_no_gap(city_target):
    assert allocation_gap(city_target) == ""


def test_a_plan_given_as_monthly_values_becomes_fractions():
    assert plan_curve_from_values(
        [Decimal(v) for v in ("100", "250", "400", "800")], Decimal("800")
    ) == ["0.1250", "0.3125", "0.5000", "1"]
