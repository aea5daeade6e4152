from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.audit.choices import AuditAction
from gongjian.audit.display import model_label
from gongjian.core.forms import set_choices


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("账号"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("账号"), "aria-label": _("账号")}),
    )
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部操作")), *AuditAction.choices]
    )
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("对象或说明"), "aria-label": _("关键词")}
        ),
    )
    date_from = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, object_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "object_type",
            [("", _("全部对象")), *((t, model_label(t)) for t in object_types)],
        )
        for name in ("action", "object_type", "date_from", "date_to"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].label
