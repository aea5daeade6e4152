"""The pipeline: stage moves by role, the stage log, follow-ups, assignment, conversion into the
ledger (counted by the campaign's indicators at once), masking and the audited reveal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjian.audit.models import AuditEvent
from gongjian.campaigns.engine import evaluate
from gongjian.demo.campaign import INDICATORS
from gongjian.investment.models import Lead, LeadStageChange
from gongjian.investment.services import (
    lead_add_follow_up,
    lead_assign,
    lead_move_stage,
    lead_reveal_mobile,
)
from gongjian.investment.tests.conftest import HENGDA_USCC
from gongjian.projects.models import Project, StageEvent
from gongjian.tests.factories import EnterpriseFactory, IndicatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2022, 11, 28)


def _events(lead) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(object_type="investment.lead", object_id=str(lead.pk))
        .order_by("id")
        .values_list("action", "actor_username")
    )


def _contacted(lead, actor):
    lead_add_follow_up(
        actor=actor, lead=lead, kind="call", occurred_on=DAY, note="电话了解用地需求。"
    )
    return lead_move_stage(actor=actor, lead=lead, to_stage="contacted")


def _negotiating_in_lichen(lead, city_admin):
    """Given: the lead contacted, handed to 鲤城区, in negotiation."""
    _contacted(lead, city_admin)
    lead_assign(actor=city_admin, lead=lead, region_code="350502")
    return lead_move_stage(actor=city_admin, lead=lead, to_stage="negotiating")


# --- role matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("department", True),  # 市招商局: the intake team owns new leads
        ("city_admin", True),
        ("city_reviewer", False),
        ("leader", False),
        ("lichen_filer", False),
    ],
)
def test_who_may_move_a_new_lead_to_contacted(request, submit, city_admin, persona, allowed):
    lead = submit()
    lead_add_follow_up(actor=city_admin, lead=lead, kind="call", occurred_on=DAY, note="已联系。")
    actor = request.getfixturevalue(persona)
    events_before = AuditEvent.objects.count()

    if allowed:
        lead_move_stage(actor=actor, lead=lead, to_stage="contacted", note="已电话对接")
        lead.refresh_from_db()
        assert lead.stage == "contacted"
        change = LeadStageChange.objects.get(lead=lead)
        assert (change.from_stage, change.to_stage, change.note, change.actor) == (
            "new",
            "contacted",
            "已电话对接",
            actor,
        )
        assert _events(lead)[-1] == ("stage", actor.username)
    else:
        with pytest.raises(PermissionDenied):
            lead_move_stage(actor=actor, lead=lead, to_stage="contacted")
        lead.refresh_from_db()
        assert lead.stage == "new"
        assert LeadStageChange.objects.count() == 0
        assert AuditEvent.objects.count() == events_before + 1
        assert _events(lead)[-1] == ("denied", actor.username)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("lichen_filer", True),  # the landing district's filer keeps its ledger
        ("city_admin", True),
        ("lichen_reviewer", False),  # owning team, but does not keep the ledger
        ("department", False),  # handed the lead over to 鲤城区
        ("fengze_filer", False),
        ("leader", False),
    ],
)
def test_who_may_sign_a_lead(request, submit, city_admin, persona, allowed):
    lead = _negotiating_in_lichen(submit(), city_admin)
    actor = request.getfixturevalue(persona)
    projects_before = Project.objects.count()
    events_before = AuditEvent.objects.count()

    if allowed:
        lead_move_stage(actor=actor, lead=lead, to_stage="signed", date=DAY)
        lead.refresh_from_db()
        assert (lead.stage, lead.project.code) == ("signed", f"ZS2022-350502-L{lead.pk:05d}")
    else:
        with pytest.raises(PermissionDenied) as refused:
            lead_move_stage(actor=actor, lead=lead, to_stage="signed", date=DAY)
        assert str(refused.value) == (
            f"无权为线索“{lead.reference}”办理签约：须由落地县区填报员或市项目办办理。"
        )
        lead.refresh_from_db()
        assert (lead.stage, lead.project) == ("negotiating", None)
        assert Project.objects.count() == projects_before
        assert AuditEvent.objects.count() == events_before + 1
        assert _events(lead)[-1] == ("denied", actor.username)


# --- stage rules ---------------------------------------------------------------------------------


def test_a_stage_cannot_be_skipped(submit, city_admin):
    lead = submit()

    with pytest.raises(ValidationError) as refused:
        lead_move_stage(actor=city_admin, lead=lead, to_stage="negotiating")

    assert refused.value.message_dict == {"stage": ["线索当前为“线索”，不能转为“在谈”。"]}


def test_what_is_missing_before_the_next_stage_is_said(submit, city_admin):
    lead = submit(planned_investment=None, industry_chain_code="")

    with pytest.raises(ValidationError) as refused:
        lead_move_stage(actor=city_admin, lead=lead, to_stage="contacted")
    assert refused.value.message_dict == {
        "stage": ["转为“已对接”前还需：至少一条对接记录（电话、走访或洽谈）。"]
    }

    _contacted(lead, city_admin)
    with pytest.raises(ValidationError) as refused:
        lead_move_stage(actor=city_admin, lead=lead, to_stage="negotiating")
    assert refused.value.message_dict == {
        "stage": ["转为“在谈”前还需：计划投资（万元）；所属行业。"]
    }
    lead.refresh_from_db()
    assert lead.stage == "contacted"


def test_signing_needs_the_lead_handed_to_a_district(submit, city_admin):
    lead = submit()
    _contacted(lead, city_admin)
    lead_move_stage(actor=city_admin, lead=lead, to_stage="negotiating")

    with pytest.raises(ValidationError) as refused:
        lead_move_stage(actor=city_admin, lead=lead, to_stage="signed", date=DAY)

    assert refused.value.message_dict == {
        "stage": ["转为“签约”前还需：移交落地县（市、区）承办：签约项目记入县区项目台账。"]
    }
    assert Project.objects.count() == 0


def test_a_lost_lead_needs_a_reason(submit, department):
    lead = submit()

    with pytest.raises(ValidationError) as refused:
        lead_move_stage(actor=department, lead=lead, to_stage="lost")
    assert refused.value.message_dict == {"lost_reason": ["请选择流失原因。"]}

    lead_move_stage(
        actor=department, lead=lead, to_stage="lost", lost_reason="chose_elsewhere", note="落户厦门"
    )
    lead.refresh_from_db()
    assert (lead.stage, lead.lost_reason) == ("lost", "chose_elsewhere")
    assert list(lead.stage_changes.values_list("from_stage", "to_stage", "note")) == [
        ("new", "lost", "落户厦门")
    ]


def test_assignment_moves_the_lead_into_the_districts_scope(submit, department, lichen_filer):
    lead = submit()
    assert not Lead.objects.visible_to(lichen_filer).filter(pk=lead.pk).exists()

    lead_assign(actor=department, lead=lead, region_code="350502", note="意向鲤城")

    lead.refresh_from_db()
    assert (lead.region.code, lead.department) == ("350502", None)
    assert Lead.objects.visible_to(lichen_filer).filter(pk=lead.pk).exists()
    # The department handed it on and no longer sees it.
    assert not Lead.objects.visible_to(department).filter(pk=lead.pk).exists()
    assert _events(lead)[-1] == ("update", "zsj_officer")


# --- conversion ----------------------------------------------------------------------------------


def _indicator(code: str):
    spec = next(s for s in INDICATORS if s.code == code)
    return IndicatorFactory.create(
        code=spec.code, name=spec.name, kind=spec.kind, definition=spec.definition
    )


def test_signing_puts_a_project_in_the_ledger_that_the_indicators_count(
    submit, city_admin, lichen_filer, region
):
    count = _indicator("xmgj-signed-count")
    money = _indicator("xmgj-signed-investment")
    november = dt.date(2022, 11, 1)

    def figures():
        return tuple(
            evaluate(
                indicator=indicator,
                root=region("350500"),
                months=[november],
                as_of=dt.date(2022, 11, 30),
            ).total("350502", november, november)
            for indicator in (count, money)
        )

    EnterpriseFactory.create(uscc=HENGDA_USCC, name="泉州恒达鞋业有限公司")
    lead = _negotiating_in_lichen(submit(), city_admin)
    assert figures() == (Decimal(0), Decimal(0))

    lead_move_stage(
        actor=lichen_filer,
        lead=lead,
        to_stage="signed",
        date=DAY,
        project_name="恒达运动鞋智能工厂",
    )

    assert figures() == (Decimal(1), Decimal("50000.00"))
    lead.refresh_from_db()
    project = lead.project
    assert (
        project.name,
        project.region.code,
        project.category.code,
        project.total_investment,
        project.owner_enterprise,
        project.stage,
    ) == (
        "恒达运动鞋智能工厂",
        "350502",
        "investment-signed",
        Decimal("50000.00"),
        "泉州恒达鞋业有限公司",
        "signed",
    )
    assert list(project.stage_events.values_list("stage", "date")) == [("signed", DAY)]
    # Navigable both ways: lead → project → lead, and lead → enterprise.
    assert project.investment_lead == lead
    assert lead.enterprise.uscc == HENGDA_USCC

    # 落地 records the project's landing.
    lead_move_stage(actor=lichen_filer, lead=lead, to_stage="landed", date=dt.date(2022, 12, 1))
    project.refresh_from_db()
    assert project.stage == "landed"
    assert list(lead.stage_changes.values_list("from_stage", "to_stage")) == [
        ("new", "contacted"),
        ("contacted", "negotiating"),
        ("negotiating", "signed"),
        ("signed", "landed"),
    ]


def test_signing_can_link_an_existing_signed_project(submit, city_admin, lichen_filer, region):
    existing = ProjectFactory.create(
        code="ZS2022-350502-0007",
        region=region("350502"),
        category_id=__import__("gongjian.projects.models", fromlist=["Category"])
        .Category.objects.get(code="investment-signed")
        .pk,
        stage="signed",
    )
    StageEvent.objects.create(project=existing, stage="signed", date=dt.date(2022, 6, 1))
    lead = _negotiating_in_lichen(submit(), city_admin)

    lead_move_stage(
        actor=lichen_filer, lead=lead, to_stage="signed", project_code="ZS2022-350502-0007"
    )

    lead.refresh_from_db()
    assert lead.project == existing
    # The project's own 签约 stays the one that counts; no second one is recorded.
    assert list(existing.stage_events.values_list("stage", "date")) == [
        ("signed", dt.date(2022, 6, 1))
    ]
    assert Project.objects.count() == 1


def test_a_refused_conversion_leaves_the_lead_as_it_was(submit, city_admin, lichen_filer):
    lead = _negotiating_in_lichen(submit(), city_admin)

    with pytest.raises(ValidationError) as refused:
        lead_move_stage(actor=lichen_filer, lead=lead, to_stage="signed", project_code="NOPE-1")

    assert refused.value.message_dict == {"project": ["未找到项目“NOPE-1”。"]}
    lead.refresh_from_db()
    assert (lead.stage, lead.project) == ("negotiating", None)
    assert lead.stage_changes.count() == 2


# --- personal data -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("department", True),
        ("city_admin", False),
        ("city_reviewer", False),
        ("leader", False),
    ],
)
def test_only_the_owning_team_may_reveal_the_mobile_and_each_reveal_is_audited(
    request, submit, persona, allowed
):
    lead = submit()
    actor = request.getfixturevalue(persona)

    if allowed:
        assert lead_reveal_mobile(actor=actor, lead=lead) == "13800138000"
        event = AuditEvent.objects.filter(object_id=str(lead.pk)).latest("id")
        assert (event.action, event.actor_username, event.message) == (
            "export",
            actor.username,
            "查看完整手机号 138****8000",
        )
    else:
        with pytest.raises(PermissionDenied) as refused:
            lead_reveal_mobile(actor=actor, lead=lead)
        assert str(refused.value) == (
            f"无权查看线索“{lead.reference}”的完整手机号：仅承办团队可查看。"
        )
        assert _events(lead)[-1] == ("denied", actor.username)


def test_after_assignment_the_district_team_reveals(submit, department, lichen_reviewer):
    lead = submit()
    lead_assign(actor=department, lead=lead, region_code="350502")

    assert lead_reveal_mobile(actor=lichen_reviewer, lead=lead) == "13800138000"
    with pytest.raises(PermissionDenied):
        lead_reveal_mobile(actor=department, lead=lead)
