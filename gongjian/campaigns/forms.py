"""Forms for the campaign set-up pages: they bind and type-check input; the services decide
what is valid (and name the field when it is not)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.models import Department
from gongjian.campaigns.choices import Comparator, IndicatorKind, IndicatorUnit, LeadingGroupRole
from gongjian.campaigns.models import Campaign, Indicator, SpecialAction, Target
from gongjian.campaigns.services import (
    CampaignInput,
    IndicatorInput,
    SpecialActionInput,
    TargetInput,
)
from gongjian.core.forms import set_choices
from gongjian.core.periods import ElapsedBasis
from gongjian.regions.models import Region

# Service error keys that are named differently on the forms.
SERVICE_TO_FORM_FIELD = {
    "indicator": "indicator_code",
    "region": "region_code",
    "action": "action_code",
    "lead_department": "lead_department_code",
}


def _threshold_field(label: Any, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


def _date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


class CampaignForm(forms.Form):
    code = forms.CharField(
        label=_("代码"), max_length=32, widget=forms.TextInput(attrs={"placeholder": "xmgj2023"})
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=150, required=False)
    starts_on = _date_field(_("开始日期"))
    ends_on = _date_field(_("结束日期"))
    green_threshold = _threshold_field(_("正常阈值（百分点）"), True)
    yellow_threshold = _threshold_field(_("预警阈值（百分点）"), True)
    elapsed_basis = forms.ChoiceField(
        label=_("序时进度口径"),
        choices=ElapsedBasis.choices,
        initial=ElapsedBasis.DAYS,
        help_text=_("按天：已过天数占全期天数；按月：第n个月计为n/12（月度通报的通常口径）"),
    )
    is_active = forms.BooleanField(label=_("进行中"), required=False)
    document = forms.CharField(
        label=_("文件原文"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    wide_fields = ("document",)

    def to_input(self) -> CampaignInput:
        return CampaignInput(**self.cleaned_data)

    @staticmethod
    def initial_from(campaign: Campaign) -> dict[str, Any]:
        return {name: getattr(campaign, name) for name in CampaignForm.base_fields}


class SpecialActionForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=150, required=False)
    lead_department_code = forms.ChoiceField(label=_("牵头部门"), required=False)
    sort_order = forms.IntegerField(label=_("排序"), initial=0, min_value=0, max_value=32767)
    description = forms.CharField(
        label=_("工作内容"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    wide_fields = ("description",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("code")
        set_choices(
            self,
            "lead_department_code",
            [("", "—"), *((d.code, d.name) for d in departments)],
        )

    def to_input(self) -> SpecialActionInput:
        return SpecialActionInput(**self.cleaned_data)

    @staticmethod
    def initial_from(action: SpecialAction) -> dict[str, Any]:
        return {
            "code": action.code,
            "name": action.name,
            "name_en": action.name_en,
            "lead_department_code": action.lead_department.code if action.lead_department else "",
            "sort_order": action.sort_order,
            "description": action.description,
        }


class LeadingGroupMemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    title = forms.CharField(label=_("职务"), max_length=150)
    role = forms.ChoiceField(label=_("小组职务"), choices=LeadingGroupRole.choices)
    sort_order = forms.IntegerField(label=_("排序"), initial=0, min_value=0, max_value=32767)


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=48)
    name = forms.CharField(label=_("名称"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=150, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=IndicatorKind.choices)
    unit = forms.ChoiceField(label=_("单位"))
    definition = forms.CharField(
        label=_("定义（JSON）"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "mono"}),
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    wide_fields = ("definition", "description")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit", list(IndicatorUnit.choices))

    def clean_definition(self) -> Any:
        text = self.cleaned_data["definition"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("定义不是有效的 JSON（第 %(line)s 行第 %(column)s 列）：%(message)s")
                % {"line": error.lineno, "column": error.colno, "message": error.msg}
            ) from error

    def to_input(self) -> IndicatorInput:
        return IndicatorInput(**self.cleaned_data)

    @staticmethod
    def initial_from(indicator: Indicator) -> dict[str, Any]:
        return {
            "code": indicator.code,
            "name": indicator.name,
            "name_en": indicator.name_en,
            "kind": indicator.kind,
            "unit": indicator.unit,
            "definition": json.dumps(indicator.definition, ensure_ascii=False, indent=2),
            "description": indicator.description,
        }


class TargetForm(forms.Form):
    action_code = forms.ChoiceField(label=_("专项行动"), required=False)
    indicator_code = forms.ChoiceField(label=_("指标"))
    region_code = forms.ChoiceField(label=_("区域"))
    period_start = _date_field(_("起始日期"))
    period_end = _date_field(_("截止日期"))
    comparator = forms.ChoiceField(label=_("比较"), choices=Comparator.choices)
    value = forms.DecimalField(
        label=_("目标值"),
        max_digits=18,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=_("按指标的单位填写：金额为万元，个数为个，比率为百分数（如 50 表示 50%）。"),
    )
    baseline_value = forms.DecimalField(
        label=_("基数"),
        required=False,
        max_digits=18,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    baseline_date = _date_field(_("基数日期"), required=False)
    weight = forms.DecimalField(label=_("权重"), max_digits=6, decimal_places=2, initial=1)
    sort_order = forms.IntegerField(label=_("排序"), initial=0, min_value=0, max_value=32767)
    green_threshold = _threshold_field(_("正常阈值（百分点）"), False)
    yellow_threshold = _threshold_field(_("预警阈值（百分点）"), False)
    plan_curve = forms.CharField(
        label=_("月度计划进度"),
        required=False,
        help_text=_(
            "可选：每月末累计完成比例，逗号分隔，逐月不减，最后一个为 1，"
            "如 0.05, 0.12, …, 1；留空则按时间均匀计算序时进度。"
        ),
    )
    source_sentence = forms.CharField(
        label=_("原文"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    wide_fields = ("plan_curve", "source_sentence")

    def __init__(self, *args, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "action_code",
            [("", "—"), *((a.code, a.display_name) for a in campaign.actions.all())],
        )
        set_choices(
            self,
            "indicator_code",
            [(i.code, f"{i.display_name}（{i.unit}）") for i in Indicator.objects.all()],
        )
        regions = Region.objects.exclude(kind="province").order_by("path")
        set_choices(
            self, "region_code", [(r.code, f"{r.display_name} · {r.code}") for r in regions]
        )

    def clean_plan_curve(self) -> list[str] | None:
        text = self.cleaned_data["plan_curve"].replace("，", ",").strip()
        if not text:
            return None
        return [part.strip() for part in text.split(",") if part.strip()]

    def to_input(self) -> TargetInput:
        return TargetInput(**self.cleaned_data)

    @staticmethod
    def initial_from(target: Target) -> dict[str, Any]:
        return {
            "action_code": target.action.code if target.action else "",
            "indicator_code": target.indicator.code,
            "region_code": target.region.code,
            "period_start": target.period_start,
            "period_end": target.period_end,
            "comparator": target.comparator,
            "value": target.value,
            "baseline_value": target.baseline_value,
            "baseline_date": target.baseline_date,
            "weight": target.weight,
            "sort_order": target.sort_order,
            "green_threshold": target.green_threshold,
            "yellow_threshold": target.yellow_threshold,
            "plan_curve": ", ".join(target.plan_curve or []),
            "source_sentence": target.source_sentence,
        }


class AllocationForm(forms.Form):
    """One optional value per reporting unit below the target's region; blank = not allocated."""

    def __init__(self, *args, target: Target, regions: list[Region], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.regions = regions
        for region in regions:
            self.fields[region.code] = forms.DecimalField(
                label=region.display_name,
                required=False,
                max_digits=18,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )
        self.target = target

    def allocations(self) -> dict[str, Any]:
        return {code: value for code, value in self.cleaned_data.items() if value not in (None, "")}


class AsOfForm(forms.Form):
    """The as-of date and sub-region a target page is read at."""

    as_of = _date_field(_("截至日期"), required=False)
    region = forms.CharField(required=False, max_length=16)
