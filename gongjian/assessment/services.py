"""Writes to assessment: rubrics (versioned), their items, publishing a rubric, computing a
preview and publishing a result. Each write checks permission (city_admin), validates, writes and
audits in one transaction; a refusal is audited and changes nothing.

Versioning: a draft rubric is edited in place; editing a published one (its settings or its
items) makes the next version as a draft copy and edits that, so a published rubric — and every
result published under it — never changes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gongjian.assessment import selectors
from gongjian.assessment.choices import LateMode, RubricStatus, ScoringBasis, ScoringMethod
from gongjian.assessment.models import AssessmentResult, AssessmentScore, Rubric, RubricItem
from gongjian.assessment.scoring import ItemRule, RegionScore, RubricRule, score_all
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.campaigns.models import Campaign, Indicator
from gongjian.core import periods
from gongjian.core.periods import month_end, month_start, today
from gongjian.regions.models import AssessmentGroup, Region

Errors = dict[str, list[str]]
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_POINTS = Decimal("1000")


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _require_manager(actor, obj=None, *, message: str) -> None:
    if not actor.has_perm("assessment.manage", obj):
        raise audit_denied(actor=actor, obj=obj, message=message)


def _decimal(
    errors: Errors,
    name: str,
    label: str,
    value: Any,
    *,
    low: Decimal = Decimal(0),
    high: Decimal = MAX_POINTS,
    places: int = 4,
) -> Decimal | None:
    """A finite Decimal in [low, high] with at most ``places`` decimals, or None (with an error
    naming the field)."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        _add(errors, name, _("%(label)s不是有效的数字。") % {"label": label})
        return None
    if number.as_tuple().exponent < -places:  # type: ignore[operator]
        _add(
            errors,
            name,
            _("%(label)s最多保留 %(places)s 位小数。") % {"label": label, "places": places},
        )
        return None
    if not low <= number <= high:
        _add(
            errors,
            name,
            _("%(label)s须在 %(low)s 至 %(high)s 之间。")
            % {"label": label, "low": low, "high": high},
        )
        return None
    return number


# ---------------------------------------------------------------------------------------------
# Rubrics


@dataclass
class RubricInput:
    code: str
    name: str
    effective_from: dt.date
    basis: str = ScoringBasis.COMPLETION
    late_mode: str = LateMode.NONE
    late_points: Decimal = Decimal(0)
    late_cap: Decimal = Decimal(0)
    description: str = ""


def rubric_snapshot(rubric: Rubric) -> dict[str, Any]:
    return {
        "campaign": rubric.campaign.code,
        "code": rubric.code,
        "version": rubric.version,
        "name": rubric.name,
        "status": rubric.status,
        "effective_from": rubric.effective_from.isoformat(),
        "basis": rubric.basis,
        "late_mode": rubric.late_mode,
        "late_points": str(rubric.late_points),
        "late_cap": str(rubric.late_cap),
        "items": [item_snapshot(item) for item in rubric.items.select_related("indicator")],
    }


def item_snapshot(item: RubricItem) -> dict[str, Any]:
    return {
        "indicator": item.indicator.code,
        "weight": str(item.weight),
        "method": item.method,
        "params": item.params,
        "sort_order": item.sort_order,
    }


