from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Department
from gongjian.accounts.selectors import users_with_role
from gongjian.core.periods import parse_month
from gongjian.dispatch.choices import LinkRole
from gongjian.dispatch.models import FactorType, MilestoneTemplate, MilestoneType
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region

_DATE = {"type": "date"}


def _choices(field: forms.Field) -> forms.ChoiceField:
    assert isinstance(field, forms.ChoiceField)
    return field


def _date(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"),
    )


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM。")) from None


class MeetingForm(forms.Form):
    region = forms.ChoiceField(label=_("范围"))
    period = MonthField(label=_("调度月份"))
    held_on = _date(_("会议日期"))
    chair = forms.CharField(label=_("主持人"), max_length=100)
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    attendees = forms.CharField(
        label=_("参会人员"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    title = forms.CharField(
        label=_("会议名称"),
        max_length=200,
        required=False,
        help_text=_("留空则按范围和月份命名"),
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["region"]).choices = [(r.code, r.display_name) for r in regions]


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("议题"), max_length=300)
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    position = forms.IntegerField(label=_("序号"), required=False, min_value=1)


class TaskForm(forms.Form):
    text = forms.CharField(label=_("交办内容"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label=_("责任单位"))
    owner_person = forms.CharField(label=_("责任人"), max_length=64, required=False)
    due_date = _date(_("完成时限"))
    project_code = forms.CharField(label=_("相关项目编号"), max_length=32, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.filter(
            path__startswith=meeting.region.path,
            kind__in=[RegionKind.COUNTY, RegionKind.ZONE],
            is_reporting=True,
        )
        _choices(self.fields["owner"]).choices = (
            [("", "—")]
            + [
                (f"d:{d.code}", d.name)
                for d in Department.objects.filter(region__path__startswith=meeting.region.path)
            ]
            + [(f"r:{r.code}", r.display_name) for r in regions]
        )


class HoldForm(forms.Form):
    minutes_number = forms.CharField(label=_("纪要编号"), max_length=64, required=False)
    summary = forms.CharField(label=_("会议纪要正文"), widget=forms.Textarea(attrs={"rows": 6}))


class TaskReportForm(forms.Form):
    progress = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 3}))
    done = forms.BooleanField(label=_("已办结，申请销号"), required=False)


class MilestoneForm(forms.Form):
    milestone_type = forms.ChoiceField(label=_("事项"))
    planned_date = _date(_("计划完成日期"))
    actual_date = _date(_("实际完成日期"), required=False)
    document_number = forms.CharField(label=_("批复文号"), max_length=100, required=False)
    evidence = forms.FileField(
        label=_("批复文件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.webp"}),
    )
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["milestone_type"]).choices = [
            (t.code, t.display_name) for t in MilestoneType.objects.filter(is_active=True)
        ]


class TemplateForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("前期工作模板"), queryset=MilestoneTemplate.objects.all(), to_field_name="code"
    )
    planned_start = _date(_("计划开工日期"))


class LinkForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=LinkRole.choices)
    user = forms.ChoiceField(label=_("市领导账号"), required=False)
    name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    position = forms.CharField(label=_("职务"), max_length=100, required=False)
    start_date = _date(_("起始日期"))
    end_date = _date(_("结束日期"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["user"]).choices = [("", "—")] + [
            (u.username, str(u)) for u in users_with_role(roles=[Role.LEADER])
        ]


class FactorRequestForm(forms.Form):
    factor_type = forms.ChoiceField(label=_("要素类型"))
    title = forms.CharField(label=_("需求事项"), max_length=200)
    quantity = forms.DecimalField(
        label=_("需求数量"), required=False, max_digits=16, decimal_places=2
    )
    unit = forms.CharField(label=_("单位"), max_length=16, required=False)
    description = forms.CharField(label=_("需求说明"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["factor_type"]).choices = [
            (f.code, f.display_name) for f in FactorType.objects.filter(is_active=True)
        ]
