"""Forms: the public lead form and the staff's pipeline actions. They only parse input; the
services check it and say what is wrong."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.models import Department
from gongjian.investment.choices import (
    AreaUnit,
    FollowUpKind,
    LeadNeed,
    LostReason,
    MatchOutcome,
)
from gongjian.investment.services import LeadInput
from gongjian.projects.models import IndustryChain
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region

# Honeypot: a field people never see (hidden by CSS, skipped by keyboard and screen readers).
HONEYPOT_FIELD = "website"


def _reporting_regions():
    return [
        (r.code, r.display_name)
        for r in Region.objects.filter(is_reporting=True).exclude(kind=RegionKind.CITY)
    ]


class LeadPublicForm(forms.Form):
    company = forms.CharField(label=_("企业名称"), max_length=200)
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=24,
        required=False,
        help_text=_("18 位，选填；尚未注册的新设企业可不填"),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=64)
    mobile = forms.CharField(label=_("手机号"), max_length=20)
    need = forms.ChoiceField(label=_("需求"), choices=LeadNeed.choices, widget=forms.RadioSelect)
    use = forms.CharField(
        label=_("用途"),
        max_length=200,
        required=False,
        help_text=_("如：运动鞋生产线、研发中心、区域总部"),
    )
    industry_chain = forms.ChoiceField(label=_("所属行业"), required=False)
    area = forms.DecimalField(
        label=_("需求面积"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    area_unit = forms.ChoiceField(
        label=_("面积单位"), choices=AreaUnit.choices, initial=AreaUnit.SQUARE_METRE
    )
    expected_annual_tax = forms.DecimalField(
        label=_("预计年税收（万元）"), required=False, max_digits=14, decimal_places=2
    )
    planned_investment = forms.DecimalField(
        label=_("计划投资（万元）"), required=False, max_digits=16, decimal_places=2
    )
    preferred_regions = forms.MultipleChoiceField(
        label=_("意向县（市、区）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("补充说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(label=_("我已阅读并同意《个人信息处理说明》"), required=False)
    website = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chains = [(c.code, c.display_name) for c in IndustryChain.objects.filter(is_active=True)]
        self.fields["industry_chain"].choices = [("", _("请选择")), *chains]  # type: ignore[attr-defined]
        self.fields["preferred_regions"].choices = _reporting_regions()  # type: ignore[attr-defined]
        self.fields["mobile"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["area"].widget.attrs.update({"inputmode": "decimal"})
        self.fields["uscc"].widget.attrs.update({"placeholder": "91350500MA2XXXXX0X"})
        self.fields["mobile"].widget.attrs.update({"placeholder": "138 0000 0000"})
        for name in ("company", "use", "message"):
            # The browser stops typing at maxlength without a word: say the limit beforehand.
            field = self.fields[name]
            limit = _("最多 %(n)s 字") % {"n": field.max_length}  # type: ignore[attr-defined]
            field.help_text = f"{field.help_text}；{limit}" if field.help_text else limit

    def to_input(self) -> LeadInput:
        data = self.cleaned_data
        return LeadInput(
            company=data["company"],
            contact_name=data["contact_name"],
            mobile=data["mobile"],
            need=data["need"],
            uscc=data["uscc"],
            use=data["use"],
            industry_chain_code=data["industry_chain"],
            area=data["area"],
            area_unit=data["area_unit"],
            expected_annual_tax=data["expected_annual_tax"],
            planned_investment=data["planned_investment"],
            preferred_region_codes=list(data["preferred_regions"]),
            message=data["message"],
            consent=data["consent"],
        )


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("方式"), choices=FollowUpKind.choices)
    occurred_on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    note = forms.CharField(label=_("对接情况"), widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.CharField(label=_("下一步"), required=False, max_length=200)


class StageForm(forms.Form):
    to_stage = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(
        label=_("日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    lost_reason = forms.ChoiceField(
        label=_("流失原因"), required=False, choices=[("", "—"), *LostReason.choices]
    )
    project_code = forms.CharField(
        label=_("关联已有项目编号"),
        required=False,
        max_length=32,
        help_text=_("留空则新建招商签约项目"),
    )
    project_name = forms.CharField(label=_("签约项目名称"), required=False, max_length=200)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    team = forms.ChoiceField(label=_("移交给"))
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = [(f"region:{code}", name) for code, name in _reporting_regions()]
        departments = [(f"dept:{d.code}", d.name) for d in Department.objects.all()]
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", _("请选择")),
            (_("县（市、区）"), regions),
            (_("行业部门"), departments),
        ]


class ProposeForm(forms.Form):
    resource = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("结果"), choices=[c for c in MatchOutcome.choices if c[0] != "proposed"]
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class ResourceImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