def _rubric_values(campaign: Campaign, data: RubricInput) -> dict[str, Any]:
    errors: Errors = {}
    code = (data.code or "").strip()
    if not code:
        _add(errors, "code", _("代码不能为空。"))
    elif len(code) > 32 or not _CODE.match(code):
        _add(errors, "code", _("代码只能包含小写字母、数字、“-”和“_”，最长 32 位。"))
    name = (data.name or "").strip()
    if not name:
        _add(errors, "name", _("名称不能为空。"))
    elif len(name) > 100:
        _add(errors, "name", _("名称最长 100 字。"))
    effective = data.effective_from
    if not isinstance(effective, dt.date) or effective.day != 1:
        _add(errors, "effective_from", _("起用月份须为某月的第一天。"))
    elif not month_start(campaign.starts_on) <= effective <= campaign.ends_on:
        _add(
            errors,
            "effective_from",
            _("起用月份须在攻坚行动期限（%(start)s 至 %(end)s）之内。")
            % {"start": f"{campaign.starts_on:%Y-%m}", "end": f"{campaign.ends_on:%Y-%m}"},
        )
    if data.basis not in ScoringBasis.values:
        _add(errors, "basis", _("计分依据须为目标完成率或序时完成率。"))
    if data.late_mode not in LateMode.values:
        _add(
            errors, "late_mode", _("未知的逾期填报扣分方式“%(mode)s”。") % {"mode": data.late_mode}
        )
    late_points = _decimal(
        errors, "late_points", _("每次（天）扣分"), data.late_points, high=Decimal(100), places=2
    )
    late_cap = _decimal(errors, "late_cap", _("扣分上限"), data.late_cap, high=MAX_POINTS, places=2)
    if data.late_mode in (LateMode.PER_REPORT, LateMode.PER_DAY) and late_points == 0:
        _add(errors, "late_points", _("按逾期扣分时，每次（天）扣分须大于 0。"))
    if errors:
        raise ValidationError(errors)
    return {
        "code": code,
        "name": name,
        "effective_from": effective,
        "basis": data.basis,
        "late_mode": data.late_mode,
        "late_points": late_points,
        "late_cap": late_cap,
        "description": (data.description or "").strip(),
    }


def rubric_create(*, actor, campaign: Campaign, data: RubricInput) -> Rubric:
    """A new rubric (version 1, draft) of ``campaign``."""
    _require_manager(actor, message=_("无权新建考核办法。"))
    values = _rubric_values(campaign, data)
    if Rubric.objects.filter(campaign=campaign, code=values["code"]).exists():
        raise ValidationError(
            {"code": [_("本攻坚行动已有代码为“%(code)s”的考核办法。") % {"code": values["code"]}]}
        )
    with transaction.atomic():
        rubric = Rubric.objects.create(campaign=campaign, version=1, created_by=actor, **values)
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=rubric, after=rubric_snapshot(rubric)
        )
    return rubric


def _editable(actor, rubric: Rubric) -> Rubric:
    """The draft to edit for ``rubric``: itself when a draft; for a published one, its open next
    version when there is one, else a new version copied from it (audited). An older version
    whose successor is already published is not edited. Called inside a transaction."""
    current = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if current.status == RubricStatus.DRAFT:
        return current
    newest = (
        Rubric.objects.filter(campaign_id=current.campaign_id, code=current.code)
        .order_by("-version")
        .first()
    )
    assert newest is not None
    if newest.pk != current.pk:
        if newest.status == RubricStatus.DRAFT:
            return Rubric.objects.select_for_update().get(pk=newest.pk)
        raise ValidationError(
            _("v%(version)s 已不是最新版本，请在 v%(latest)s 上修改。")
            % {"version": current.version, "latest": newest.version}
        )
    latest = Rubric.objects.filter(campaign_id=current.campaign_id, code=current.code).aggregate(
        v=Max("version")
    )["v"]
    copy = Rubric.objects.create(
        campaign_id=current.campaign_id,
        code=current.code,
        version=latest + 1,
        name=current.name,
        description=current.description,
        effective_from=current.effective_from,
        basis=current.basis,
        late_mode=current.late_mode,
        late_points=current.late_points,
        late_cap=current.late_cap,
        created_by=actor,
    )
    RubricItem.objects.bulk_create(
        RubricItem(
            rubric=copy,
            indicator_id=item.indicator_id,
            weight=item.weight,
            method=item.method,
            params=item.params,
            sort_order=item.sort_order,
        )
        for item in current.items.all()
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=copy,
        after=rubric_snapshot(copy),
        message=_("由已发布的 v%(version)s 复制为新版本。") % {"version": current.version},
    )
    return copy


