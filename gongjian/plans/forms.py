"""Forms of the lights page, the light rules and the annual-plan adjustment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.scopes import region_scope_q
from gongjian.core.forms import set_choices
from gongjian.plans.choices import LightColor
from gongjian.projects.choices import ProjectClass, ProjectLevel
from gongjian.projects.models import Sector
from gongjian.projects.selectors import responsible_units
from gongjian.regions.selectors import region_list_reporting


class LightFilterForm(forms.Form):
    as_of = forms.DateField(
        label=_("截至日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.ChoiceField(label=_("区域"), required=False)
    level = forms.ChoiceField(
        label=_("级别"), required=False, choices=[("", _("全部级别")), *ProjectLevel.choices]
    )
    sector = forms.ChoiceField(label=_("行业领域"), required=False)
    project_class = forms.ChoiceField(
        label=_("建设性质"),
        required=False,
        choices=[("", _("全部建设性质")), *ProjectClass.choices],
    )
    responsible_unit = forms.ChoiceField(label=_("责任单位"), required=False)
    light = forms.ChoiceField(
        label=_("灯色"), required=False, choices=[("", _("全部灯色")), *LightColor.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = region_list_reporting().filter(region_scope_q(user, ""))
        set_choices(
            self, "region", [("", _("全部区域")), *((r.code, r.display_name) for r in regions)]
        )
        set_choices(
            self,
            "sector",
            [("", _("全部行业领域")), *((s.code, s.display_name) for s in Sector.objects.all())],
        )
        set_choices(
            self,
            "responsible_unit",
            [("", _("全部责任单位")), *((u, u) for u in responsible_units(user=user))],
        )
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label


class LightRuleForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    color = forms.ChoiceField(
        label=_("亮灯"),
        choices=[
            (LightColor.YELLOW, LightColor.YELLOW.label),
            (LightColor.RED, LightColor.RED.label),
        ],
    )
    threshold = forms.DecimalField(
        label=_("阈值（百分点）"), required=False, max_digits=8, decimal_places=2, min_value=0
    )
    months = forms.IntegerField(label=_("月数"), required=False, min_value=1, max_value=24)
    days = forms.IntegerField(label=_("天数"), required=False, min_value=1, max_value=366)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class PlanAdjustForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=_("年度计划投资（万元）"), max_digits=16, decimal_places=2, min_value=0
    )
    effective_date = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("下达或调整依据"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )
