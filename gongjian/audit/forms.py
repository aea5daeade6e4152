from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.audit.choices import AuditAction
from gongjian.core.forms import set_choices


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("账号"), required=False)
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部操作")), *AuditAction.choices]
    )
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    q = forms.CharField(label=_("关键词"), required=False)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, object_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "object_type", [("", _("全部对象")), *((t, t) for t in object_types)])