def rubric_update(*, actor, rubric: Rubric, data: RubricInput) -> Rubric:
    """Change a rubric's settings. A published rubric is not changed: the change goes to its
    next version (a draft copy), which is returned."""
    _require_manager(actor, rubric, message=_("无权修改考核办法“%(name)s”。") % {"name": rubric})
    values = _rubric_values(rubric.campaign, data)
    if values["code"] != rubric.code:
        raise ValidationError({"code": [_("考核办法的代码不能修改。")]})
    with transaction.atomic():
        draft = _editable(actor, rubric)
        before = rubric_snapshot(draft)
        for name, value in values.items():
            setattr(draft, name, value)
        draft.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=draft,
            before=before,
            after=rubric_snapshot(draft),
        )
    return draft


def rubric_publish(*, actor, rubric: Rubric) -> Rubric:
    """Publish a draft: from now on it is read-only and results may be published under it."""
    _require_manager(actor, rubric, message=_("无权发布考核办法“%(name)s”。") % {"name": rubric})
    with transaction.atomic():
        current = Rubric.objects.select_for_update().get(pk=rubric.pk)
        if current.status != RubricStatus.DRAFT:
            raise ValidationError(_("“%(name)s”已发布，不能重复发布。") % {"name": current})
        items = list(current.items.all())
        if not items:
            raise ValidationError(_("考核办法至少要有一个考核项目才能发布。"))
        before = rubric_snapshot(current)
        current.status = RubricStatus.PUBLISHED
        current.published_at = periods.now()
        current.published_by = actor
        current.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=current,
            before=before,
            after=rubric_snapshot(current),
            message=_("发布考核办法。"),
        )
    return current


# ---------------------------------------------------------------------------------------------
# Rubric items


@dataclass
class RubricItemInput:
    indicator_code: str
    weight: Decimal
    method: str
    params: dict[str, Any] = field(default_factory=dict)
    sort_order: int = 0


def _points_list(errors: Errors, label: str, values: Any, weight: Decimal) -> list[Decimal]:
    if not isinstance(values, list) or not values:
        _add(errors, "params", _("%(label)s不能为空。") % {"label": label})
        return []
    result = []
    for index, value in enumerate(values, start=1):
        number = _decimal(
            errors,
            "params",
            _("%(label)s第 %(n)s 项") % {"label": label, "n": index},
            value,
            high=weight,
            places=2,
        )
        if number is not None:
            result.append(number)
    return result


_PARAMETERS: dict[str, set[str]] = {
    ScoringMethod.LINEAR: {"cap"},
    ScoringMethod.BANDS: {"bands", "bonus_per_point", "bonus_max", "penalty", "penalty_below"},
    ScoringMethod.RANKING: {"points", "rest"},
}


