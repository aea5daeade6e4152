"""Forms for the rubric pages: they only collect input; the services validate it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.assessment.choices import LateMode, ScoringBasis, ScoringMethod
from gongjian.assessment.models import Rubric, RubricItem
from gongjian.assessment.services import RubricInput, RubricItemInput
from gongjian.campaigns.models import Campaign, Indicator
from gongjian.core.periods import parse_month

HUNDRED = Decimal(100)


class MonthField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM，如 2022-11。")) from None


class RubricForm(forms.Form):
    campaign = forms.ModelChoiceField(Campaign.objects.all(), label=_("攻坚行动"))
    code = forms.CharField(label=_("代码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=100)
    effective_from = MonthField(label=_("起用月份"), help_text=_("YYYY-MM"))
    basis = forms.ChoiceField(label=_("计分依据"), choices=ScoringBasis.choices)
    late_mode = forms.ChoiceField(label=_("逾期填报扣分方式"), choices=LateMode.choices)
    late_points = forms.DecimalField(label=_("每次（天）扣分"), initial=Decimal(0))
    late_cap = forms.DecimalField(
        label=_("扣分上限"), initial=Decimal(0), help_text=_("0 表示不设上限")
    )
    description = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    @classmethod
    def for_rubric(cls, rubric: Rubric, data=None) -> RubricForm:
        form = cls(
            data,
            initial={
                "campaign": rubric.campaign_id,
                "code": rubric.code,
                "name": rubric.name,
                "effective_from": f"{rubric.effective_from:%Y-%m}",
                "basis": rubric.basis,
                "late_mode": rubric.late_mode,
                "late_points": rubric.late_points,
                "late_cap": rubric.late_cap,
                "description": rubric.description,
            },
        )
        form.fields["campaign"].disabled = True
        form.fields["code"].disabled = True
        return form

    def to_input(self) -> RubricInput:
        data = self.cleaned_data
        return RubricInput(
            code=data["code"],
            name=data["name"],
            effective_from=data["effective_from"],
            basis=data["basis"],
            late_mode=data["late_mode"],
            late_points=data["late_points"],
            late_cap=data["late_cap"],
            description=data["description"],
        )


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else str((value / HUNDRED).normalize())


class RubricItemForm(forms.Form):
    """One item; the method's parameters in plain fields (percentages as the office writes
    them), turned into the service's params by ``to_input``."""

    indicator = forms.ModelChoiceField(
        Indicator.objects.all(), label=_("指标"), to_field_name="code"
    )
    weight = forms.DecimalField(label=_("分值"))
    method = forms.ChoiceField(label=_("计分方法"), choices=ScoringMethod.choices)
    sort_order = forms.IntegerField(label=_("排序"), initial=0)
    cap_percent = forms.DecimalField(
        label=_("满分线（%）"),
        required=False,
        help_text=_("线性计分：完成率达到此值得满分，如 100 或 120"),
    )
    bands_text = forms.CharField(
        label=_("分档"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("分档计分：每行“起点% 分值”，如“100 20”“90 16”"),
    )
    bonus_per_point = forms.DecimalField(label=_("每超 1 个百分点加分"), required=False)
    bonus_max = forms.DecimalField(label=_("加分上限"), required=False)
    penalty = forms.DecimalField(label=_("未完成扣分"), required=False)
    penalty_below_percent = forms.DecimalField(
        label=_("扣分线（%）"), required=False, help_text=_("低于此完成率扣分，默认 100")
    )
    ranking_points = forms.CharField(
        label=_("名次分值"),
        required=False,
        help_text=_("排名计分：按名次依次填写，用逗号分隔，如“10,8,6,4”"),
    )
    ranking_rest = forms.DecimalField(label=_("其余名次分值"), required=False)

    @classmethod
    def for_item(cls, item: RubricItem, data=None) -> RubricItemForm:
        params = item.params
        initial: dict[str, Any] = {
            "indicator": item.indicator.code,
            "weight": item.weight,
            "method": item.method,
            "sort_order": item.sort_order,
        }
        if "cap" in params:
            initial["cap_percent"] = (Decimal(params["cap"]) * HUNDRED).normalize()
        if "bands" in params:
            initial["bands_text"] = "\n".join(
                "{} {}".format(
                    (Decimal(b["from"]) * HUNDRED).normalize(), Decimal(b["points"]).normalize()
                )
                for b in params["bands"]
            )
        for name in ("bonus_per_point", "bonus_max", "penalty"):
            if name in params:
                initial[name] = Decimal(params[name]).normalize()
        if "penalty_below" in params:
            initial["penalty_below_percent"] = (
                Decimal(params["penalty_below"]) * HUNDRED
            ).normalize()
        if "points" in params:
            initial["ranking_points"] = ",".join(
                str(Decimal(p).normalize()) for p in params["points"]
            )
        if "rest" in params:
            initial["ranking_rest"] = Decimal(params["rest"]).normalize()
        return cls(data, initial=initial)

    def to_input(self) -> RubricItemInput:
        data = self.cleaned_data
        method = data["method"]
        params: dict[str, Any] = {}
        if method == ScoringMethod.LINEAR:
            params["cap"] = _percent(data["cap_percent"] or HUNDRED)
        elif method == ScoringMethod.BANDS:
            bands: list[Any] = []
            for line in (data["bands_text"] or "").splitlines():
                parts = line.replace("%", " ").replace(",", " ").replace("，", " ").split()
                if not parts:
                    continue
                try:
                    start = _percent(Decimal(parts[0]))
                except InvalidOperation:
                    start = parts[0]
                bands.append({"from": start, "points": parts[1] if len(parts) > 1 else ""})
            params["bands"] = bands
            for name in ("bonus_per_point", "bonus_max", "penalty"):
                if data[name] is not None:
                    params[name] = str(data[name])
            if data["penalty_below_percent"] is not None:
                params["penalty_below"] = _percent(data["penalty_below_percent"])
        elif method == ScoringMethod.RANKING:
            text = (data["ranking_points"] or "").replace("，", ",").replace("、", ",")
            params["points"] = [p.strip() for p in text.split(",") if p.strip()]
            if data["ranking_rest"] is not None:
                params["rest"] = str(data["ranking_rest"])
        return RubricItemInput(
            indicator_code=data["indicator"].code,
            weight=data["weight"],
            method=method,
            params=params,
            sort_order=data["sort_order"] or 0,
        )


class AssessmentRunForm(forms.Form):
    """Which month to preview or publish, under which rubric."""

    month = MonthField(label=_("考核月份"), help_text=_("YYYY-MM"))
    rubric = forms.ModelChoiceField(
        Rubric.objects.none(),
        label=_("考核办法"),
        required=False,
        empty_label=_("当月适用的已发布办法"),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric"].queryset = Rubric.objects.filter(campaign=campaign).order_by(  # type: ignore[attr-defined]
            "code", "-version"
        )
