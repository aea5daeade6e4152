"""Forms bind and type-check input; the services decide what is valid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.choices import PROJECT_EDITOR_ROLES
from gongjian.accounts.models import Department
from gongjian.accounts.scopes import region_scope_q
from gongjian.core.forms import set_choices
from gongjian.core.periods import today
from gongjian.projects.choices import (
    RECORDABLE_STAGES,
    ProblemAge,
    ProblemStatus,
    ProjectClass,
    ProjectLevel,
    Stage,
    SupervisionStatus,
)
from gongjian.projects.models import Category, IndustryChain, Sector
from gongjian.projects.selectors import PROBLEM_STATUS_ALL, STAGE_GROUPS
from gongjian.projects.services import ProjectInput, SupervisionInput
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
        widget=forms.TextInput(
            attrs={"placeholder": _("如：ZD2022-350502-0001"), "autocomplete": "off"}
        ),
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
        label=_("建设规模及内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    levels = forms.MultipleChoiceField(
        label=_("项目级别"),
        required=False,
        choices=ProjectLevel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    project_class = forms.ChoiceField(
        label=_("建设性质（年度清单）"),
        required=False,
        choices=[("", "—"), *ProjectClass.choices],
    )
    sector_code = forms.ChoiceField(label=_("行业领域"), required=False)
    start_year = forms.IntegerField(label=_("建设起始年"), required=False, min_value=1990)
    end_year = forms.IntegerField(label=_("建设结束年"), required=False, min_value=1990)
    planned_start_month = forms.DateField(
        label=_("计划开工月份"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    planned_completion_month = forms.DateField(
        label=_("计划竣工（投产）月份"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    owner_uscc = forms.CharField(label=_("业主统一社会信用代码"), max_length=18, required=False)
    responsible_person = forms.CharField(label=_("责任人"), max_length=50, required=False)
    responsible_phone = forms.CharField(label=_("责任人电话"), max_length=20, required=False)
    national_code = forms.CharField(
        label=_("全国投资项目代码"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "2022-350500-47-01-012345"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # How the page groups the fields; names not listed here are not shown.
    fieldsets = (
        (
            _("基本信息"),
            ("code", "region_code", "name", "category_code", "industry_chain_code", "description"),
        ),
        (
            _("年度重点项目清单"),
            (
                "levels",
                "project_class",
                "sector_code",
                "national_code",
                "start_year",
                "end_year",
                "planned_start_month",
                "planned_completion_month",
            ),
        ),
        (_("投资"), ("total_investment", "annual_plan")),
        (
            _("单位与位置"),
            (
                "owner_enterprise",
                "owner_uscc",
                "responsible_unit",
                "responsible_person",
                "responsible_phone",
                "longitude",
                "latitude",
            ),
        ),
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
        set_choices(
            self,
            "sector_code",
            [("", "—")] + [(c.code, c.display_name) for c in Sector.objects.filter(is_active=True)],
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
            levels=tuple(data.get("levels") or ()),
            project_class=data.get("project_class") or "",
            sector_code=data.get("sector_code") or "",
            start_year=data.get("start_year"),
            end_year=data.get("end_year"),
            planned_start_month=data.get("planned_start_month"),
            planned_completion_month=data.get("planned_completion_month"),
            owner_uscc=data.get("owner_uscc") or "",
            responsible_person=data.get("responsible_person") or "",
            responsible_phone=data.get("responsible_phone") or "",
            national_code=data.get("national_code") or "",
            markers=self.initial.get("markers", "") if self.initial else "",
        )


# Service error keys that name a different form field.
SERVICE_TO_FORM_FIELD = {
    "region": "region_code",
    "category": "category_code",
    "industry_chain": "industry_chain_code",
    "sector": "sector_code",
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
    evidence = forms.FileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("开工、竣工须附现场照片或文件（PDF、JPEG、PNG）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.webp"}),
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
    level = forms.ChoiceField(
        label=_("级别"), required=False, choices=[("", _("全部级别")), *ProjectLevel.choices]
    )
    sector = forms.ChoiceField(label=_("行业领域"), required=False)
    project_class = forms.ChoiceField(
        label=_("建设性质"),
        required=False,
        choices=[("", _("全部建设性质")), *ProjectClass.choices],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "sector",
            [("", _("全部行业领域")), *((s.code, s.display_name) for s in Sector.objects.all())],
        )
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
        for name in ("region", "category", "stage", "industry", "level", "sector", "project_class"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].label


# ---------------------------------------------------------------------------------------------
# 督办 and 问题协调


def _date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def supervision_target_choices(user) -> list:
    """Districts and departments, grouped, as "region:<code>" / "department:<code>"."""
    regions = region_list_reporting().filter(region_scope_q(user, ""))
    departments = Department.objects.select_related("region").filter(region_scope_q(user, "region"))
    return [
        ("", _("请选择…")),
        (_("县（市、区）"), [(f"region:{r.code}", r.display_name) for r in regions]),
        (_("行业部门"), [(f"department:{d.code}", d.name) for d in departments]),
    ]


class SupervisionForm(forms.Form):
    title = forms.CharField(
        label=_("督办事项"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：加快推进项目用地报批")}),
    )
    target = forms.ChoiceField(label=_("督办对象"))
    due_date = _date_field(_("办理期限"))
    project_code = forms.CharField(
        label=_("相关项目编号"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("选填，如：ZD2022-350502-0001")}),
    )
    content = forms.CharField(
        label=_("督办内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("写明要求办理的事项和标准")}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "target", supervision_target_choices(user))
        self.fields["due_date"].widget.attrs["min"] = today().isoformat()

    def to_input(self) -> SupervisionInput:
        data = self.cleaned_data
        kind, _sep, code = data["target"].partition(":")
        return SupervisionInput(
            title=data["title"],
            content=data["content"],
            due_date=data["due_date"],
            target_region_code=code if kind == "region" else "",
            target_department_code=code if kind == "department" else "",
            project_code=data.get("project_code") or "",
        )


class SupervisionRespondForm(forms.Form):
    response = forms.CharField(
        label=_("办理情况"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("写明已采取的措施和结果")}),
    )


class SupervisionCloseForm(forms.Form):
    note = forms.CharField(
        label=_("办结意见"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("选填")}),
    )


class SupervisionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *SupervisionStatus.choices],
    )
    target = forms.ChoiceField(label=_("督办对象"), required=False)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = supervision_target_choices(user)
        choices[0] = ("", _("全部对象"))
        set_choices(self, "target", choices)
        for name in ("status", "target"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].label


class ProblemRaiseForm(forms.Form):
    title = forms.CharField(
        label=_("问题"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：项目用地指标尚未落实")}),
    )
    description = forms.CharField(
        label=_("问题描述"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("写明问题的来由、影响和诉求")}),
    )
    report = forms.TypedChoiceField(
        label=_("所在月报"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "report",
            [("", _("不关联月报"))]
            + [(r.pk, _("%(label)s月报") % {"label": r.period.label}) for r in reports],
        )


class ProblemAssignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("承办部门"),
        queryset=Department.objects.all(),
        to_field_name="code",
        empty_label=_("请选择…"),
    )
    due_date = _date_field(_("办结期限"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].widget.attrs["min"] = today().isoformat()


class ProblemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=ProblemStatus.choices)
    note = forms.CharField(
        label=_("说明（标为已解决时填写解决情况）"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProblemFilterForm(forms.Form):
    department = forms.ChoiceField(label=_("承办部门"), required=False)
    district = forms.ChoiceField(label=_("县区"), required=False)
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        # Empty (the default) means every unresolved problem.
        choices=[
            ("", _("未解决")),
            *ProblemStatus.choices,
            (PROBLEM_STATUS_ALL, _("全部状态")),
        ],
    )
    age = forms.ChoiceField(
        label=_("已提出"), required=False, choices=[("", _("不限时长")), *ProblemAge.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "department",
            [("", _("全部部门")), *((d.code, d.name) for d in Department.objects.all())],
        )
        regions = region_list_reporting().filter(region_scope_q(user, ""))
        set_choices(
            self, "district", [("", _("全部县区")), *((r.code, r.display_name) for r in regions)]
        )
        for name in ("department", "district", "status", "age"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].label


class ProjectListImportForm(forms.Form):
    """The upload of a published key-project list (年度重点项目清单)."""

    file = forms.FileField(
        label=_("重点项目清单（.xlsx、.xls 或 .csv）"),
        help_text=_("发改委印发的原表即可：表头、合计行、分组标题、★▲标记会被识别"),
    )
    year = forms.IntegerField(label=_("清单年度"), min_value=2000, max_value=2100)
    region = forms.ChoiceField(
        label=_("所在区域"),
        required=False,
        help_text=_("表中没有“所在地/县（市、区）”列时，全部项目归属此区域"),
    )
    update = forms.BooleanField(
        label=_("更新已有项目（按项目编号或全国投资项目代码匹配，只改变不同之处）"),
        required=False,
    )
    dry_run = forms.BooleanField(label=_("只检查，不保存"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = region_list_reporting().filter(region_scope_q(user, "", PROJECT_EDITOR_ROLES))
        set_choices(self, "region", [("", "—"), *((r.code, r.display_name) for r in regions)])
        self.initial.setdefault("year", today().year)
