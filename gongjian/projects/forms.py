"""Forms bind and type-check input; the services decide what is valid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.choices import PROJECT_EDITOR_ROLES
from gongjian.accounts.scopes import region_scope_q
from gongjian.core.forms import set_choices
from gongjian.core.periods import today
from gongjian.projects.choices import RECORDABLE_STAGES, Stage
from gongjian.projects.models import Category, IndustryChain
from gongjian.projects.selectors import STAGE_GROUPS
from gongjian.projects.services import ProjectInput
from gongjian.regions.selectors import region_list_reporting


def _money_field(label: Any, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class ProjectForm(forms.Form):
    code = forms.CharField(
        label=_("项目编号"),
        max_length=32,
        widget=forms.TextInput(attrs={"placeholder": _("如：LC-2022-001"), "autocomplete": "off"}),
    )
    region_code = forms.ChoiceField(label=_("所属区域"))
    name = forms.CharField(label=_("项目名称"), max_length=200)
    category_code = forms.ChoiceField(label=_("项目类别"))
    industry_chain_code = forms.ChoiceField(label=_("产业链"), required=False)
    total_investment = _money_field(_("总投资（万元）"))
    annual_plan = _money_field(_("年度计划投资（万元）"), required=False)
    owner_enterprise = forms.CharField(label=_("业主单位"), max_length=200, required=False)
    responsible_unit = forms.CharField(
        label=_("责任单位"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：鲤城区发改局")}),
    )
    longitude = forms.DecimalField(
        label=_("经度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "0.000001", "placeholder": "118.587000"}),
    )
    latitude = forms.DecimalField(
        label=_("纬度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "0.000001", "placeholder": "24.908000"}),
    )
    description = forms.CharField(
        label=_("建设内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # How the page groups the fields; names not listed here are not shown.
    fieldsets = (
        (
            _("基本信息"),
            ("code", "region_code", "name", "category_code", "industry_chain_code", "description"),
        ),
        (_("投资"), ("total_investment", "annual_plan")),
        (_("单位与位置"), ("owner_enterprise", "responsible_unit", "longitude", "latitude")),
    )
    wide_fields = frozenset({"name", "description"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = region_list_reporting().filter(region_scope_q(user, "", PROJECT_EDITOR_ROLES))
        region_choices = [(r.code, r.display_name) for r in regions]
        set_choices(self, "region_code", region_choices)
        set_choices(
            self,
            "category_code",
            [("", _("请选择…"))]
            + [(c.code, c.display_name) for c in Category.objects.filter(is_active=True)],
        )
        set_choices(
            self,
            "industry_chain_code",
            [("", "—")]
            + [(c.code, c.display_name) for c in IndustryChain.objects.filter(is_active=True)],
        )
        if len(region_choices) == 1:
            self.initial.setdefault("region_code", region_choices[0][0])

    def grouped_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The visible fields in their fieldsets, for the template."""
        return [(title, [self[name] for name in names]) for title, names in self.fieldsets]

    def to_input(self) -> ProjectInput:
        data = self.cleaned_data
        return ProjectInput(
            code=data["code"],
            name=data["name"],
            region_code=data["region_code"],
            category_code=data["category_code"],
            industry_chain_code=data.get("industry_chain_code") or "",
            total_investment=data["total_investment"],
            annual_plan=data.get("annual_plan") or Decimal(0),
            owner_enterprise=data.get("owner_enterprise") or "",
            responsible_unit=data.get("responsible_unit") or "",
            longitude=data.get("longitude"),
            latitude=data.get("latitude"),
            description=data.get("description") or "",
        )


# Service error keys that name a different form field.
SERVICE_TO_FORM_FIELD = {
    "region": "region_code",
    "category": "category_code",
    "industry_chain": "industry_chain_code",
}


class StageForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("阶段"), choices=[(s, Stage(s).label) for s in RECORDABLE_STAGES]
    )
    date = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("依据说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("如：施工许可证编号、开工报告")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Stages are recorded once they have happened; the picker stops at today.
        self.fields["date"].widget.attrs["max"] = today().isoformat()


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    region = forms.ChoiceField(label=_("区域"), required=False)
    category = forms.ChoiceField(label=_("类别"), required=False)
    stage = forms.ChoiceField(
        label=_("阶段"),
        required=False,
        choices=[
            ("", _("全部阶段")),
            *Stage.choices,
            (_("阶段分组"), [(code, label) for code, (label, _stages) in STAGE_GROUPS.items()]),
        ],
    )
    industry = forms.ChoiceField(label=_("产业链"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = region_list_reporting().filter(region_scope_q(user, ""))
        set_choices(
            self, "region", [("", _("全部区域")), *((r.code, r.display_name) for r in regions)]
        )
        set_choices(
            self,
            "category",
            [("", _("全部类别")), *((c.code, c.display_name) for c in Category.objects.all())],
        )
        set_choices(
            self,
            "industry",
            [
                ("", _("全部产业链")),
                *((c.code, c.display_name) for c in IndustryChain.objects.all()),
            ],
        )
        for name in ("region", "category", "stage", "industry"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].label