def rubric_item_params_validate(method: str, weight: Decimal, params: Any) -> dict[str, Any]:
    """The normalised parameters of a scoring method (decimal strings), or ValidationError with
    messages naming the parameter. Ratios are fractions: 1 is 100%, 1.2 is 120%."""
    errors: Errors = {}
    if not isinstance(params, dict):
        raise ValidationError({"params": [_("计分参数格式不正确。")]})
    allowed = _PARAMETERS.get(method, set())
    unknown = sorted(set(params) - allowed)
    if unknown:
        _add(errors, "params", _("未知的计分参数：%(names)s。") % {"names": "、".join(unknown)})
    clean: dict[str, Any] = {}
    if method == ScoringMethod.LINEAR:
        cap = _decimal(
            errors,
            "params",
            _("满分线"),
            params.get("cap", "1"),
            low=Decimal("0.01"),
            high=Decimal(10),
        )
        if cap is not None:
            clean["cap"] = str(cap)
    elif method == ScoringMethod.BANDS:
        bands = params.get("bands")
        if not isinstance(bands, list) or not bands:
            _add(errors, "params", _("分档不能为空。"))
            bands = []
        starts: set[Decimal] = set()
        clean_bands = []
        for index, band in enumerate(bands, start=1):
            if not isinstance(band, dict) or set(band) != {"from", "points"}:
                _add(errors, "params", _("第 %(n)s 档须有起点和分值。") % {"n": index})
                continue
            start = _decimal(
                errors,
                "params",
                _("第 %(n)s 档起点") % {"n": index},
                band["from"],
                high=Decimal(10),
            )
            band_points = _decimal(
                errors,
                "params",
                _("第 %(n)s 档分值") % {"n": index},
                band["points"],
                high=weight,
                places=2,
            )
            if start is not None and start in starts:
                _add(errors, "params", _("第 %(n)s 档起点与其他档重复。") % {"n": index})
            if start is not None and band_points is not None:
                starts.add(start)
                clean_bands.append((start, band_points))
        clean_bands.sort(reverse=True)
        for (high_start, high_points), (low_start, low_points) in itertools.pairwise(clean_bands):
            if low_points > high_points:
                _add(
                    errors,
                    "params",
                    _("起点 %(low)s 的档分值不能高于起点 %(high)s 的档。")
                    % {"low": low_start, "high": high_start},
                )
        clean["bands"] = [{"from": str(s), "points": str(p)} for s, p in clean_bands]
        for name, label, high, places in (
            ("bonus_per_point", _("每超 1 个百分点加分"), weight, 2),
            ("bonus_max", _("加分上限"), weight, 2),
            ("penalty", _("未完成扣分"), weight, 2),
            ("penalty_below", _("扣分线"), Decimal(10), 4),
        ):
            if name in params:
                value = _decimal(errors, "params", label, params[name], high=high, places=places)
                if value is not None:
                    clean[name] = str(value)
    elif method == ScoringMethod.RANKING:
        table = _points_list(errors, _("名次分值"), params.get("points"), weight)
        for index, (upper, lower) in enumerate(itertools.pairwise(table), start=2):
            if lower > upper:
                _add(
                    errors,
                    "params",
                    _("第 %(n)s 名的分值不能高于第 %(m)s 名。") % {"n": index, "m": index - 1},
                )
        clean["points"] = [str(p) for p in table]
        if "rest" in params:
            rest = _decimal(
                errors, "params", _("其余名次分值"), params["rest"], high=weight, places=2
            )
            if rest is not None:
                clean["rest"] = str(rest)
    if errors:
        raise ValidationError(errors)
    return clean


def _item_values(rubric: Rubric, data: RubricItemInput) -> dict[str, Any]:
    errors: Errors = {}
    indicator = Indicator.objects.filter(code=(data.indicator_code or "").strip()).first()
    if indicator is None:
        _add(errors, "indicator", _("未知的指标代码“%(code)s”。") % {"code": data.indicator_code})
    weight = _decimal(errors, "weight", _("分值"), data.weight, places=2)
    if weight is not None and weight <= 0:
        _add(errors, "weight", _("分值须大于 0。"))
        weight = None
    if data.method not in ScoringMethod.values:
        _add(errors, "method", _("计分方法须为线性计分、分档计分或排名计分。"))
    if not 0 <= data.sort_order <= 32767:
        _add(errors, "sort_order", _("排序须在 0 至 32767 之间。"))
    params: dict[str, Any] = {}
    if weight is not None and data.method in ScoringMethod.values:
        try:
            params = rubric_item_params_validate(data.method, weight, data.params)
        except ValidationError as error:
            for message in error.message_dict.get("params", []):
                _add(errors, "params", message)
    if errors:
        raise ValidationError(errors)
    return {
        "indicator": indicator,
        "weight": weight,
        "method": data.method,
        "params": params,
        "sort_order": data.sort_order,
    }


def _duplicate_indicator(rubric: Rubric, indicator: Indicator, exclude_pk: int | None) -> None:
    others = RubricItem.objects.filter(rubric=rubric, indicator=indicator)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError(
            {"indicator": [_("“%(name)s”已在本考核办法中。") % {"name": indicator.name}]}
        )


