from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.bulletins.choices import BulletinFormat, DocxTemplateKind
from gongjian.bulletins.selectors import bulletin_months
from gongjian.campaigns.models import Campaign
from gongjian.core.periods import parse_month


class BulletinForm(forms.Form):
    """Which bulletin to make: the campaign, the (ended) month and the file format."""

    campaign = forms.ModelChoiceField(
        label=_("攻坚行动"), queryset=Campaign.objects.none(), empty_label=None
    )
    month = forms.ChoiceField(label=_("月份"))
    format = forms.ChoiceField(
        label=_("格式"),
        choices=BulletinFormat.choices,
        initial=BulletinFormat.PDF,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = Campaign.objects.order_by("-starts_on", "code")
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        months = sorted(
            {month for campaign in campaigns for month in bulletin_months(campaign)}, reverse=True
        )
        self.fields["month"].choices = [  # type: ignore[attr-defined]
            (f"{m:%Y-%m}", _("%(year)s年%(month)s月") % {"year": m.year, "month": m.month})
            for m in months
        ]
        if months:
            self.fields["month"].initial = f"{months[0]:%Y-%m}"

    def clean_month(self) -> dt.date:
        return parse_month(self.cleaned_data["month"])


class DocxTemplateForm(forms.Form):
    """A replacement Word 公文 template for one kind of document."""

    kind = forms.ChoiceField(label=_("文种"), choices=DocxTemplateKind.choices)
    file = forms.FileField(label=_("模板文件（.docx）"))
