"""factory_boy builders for the whole project; tests use these rather than raw ORM calls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Membership, User
from gongjian.campaigns.models import Campaign, Indicator, LeadingGroupMember, SpecialAction, Target
from gongjian.core.uscc import organisation_code_check_digit, uscc_check_digit
from gongjian.parks.models import Enterprise, Park
from gongjian.projects.models import (
    Category,
    IndustryChain,
    Problem,
    Project,
    StageEvent,
    Supervision,
)
from gongjian.regions.models import Region
from gongjian.reporting.models import ProgressReport, ReportingPeriod


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username)
    password = factory.django.Password("gongjian-test")


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    region = factory.LazyAttribute(lambda o: Region.objects.get(code="350502"))
    role = Role.DISTRICT_FILER


class ProjectFactory(DjangoModelFactory[Project]):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"T2022-{n:05d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    region = factory.LazyAttribute(lambda o: Region.objects.get(code="350502"))
    category = factory.LazyAttribute(lambda o: Category.objects.get(code="key-construction"))
    industry_chain = factory.LazyAttribute(lambda o: IndustryChain.objects.get(code="machinery"))
    owner_enterprise = "泉州测试实业有限公司"
    responsible_unit = "鲤城区发改局"
    total_investment = Decimal("50000.00")
    annual_plan = Decimal("12000.00")
    longitude = Decimal("118.587000")
    latitude = Decimal("24.908000")


class StageEventFactory(DjangoModelFactory[StageEvent]):
    class Meta:
        model = StageEvent

    project = factory.SubFactory(ProjectFactory)
    stage = "started"
    date = dt.date(2022, 3, 1)
    note = ""


class ReportingPeriodFactory(DjangoModelFactory[ReportingPeriod]):
    class Meta:
        model = ReportingPeriod
        django_get_or_create = ("month",)

    month = dt.date(2022, 11, 1)
    # The 5th of the following month, as ``period_open`` would default it.
    due_date = factory.LazyAttribute(
        lambda o: dt.date(o.month.year + o.month.month // 12, o.month.month % 12 + 1, 5)
    )
    state = "open"


class ProgressReportFactory(DjangoModelFactory[ProgressReport]):
    class Meta:
        model = ProgressReport

    project = factory.SubFactory(ProjectFactory)
    period = factory.SubFactory(ReportingPeriodFactory)
    amount = Decimal("1000.00")
    progress_text = "主体结构施工"
    adjustment_note = ""
    status = "draft"


class SupervisionFactory(DjangoModelFactory[Supervision]):
    """A 督办 order to 鲤城区 (pass ``target_department`` and ``target_region=None`` for a
    department)."""

    class Meta:
        model = Supervision

    title = "加快推进项目用地报批"
    content = "请于期限内完成用地报批并报告进展。"
    target_region = factory.LazyAttribute(lambda o: Region.objects.get(code="350502"))
    target_department = None
    issued_by = factory.SubFactory(UserFactory, username="issuer")
    due_date = dt.date(2023, 1, 10)
    status = "open"


class ProblemFactory(DjangoModelFactory[Problem]):
    class Meta:
        model = Problem

    project = factory.SubFactory(ProjectFactory)
    title = "项目用地指标尚未落实"
    description = "二期用地 120 亩指标待省里下达。"
    raised_by = factory.SubFactory(UserFactory, username="raiser")


def make_uscc(number: int, division: str = "350502") -> str:
    """A valid 统一社会信用代码 for an enterprise registered in ``division``: the same for the same
    number, with a valid organisation code inside (MA + six digits)."""
    body = f"MA{number:06d}"
    first17 = f"91{division}{body}{organisation_code_check_digit(body)}"
    return first17 + uscc_check_digit(first17)


class ParkFactory(DjangoModelFactory[Park]):
    class Meta:
        model = Park

    code = factory.Sequence(lambda n: f"park-{n:03d}")
    name = factory.Sequence(lambda n: f"测试工业园区{n}")
    region = factory.LazyAttribute(lambda o: Region.objects.get(code="350502"))
    kind = "industrial_park"
    planned_area_mu = Decimal("1200.00")


class EnterpriseFactory(DjangoModelFactory[Enterprise]):
    """An above-scale enterprise in 鲤城区, not in a park (give ``park`` and ``entered_park_on``
    to place it in one; its region then follows the park)."""

    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    uscc = factory.Sequence(make_uscc)
    name = factory.Sequence(lambda n: f"泉州测试{n}制造有限公司")
    region = factory.LazyAttribute(
        lambda o: o.park.region if o.park else Region.objects.get(code="350502")
    )
    park = None
    is_above_scale = True
    above_scale_since = dt.date(2020, 1, 1)
    entered_park_on = None
    industry_chain = factory.LazyAttribute(lambda o: IndustryChain.objects.get(code="machinery"))
    industrial_land_mu = Decimal("30.00")

    @factory.post_generation
    def spells(obj, create, extracted, **kwargs):
        """Its dated history, as the services write it (pass ``spells=False`` to leave none)."""
        if create and extracted is not False:
            from gongjian.parks.services import enterprise_spells_initialise

            enterprise_spells_initialise(enterprise=obj)  # type: ignore[arg-type]


class CampaignFactory(DjangoModelFactory[Campaign]):
    class Meta:
        model = Campaign
        django_get_or_create = ("code",)

    code = "xmgj2022"
    name = "项目攻坚2022"
    name_en = "Project Drive 2022"
    starts_on = dt.date(2022, 1, 1)
    ends_on = dt.date(2022, 12, 31)
    document = ""


class SpecialActionFactory(DjangoModelFactory[SpecialAction]):
    class Meta:
        model = SpecialAction

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"action-{n}")
    name = factory.Sequence(lambda n: f"专项行动{n}")
    sort_order = factory.Sequence(lambda n: n)


class LeadingGroupMemberFactory(DjangoModelFactory[LeadingGroupMember]):
    class Meta:
        model = LeadingGroupMember

    action = factory.SubFactory(SpecialActionFactory)
    name = factory.Sequence(lambda n: f"组员{n}")
    title = "市发改委主任"
    role = "member"


class IndicatorFactory(DjangoModelFactory[Indicator]):
    """在建重点项目完成投资 (a flow sum over city-approved reports); pass kind, unit and definition
    for the other kinds."""

    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = "key-investment"
    name = "在建重点项目完成投资"
    name_en = "Investment completed by key projects"
    kind = "flow_sum"
    unit = "万元"
    definition = factory.LazyFunction(
        lambda: {"source": "reports", "measure": "amount", "categories": ["key-construction"]}
    )


class TargetFactory(DjangoModelFactory[Target]):
    """A 2022 city target (泉州市 ≥ 17 000 000 万元 = 1700 亿元) of the flow-sum indicator."""

    class Meta:
        model = Target

    campaign = factory.SubFactory(CampaignFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    region = factory.LazyAttribute(lambda o: Region.objects.get(code="350500"))
    period_start = dt.date(2022, 1, 1)
    period_end = dt.date(2022, 12, 31)
    comparator = "≥"
    value = Decimal("17000000.00")
    source_sentence = "全年在建重点项目完成投资1700亿元以上"