def rubric_item_add(*, actor, rubric: Rubric, data: RubricItemInput) -> RubricItem:
    """Add an indicator to a rubric (to its next version when it is published)."""
    _require_manager(actor, rubric, message=_("无权修改考核办法“%(name)s”。") % {"name": rubric})
    values = _item_values(rubric, data)
    with transaction.atomic():
        draft = _editable(actor, rubric)
        _duplicate_indicator(draft, values["indicator"], None)
        item = RubricItem.objects.create(rubric=draft, **values)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=item,
            after={"rubric": str(draft), **item_snapshot(item)},
        )
    return item


def _item_in(draft: Rubric, item: RubricItem) -> RubricItem:
    """``item`` itself, or its copy in ``draft`` (the same indicator)."""
    if item.rubric_id == draft.pk:
        return RubricItem.objects.select_for_update().get(pk=item.pk)
    copy = (
        RubricItem.objects.select_for_update()
        .filter(rubric=draft, indicator_id=item.indicator_id)
        .first()
    )
    if copy is None:
        raise ValidationError(_("该指标已不在 v%(version)s 中。") % {"version": draft.version})
    return copy


def rubric_item_update(*, actor, item: RubricItem, data: RubricItemInput) -> RubricItem:
    """Change an item's weight, method or parameters (in the next version when published)."""
    rubric = item.rubric
    _require_manager(actor, rubric, message=_("无权修改考核办法“%(name)s”。") % {"name": rubric})
    values = _item_values(rubric, data)
    with transaction.atomic():
        draft = _editable(actor, rubric)
        current = _item_in(draft, item)
        _duplicate_indicator(draft, values["indicator"], current.pk)
        before = item_snapshot(current)
        for name, value in values.items():
            setattr(current, name, value)
        current.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=current,
            before=before,
            after=item_snapshot(current),
        )
    return current


def rubric_item_remove(*, actor, item: RubricItem) -> Rubric:
    """Take an indicator out of a rubric (out of the next version when published); returns the
    draft it was removed from."""
    rubric = item.rubric
    _require_manager(actor, rubric, message=_("无权修改考核办法“%(name)s”。") % {"name": rubric})
    with transaction.atomic():
        draft = _editable(actor, rubric)
        current = _item_in(draft, item)
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=current,
            before={"rubric": str(draft), **item_snapshot(current)},
        )
        current.delete()
    return draft


# ---------------------------------------------------------------------------------------------
# Computing and publishing results


@dataclass(frozen=True)
class Assessment:
    """A computed (not stored) assessment: what ``assessment_publish`` would store."""

    campaign: Campaign
    rubric: Rubric
    month: dt.date
    as_of: dt.date
    counted_on: dt.date
    scores: list[RegionScore]

    def groups(self) -> list[tuple[str, list[RegionScore]]]:
        """(group name, scores by group rank then official order) per group."""
        groups: dict[str, tuple[str, list[RegionScore]]] = {}
        for score in self.scores:
            groups.setdefault(score.contestant.group_code, (score.contestant.group_name, []))[
                1
            ].append(score)
        return [
            (name, sorted(rows, key=lambda s: (s.group_rank, s.contestant.sort_order)))
            for name, rows in groups.values()
        ]


def rubric_rule(rubric: Rubric) -> RubricRule:
    items = rubric.items.select_related("indicator").order_by("sort_order", "id")
    return RubricRule(
        basis=rubric.basis,
        late_mode=rubric.late_mode,
        late_points=rubric.late_points,
        late_cap=rubric.late_cap,
        items=[
            ItemRule(
                indicator_code=item.indicator.code,
                indicator_name=item.indicator.name,
                weight=item.weight,
                method=item.method,
                params=item.params,
            )
            for item in items
        ],
    )


