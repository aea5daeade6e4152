"""Forms bind and type-check input; the reporting services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.reporting.services import REPORT_TEXT_MAX_LENGTH, ReportInput


class ReportRowForm(forms.Form):
    """One project's figures for the month, as typed in the workspace."""

    amount = forms.DecimalField(
        label=_("本月完成投资（万元）"),
        max_digits=16,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", "min": "0"}),
    )
    progress_text = forms.CharField(
        label=_("形象进度"),
        required=False,
        max_length=REPORT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("如：主体结构封顶，正在进行外立面施工")}
        ),
    )
    adjustment_note = forms.CharField(
        label=_("调整说明"),
        required=False,
        max_length=REPORT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 1, "placeholder": _("本月完成投资为 0 或累计超总投资时填写原因")}
        ),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def to_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            amount=data.get("amount"),
            progress_text=data.get("progress_text") or "",
            adjustment_note=data.get("adjustment_note") or "",
        )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("请写明需要修改的内容")}),
    )


class PeriodOpenForm(forms.Form):
    month = forms.DateField(
        label=_("月份"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    due_date = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空为次月 5 日"),
    )


class PeriodReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新开启原因"), max_length=2000)


class ImportUploadForm(forms.Form):
    """An Excel workbook to import; what it may contain is for the import service to decide."""

    file = forms.FileField(
        label=_("填好的模板（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    # All rows are submitted with the import, or (one row unfit to submit) nothing is imported.
    submit_after = forms.BooleanField(label=_("导入后报送"), required=False)
