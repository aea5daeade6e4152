"""Filters and uploads of the park pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.parks.choices import ParkKind
from gongjian.parks.selectors import PARK_MEASURES
from gongjian.regions.models import Region


class ParkFilterForm(forms.Form):
    as_of = forms.DateField(
        label=_("截至日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.ModelChoiceField(
        label=_("区域"),
        queryset=Region.objects.filter(is_reporting=True).order_by("sort_order"),
        required=False,
        to_field_name="code",
        empty_label=_("全部区域"),
    )
    kind = forms.ChoiceField(
        label=_("园区类型"), choices=[("", _("全部类型")), *ParkKind.choices], required=False
    )
    standardised = forms.ChoiceField(
        label=_("标准化建设"),
        choices=[("", _("全部")), ("1", _("已完成")), ("0", _("未完成"))],
        required=False,
    )
    by = forms.ChoiceField(label=_("排名指标"), choices=list(PARK_MEASURES.items()), required=False)


class CompareForm(forms.Form):
    """拉练: chosen parks side by side on chosen measures."""

    as_of = forms.DateField(
        label=_("截至日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    parks = forms.MultipleChoiceField(
        label=_("园区"), required=False, widget=forms.CheckboxSelectMultiple
    )
    measures = forms.MultipleChoiceField(
        label=_("指标"), choices=list(PARK_MEASURES.items()), required=False
    )

    def __init__(self, *args, park_choices, **kwargs):
        super().__init__(*args, **kwargs)
        parks = self.fields["parks"]
        assert isinstance(parks, forms.MultipleChoiceField)
        parks.choices = park_choices


class RosterImportForm(forms.Form):
    file = forms.FileField(label=_("企业名录（.xlsx）"))
    update_existing = forms.BooleanField(
        label=_("按统一社会信用代码更新已登记的企业"), required=False
    )
    effective_on = forms.DateField(
        label=_("变动日期"),
        required=False,
        help_text=_("名录未注明日期的变动（迁出园区、退出规上、用地变化）按此日期登记；默认今天"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