def _compute(
    *, campaign: Campaign, month: dt.date, rubric: Rubric | None, counted_on: dt.date | None
) -> Assessment:
    month = month_start(month)
    if rubric is None:
        rubric = selectors.rubric_effective(campaign=campaign, month=month)
        if rubric is None:
            raise ValidationError(
                {
                    "rubric": [
                        _("%(month)s 没有适用的已发布考核办法。") % {"month": f"{month:%Y-%m}"}
                    ]
                }
            )
    if rubric.campaign_id != campaign.pk:
        raise ValidationError({"rubric": [_("考核办法不属于该攻坚行动。")]})
    if not campaign.starts_on <= month_end(month) or month > campaign.ends_on:
        raise ValidationError(
            {"month": [_("考核月份须在攻坚行动期限之内。")]},
        )
    as_of = month_end(month)
    counted_on = counted_on or today()
    rule = rubric_rule(rubric)
    people = selectors.contestants()
    regions = list(Region.objects.filter(code__in=[p.code for p in people]))
    measures = selectors.district_measures(
        campaign=campaign,
        indicator_codes=[item.indicator_code for item in rule.items],
        region_codes=[p.code for p in people],
        as_of=as_of,
    )
    late = selectors.late_reports(
        campaign=campaign, month=month, counted_on=counted_on, regions=regions
    )
    scores = score_all(rule=rule, contestants=people, measures=measures, late=late)
    return Assessment(
        campaign=campaign,
        rubric=rubric,
        month=month,
        as_of=as_of,
        counted_on=counted_on,
        scores=scores,
    )


def assessment_compute(
    *,
    actor,
    campaign: Campaign,
    month: dt.date,
    rubric: Rubric | None = None,
    counted_on: dt.date | None = None,
) -> Assessment:
    """Preview the assessment of ``month`` (nothing stored): each district's score under
    ``rubric`` (a draft may be previewed; default: the published rubric effective that month),
    from the district targets' progress at the month's end and the late reports as they stand
    on ``counted_on`` (default: today)."""
    _require_manager(actor, campaign, message=_("无权计算考核结果。"))
    return _compute(campaign=campaign, month=month, rubric=rubric, counted_on=counted_on)


def assessment_publish(
    *,
    actor,
    campaign: Campaign,
    month: dt.date,
    rubric: Rubric | None = None,
    counted_on: dt.date | None = None,
    note: str = "",
) -> AssessmentResult:
    """Compute and store the assessment of ``month`` under a published rubric: one immutable
    result with a score row (and breakdown) per district, audited."""
    _require_manager(actor, campaign, message=_("无权发布考核结果。"))
    if rubric is not None and rubric.status != RubricStatus.PUBLISHED:
        raise ValidationError({"rubric": [_("只能按已发布的考核办法发布结果。")]})
    assessment = _compute(campaign=campaign, month=month, rubric=rubric, counted_on=counted_on)
    groups = {g.code: g for g in AssessmentGroup.objects.all()}
    regions = {
        r.code: r
        for r in Region.objects.filter(code__in=[s.contestant.code for s in assessment.scores])
    }
    with transaction.atomic():
        result = AssessmentResult.objects.create(
            campaign=campaign,
            rubric=assessment.rubric,
            month=assessment.month,
            as_of=assessment.as_of,
            counted_on=assessment.counted_on,
            published_by=actor,
            published_at=periods.now(),
            note=(note or "").strip(),
        )
        AssessmentScore.objects.bulk_create(
            AssessmentScore(
                result=result,
                region=regions[score.contestant.code],
                group=groups[score.contestant.group_code],
                group_name=score.contestant.group_name,
                total=score.total,
                item_points=score.item_points,
                deduction=score.deduction,
                rank=score.rank,
                group_rank=score.group_rank,
                late_reports=score.late_reports,
                breakdown=score.lines,
            )
            for score in assessment.scores
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=result,
            after={
                "campaign": campaign.code,
                "month": f"{assessment.month:%Y-%m}",
                "rubric": str(assessment.rubric),
                "rubric_id": assessment.rubric.pk,
                "as_of": assessment.as_of.isoformat(),
                "counted_on": assessment.counted_on.isoformat(),
                "totals": {s.contestant.code: str(s.total) for s in assessment.scores},
            },
            message=_("发布考核结果。"),
        )
    return result
