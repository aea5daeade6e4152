"""Writes to the park and enterprise registry. Each service checks permission, validates, writes
and audits; a refusal is audited before anything else happens and writes nothing.

History: a change of an enterprise's region, park, above-scale flag or industrial land closes its
current spell on the change date and opens a new one (``parks.history``), under a lock on the
enterprise row, in the same transaction as the audit event. A change is dated: entering a park on
its entry date, gaining the flag on its 纳入规上 date, anything else (leaving a park, losing the
flag, moving region, new land) on ``effective_on`` (default: today). History is appended, never
rewritten: a change dated before the current spell began is refused, and so is an edit that only
moves a recorded date (say so to the statistics bureau, not to the form).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.audit.choices import AuditAction
from gongjian.audit.services import AuditEntry, audit_denied, audit_record, audit_record_many
from gongjian.core.periods import today
from gongjian.core.signals import bulk_saved
from gongjian.core.uscc import USCC_ALPHABET, USCC_LENGTH, uscc_is_valid, uscc_normalise
from gongjian.parks.choices import OperatingStatus, ParkKind
from gongjian.parks.history import SpellState, initial_spells
from gongjian.parks.models import Enterprise, EnterpriseSpell, Park
from gongjian.projects.models import IndustryChain
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region

# Dates before this are typing slips (the registry starts with the reform era's parks).
EARLIEST_DATE = dt.date(1980, 1, 1)
# Larger than any single park or plant in Quanzhou (亩); above it the unit is wrong.
MAX_AREA_MU = Decimal(1_000_000)
AREA_PLACES = Decimal("0.01")
# 万元; above it (100 亿元 of one enterprise's tax or a trillion of output) the unit is wrong.
MAX_AMOUNT = Decimal(100_000_000)


@dataclass
class ParkInput:
    """What a form, the API or an import supplies for a park. The region is a code."""

    code: str
    name: str
    region_code: str
    kind: str
    planned_area_mu: Decimal | None = None
    is_standardised: bool = False
    sort_order: int = 0


@dataclass
class EnterpriseInput:
    """What a form, the API or a roster import supplies for an enterprise. References are codes;
    an empty ``park_code`` means not in a park."""

    uscc: str
    name: str
    region_code: str
    is_above_scale: bool = False
    above_scale_since: dt.date | None = None
    park_code: str = ""
    entered_park_on: dt.date | None = None
    industry_chain_code: str = ""
    industrial_land_mu: Decimal | None = None
    established_on: dt.date | None = None
    production_started_on: dt.date | None = None
    output_value: Decimal | None = None
    tax_paid: Decimal | None = None
    operating_status: str = OperatingStatus.OPERATING


class References:
    """The regions, parks and industry chains that inputs name by code: looked up one at a time
    (a form), or read at once for many inputs (``for_enterprises``, an import), so that the same
    checks run either way."""

    def __init__(
        self,
        *,
        regions: dict[str, Region] | None = None,
        parks: dict[str, Park] | None = None,
        chains: dict[str, IndustryChain] | None = None,
    ) -> None:
        self._regions, self._parks, self._chains = regions, parks, chains

    @classmethod
    def for_enterprises(cls, inputs: Iterable[EnterpriseInput]) -> References:
        """Everything ``inputs`` name, in three queries."""
        inputs = list(inputs)
        regions = {(item.region_code or "").strip() for item in inputs}
        parks = {(item.park_code or "").strip() for item in inputs} - {""}
        chains = {(item.industry_chain_code or "").strip() for item in inputs} - {""}
        return cls(
            regions={r.code: r for r in Region.objects.filter(code__in=regions)},
            parks={p.code: p for p in Park.objects.select_related("region").filter(code__in=parks)},
            chains={c.code: c for c in IndustryChain.objects.filter(code__in=chains)},
        )

    def region(self, code: str) -> Region | None:
        if self._regions is None:
            return Region.objects.filter(code=code).first()
        return self._regions.get(code)

    def park(self, code: str) -> Park | None:
        if self._parks is None:
            return Park.objects.select_related("region").filter(code=code).first()
        return self._parks.get(code)

    def park_by_pk(self, pk: int) -> Park:
        if self._parks is not None:
            for park in self._parks.values():
                if park.pk == pk:
                    return park
        return Park.objects.get(pk=pk)

    def chain(self, code: str) -> IndustryChain | None:
        if self._chains is None:
            return IndustryChain.objects.filter(code=code).first()
        return self._chains.get(code)


_ONE_AT_A_TIME = References()


def park_snapshot(park: Park) -> dict[str, Any]:
    """The audited fields of a park as JSON-ready values (references by code)."""
    return {
        "code": park.code,
        "name": park.name,
        "region": park.region.code,
        "kind": park.kind,
        "planned_area_mu": None if park.planned_area_mu is None else str(park.planned_area_mu),
        "is_standardised": park.is_standardised,
        "sort_order": park.sort_order,
    }


def enterprise_snapshot(enterprise: Enterprise) -> dict[str, Any]:
    """The audited fields of an enterprise as JSON-ready values (references by code)."""

    def day(value: dt.date | None) -> str | None:
        return None if value is None else value.isoformat()

    land = enterprise.industrial_land_mu
    return {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "region": enterprise.region.code,
        "park": enterprise.park.code if enterprise.park else "",
        "is_above_scale": enterprise.is_above_scale,
        "above_scale_since": day(enterprise.above_scale_since),
        "entered_park_on": day(enterprise.entered_park_on),
        "industry_chain": enterprise.industry_chain.code if enterprise.industry_chain else "",
        "industrial_land_mu": None if land is None else str(land),
        "established_on": day(enterprise.established_on),
        "production_started_on": day(enterprise.production_started_on),
        "output_value": _text(enterprise.output_value),
        "tax_paid": _text(enterprise.tax_paid),
        "operating_status": enterprise.operating_status,
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- checks shared by parks and enterprises ---------------------------------------------------


def _resolve_region(
    errors: dict[str, list[str]], code: str, what: str, references: References = _ONE_AT_A_TIME
) -> Region | None:
    region = references.region((code or "").strip())
    if region is None:
        errors["region"] = [_("未知的所属区域代码“%(code)s”。") % {"code": code}]
    elif region.kind not in (RegionKind.COUNTY, RegionKind.ZONE) or not region.is_reporting:
        errors["region"] = [
            _("%(what)s须归属于参与填报的县（市、区）或功能区，“%(name)s”不可选。")
            % {"what": what, "name": region.display_name}
        ]
    return region


def _check_name(errors: dict[str, list[str]], value: str, label: str, limit: int) -> str:
    name = (value or "").strip()
    if not name:
        errors["name"] = [_("%(label)s不能为空。") % {"label": label}]
    elif len(name) > limit:
        errors["name"] = [_("%(label)s最长 %(limit)s 字。") % {"label": label, "limit": limit}]
    return name


def _check_area(
    errors: dict[str, list[str]], field: str, label: str, value: Decimal | None
) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite():
        errors[field] = [_("%(label)s不是有效的数字。") % {"label": label}]
    elif value.as_tuple().exponent < -2:  # type: ignore[operator]
        errors[field] = [_("%(label)s最多保留两位小数（单位：亩）。") % {"label": label}]
    elif value < 0:
        errors[field] = [_("%(label)s不能为负数。") % {"label": label}]
    elif value > MAX_AREA_MU:
        errors[field] = [
            _("%(label)s %(value)s 亩超出合理范围，请确认单位是亩而不是平方米。")
            % {"label": label, "value": value}
        ]
    else:
        return value.quantize(AREA_PLACES)
    return value


def _check_date(
    errors: dict[str, list[str]], field: str, label: str, value: dt.date | None
) -> None:
    if value is None:
        return
    if value > today():
        errors[field] = [
            _("%(label)s %(date)s 晚于今天，只能填写已发生的日期。")
            % {"label": label, "date": value}
        ]
    elif value < EARLIEST_DATE:
        errors[field] = [_("%(label)s %(date)s 过早，请检查。") % {"label": label, "date": value}]


def uscc_errors(code: str) -> list[str]:
    """Why ``code`` (normalised) is not a valid 统一社会信用代码; empty when it is one."""
    if not code:
        return [_("统一社会信用代码不能为空。")]
    if len(code) != USCC_LENGTH:
        return [
            _("统一社会信用代码应为 18 位，“%(code)s”为 %(length)s 位。")
            % {"code": code, "length": len(code)}
        ]
    if any(char not in USCC_ALPHABET for char in code):
        return [_("统一社会信用代码只能由数字和除 I、O、Z、S、V 以外的大写字母组成。")]
    if not code[2:8].isdigit():
        return [_("统一社会信用代码第 3–8 位是登记管理机关行政区划码，应为数字。")]
    if not uscc_is_valid(code):
        return [_("统一社会信用代码“%(code)s”校验位不正确，请核对。") % {"code": code}]
    return []


# --- parks --------------------------------------------------------------------------------------


def _resolve_park(data: ParkInput) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    code = (data.code or "").strip()
    if not code:
        errors["code"] = [_("园区代码不能为空。")]
    elif len(code) > 32 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code):
        errors["code"] = [_("园区代码只能包含字母、数字、“-”和“_”，最长 32 位。")]
    values["code"] = code
    values["name"] = _check_name(errors, data.name, _("园区名称"), 100)
    values["region"] = _resolve_region(errors, data.region_code, _("园区"))
    if data.kind not in ParkKind.values:
        errors["kind"] = [_("未知的园区类型“%(kind)s”。") % {"kind": data.kind}]
    values["kind"] = data.kind
    values["planned_area_mu"] = _check_area(
        errors, "planned_area_mu", _("规划面积"), data.planned_area_mu
    )
    values["is_standardised"] = bool(data.is_standardised)
    if not 0 <= data.sort_order <= 32767:
        errors["sort_order"] = [_("排序应为 0–32767 之间的整数。")]
    values["sort_order"] = data.sort_order
    return values, errors


def park_create(*, actor, data: ParkInput) -> Park:
    """Register a park in a region the actor may edit."""
    values, errors = _resolve_park(data)
    region = values["region"]
    if region is not None and not actor.has_perm("parks.add_park", region):
        raise audit_denied(
            actor=actor, message=_("无权在“%(region)s”新建园区。") % {"region": region.display_name}
        )
    duplicate = {"code": [_("园区代码“%(code)s”已存在。") % {"code": values["code"]}]}
    if not errors and Park.objects.filter(code=values["code"]).exists():
        errors.update(duplicate)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            park = Park.objects.create(**values)
            audit_record(
                actor=actor, action=AuditAction.CREATE, obj=park, after=park_snapshot(park)
            )
    except IntegrityError:
        # Someone registered the same code between the check above and this insert.
        if Park.objects.filter(code=values["code"]).exists():
            raise ValidationError(duplicate) from None
        raise
    return park


# --- enterprises --------------------------------------------------------------------------------


def _resolve_enterprise(
    data: EnterpriseInput, references: References = _ONE_AT_A_TIME
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Turn codes into rows and check every value; returns (model field values, errors)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    uscc = uscc_normalise(data.uscc)
    if problems := uscc_errors(uscc):
        errors["uscc"] = problems
    values["uscc"] = uscc
    values["name"] = _check_name(errors, data.name, _("企业名称"), 200)
    region = _resolve_region(errors, data.region_code, _("企业"), references)
    values["region"] = region

    park = None
    if (data.park_code or "").strip():
        park = references.park(data.park_code.strip())
        if park is None:
            errors["park"] = [_("未知的园区代码“%(code)s”。") % {"code": data.park_code}]
        elif "region" not in errors and region is not None and park.region_id != region.pk:
            errors["park"] = [
                _("园区“%(park)s”属于%(park_region)s，不能登记为%(region)s企业的所在园区。")
                % {
                    "park": park.name,
                    "park_region": park.region.display_name,
                    "region": region.display_name,
                }
            ]
    values["park"] = park
    if data.entered_park_on is not None and not (data.park_code or "").strip():
        errors["entered_park_on"] = [_("填写入园日期时须同时选择所在园区。")]
    else:
        _check_date(errors, "entered_park_on", _("入园日期"), data.entered_park_on)
    values["entered_park_on"] = data.entered_park_on

    values["is_above_scale"] = bool(data.is_above_scale)
    if data.above_scale_since is not None and not data.is_above_scale:
        errors["above_scale_since"] = [_("未标记为规上工业企业时不能填写纳入规上日期。")]
    else:
        _check_date(errors, "above_scale_since", _("纳入规上日期"), data.above_scale_since)
    values["above_scale_since"] = data.above_scale_since

    chain = None
    if (data.industry_chain_code or "").strip():
        chain = references.chain(data.industry_chain_code.strip())
        if chain is None or not chain.is_active:
            errors["industry_chain"] = [
                _("未知的产业链“%(code)s”。") % {"code": data.industry_chain_code}
            ]
    values["industry_chain"] = chain
    values["industrial_land_mu"] = _check_area(
        errors, "industrial_land_mu", _("工业用地面积"), data.industrial_land_mu
    )
    _check_date(errors, "established_on", _("成立日期"), data.established_on)
    values["established_on"] = data.established_on
    _check_date(errors, "production_started_on", _("投产日期"), data.production_started_on)
    values["production_started_on"] = data.production_started_on
    values["output_value"] = _check_amount(
        errors, "output_value", _("工业总产值"), data.output_value
    )
    values["tax_paid"] = _check_amount(errors, "tax_paid", _("税收"), data.tax_paid)
    if data.operating_status not in OperatingStatus.values:
        errors["operating_status"] = [
            _("未知的经营状态“%(status)s”。") % {"status": data.operating_status}
        ]
    values["operating_status"] = data.operating_status
    if data.established_on is not None:
        for field, label, value in (
            ("above_scale_since", _("纳入规上日期"), data.above_scale_since),
            ("entered_park_on", _("入园日期"), data.entered_park_on),
        ):
            if value is not None and value < data.established_on and field not in errors:
                errors[field] = [
                    _("%(label)s %(date)s 早于成立日期 %(established)s。")
                    % {"label": label, "date": value, "established": data.established_on}
                ]
    return values, errors


def _check_amount(
    errors: dict[str, list[str]], field: str, label: str, value: Decimal | None
) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite():
        errors[field] = [_("%(label)s不是有效的数字。") % {"label": label}]
    elif value.as_tuple().exponent < -2:  # type: ignore[operator]
        errors[field] = [_("%(label)s最多保留两位小数（单位：万元）。") % {"label": label}]
    elif value < 0:
        errors[field] = [_("%(label)s不能为负数。") % {"label": label}]
    elif value > MAX_AMOUNT:
        errors[field] = [
            _("%(label)s %(value)s 万元超出合理范围，请确认单位是万元而不是元。")
            % {"label": label, "value": value}
        ]
    else:
        return value.quantize(AREA_PLACES)
    return value


def _uscc_taken(uscc: str, exclude_pk: int | None = None) -> dict[str, list[str]]:
    others = Enterprise.objects.filter(uscc=uscc)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return _uscc_taken_errors(uscc) if others.exists() else {}


def _uscc_taken_errors(uscc: str) -> dict[str, list[str]]:
    # Which enterprise holds it is not said: it may lie outside the actor's regions.
    return {"uscc": [_("统一社会信用代码“%(code)s”已登记。") % {"code": uscc}]}


# --- history (spells) ---------------------------------------------------------------------------


def _spell(enterprise: Enterprise, state: SpellState, **dates: Any) -> EnterpriseSpell:
    return EnterpriseSpell(
        enterprise=enterprise,
        region_id=state.region_id,
        park_id=state.park_id,
        is_above_scale=state.is_above_scale,
        industrial_land_mu=state.industrial_land_mu,
        **dates,
    )


def enterprise_spells_initialise(*, enterprise: Enterprise) -> None:
    """Write the spells of a newly registered enterprise from its current fields (services and
    bulk loaders that wrote the row themselves, such as the demo and the test factories)."""
    drafts = initial_spells(
        region_id=enterprise.region_id,
        park_id=enterprise.park_id,
        is_above_scale=enterprise.is_above_scale,
        above_scale_since=enterprise.above_scale_since,
        entered_park_on=enterprise.entered_park_on,
        industrial_land_mu=enterprise.industrial_land_mu,
        established_on=enterprise.established_on,
    )
    # One save per spell (an enterprise has a few), so that the rates' monthly cells follow
    # (campaigns.rollup); a bulk loader writes its spells itself and rebuilds the cells after.
    for draft in drafts:
        _spell(
            enterprise,
            draft.state,
            valid_from=draft.valid_from,
            valid_to=draft.valid_to,
            previous_above_scale=draft.previous_above_scale,
        ).save()


def enterprise_spells_backfill() -> int:
    """Write the initial spells of every enterprise that has none (rows written in bulk by SQL,
    e.g. a benchmark generator); return how many enterprises got them. No actor: a tool's step,
    not a user's edit."""
    done = 0
    missing = Enterprise.objects.filter(spells__isnull=True).order_by("pk")
    with transaction.atomic():
        for enterprise in missing.iterator(chunk_size=2000):
            enterprise_spells_initialise(enterprise=enterprise)
            done += 1
    return done


@dataclass(frozen=True)
class _Change:
    """One dated change of an enterprise's state; ``field`` names the form field its date
    belongs to, for messages."""

    date: dt.date
    field: str
    label: str
    updates: dict[str, Any]


def _state_of(enterprise: Enterprise) -> SpellState:
    return SpellState(
        region_id=enterprise.region_id,
        park_id=enterprise.park_id,
        is_above_scale=enterprise.is_above_scale,
        industrial_land_mu=enterprise.industrial_land_mu,
    )


def _apply_changes(current: Enterprise, changes: list[_Change]) -> list[str]:
    """Append ``changes`` (in date order) to the locked enterprise's spells and bring its current
    fields in step; return one line per change for the audit message. Raises ValidationError,
    naming the field, when a change is dated before the current spell began."""
    open_spell = EnterpriseSpell.objects.select_for_update().get(
        enterprise=current, valid_to__isnull=True
    )
    lines, spells = _plan_changes(current, changes, open_spell, _ONE_AT_A_TIME.park_by_pk)
    for spell in spells:
        spell.save()
    return lines


def _plan_changes(
    current: Enterprise,
    changes: list[_Change],
    open_spell: EnterpriseSpell,
    park_of: Callable[[int], Park],
) -> tuple[list[str], list[EnterpriseSpell]]:
    """What ``_apply_changes`` does, without saving: the audit lines and the spells to save (the
    open spell as changed or closed, and those opened), in order."""
    lines = []
    spells: list[EnterpriseSpell] = []
    for change in sorted(changes, key=lambda c: c.date):
        before = _state_of(current)
        for name, value in change.updates.items():
            setattr(current, name, value)
        if "park_id" in change.updates:
            current.park = None if current.park_id is None else park_of(current.park_id)
            current.entered_park_on = change.date if current.park_id is not None else None
        if "is_above_scale" in change.updates:
            current.above_scale_since = change.date if current.is_above_scale else None
        state = _state_of(current)
        if state == before:
            continue
        if open_spell.valid_from is not None and change.date < open_spell.valid_from:
            raise ValidationError(
                {
                    change.field: [
                        _(
                            "%(label)s %(date)s 早于该企业最近一次状态变动（%(last)s），"
                            "历史记录只能向后追加。"
                        )
                        % {
                            "label": _date_label(change.field),
                            "date": change.date,
                            "last": open_spell.valid_from,
                        }
                    ]
                }
            )
        if open_spell.valid_from == change.date:
            # Two changes on one day make one spell: the day's final state.
            for name in ("region_id", "park_id", "is_above_scale", "industrial_land_mu"):
                setattr(open_spell, name, getattr(state, name))
        else:
            open_spell.valid_to = change.date
            if open_spell not in spells:
                spells.append(open_spell)
            open_spell = _spell(
                current,
                state,
                valid_from=change.date,
                valid_to=None,
                previous_above_scale=before.is_above_scale,
            )
        if open_spell not in spells:
            spells.append(open_spell)
        lines.append(_("%(label)s（%(date)s）") % {"date": change.date, "label": change.label})
    return lines, spells


def _date_label(field: str) -> str:
    return {
        "entered_park_on": _("入园日期"),
        "above_scale_since": _("纳入规上日期"),
    }.get(field, _("变动日期"))


def _lock(enterprise: Enterprise) -> Enterprise:
    # of=("self",): PostgreSQL refuses FOR UPDATE over the nullable joins.
    return (
        Enterprise.objects.select_for_update(of=("self",))
        .select_related("region", "park", "industry_chain")
        .get(pk=enterprise.pk)
    )


def _check_effective(errors: dict[str, list[str]], effective_on: dt.date) -> None:
    _check_date(errors, "effective_on", _("变动日期"), effective_on)


# --- enterprise services ------------------------------------------------------------------------


def _create_refusal(actor, region: Region | None) -> PermissionDenied | None:
    """The refusal (audited) of registering an enterprise in ``region``; None when allowed."""
    if region is not None and not actor.has_perm("parks.add_enterprise", region):
        return audit_denied(
            actor=actor, message=_("无权在“%(region)s”登记企业。") % {"region": region.display_name}
        )
    return None


def _edit_refusal(actor, enterprise: Enterprise) -> PermissionDenied | None:
    """The refusal (audited) of an edit of ``enterprise``; None when allowed."""
    if not actor.has_perm("parks.change_enterprise", enterprise):
        return audit_denied(
            actor=actor,
            obj=enterprise,
            message=_("无权修改企业“%(name)s”。") % {"name": enterprise.name},
        )
    return None


def _move_refusal(actor, enterprise: Enterprise, region: Region | None) -> PermissionDenied | None:
    """The refusal (audited) of moving ``enterprise`` to ``region``; None when allowed."""
    if region is not None and not actor.has_perm("parks.change_enterprise", region):
        return audit_denied(
            actor=actor,
            obj=enterprise,
            message=_("无权把企业移到“%(region)s”。") % {"region": region.display_name},
        )
    return None


def enterprise_create(*, actor, data: EnterpriseInput) -> Enterprise:
    """Register an enterprise in a region the actor may edit, with its initial spells."""
    values, errors = _resolve_enterprise(data)
    if refusal := _create_refusal(actor, values["region"]):
        raise refusal
    if not errors:
        errors.update(_uscc_taken(values["uscc"]))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(**values)
            enterprise_spells_initialise(enterprise=enterprise)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=enterprise,
                after=enterprise_snapshot(enterprise),
            )
    except IntegrityError:
        if taken := _uscc_taken(values["uscc"]):
            raise ValidationError(taken) from None
        raise
    return enterprise


_HISTORY_FIELDS = ("region", "park", "is_above_scale", "above_scale_since", "entered_park_on")


def _changes_of_edit(
    current: Enterprise, values: dict[str, Any], effective_on: dt.date
) -> tuple[list[_Change], dict[str, list[str]]]:
    """The dated changes an edit makes to the history fields, and the refusals of an edit that
    would only move a recorded date."""
    changes: list[_Change] = []
    errors: dict[str, list[str]] = {}
    region, park = values["region"], values["park"]
    if region.pk != current.region_id:
        changes.append(
            _Change(
                effective_on,
                "effective_on",
                _("迁至%(region)s") % {"region": region.display_name},
                {"region_id": region.pk},
            )
        )
    new_park_id = park.pk if park is not None else None
    entered = values["entered_park_on"]
    if new_park_id != current.park_id:
        if park is None:
            label = _("迁出园区“%(park)s”") % {"park": current.park.name if current.park else ""}
            changes.append(_Change(effective_on, "effective_on", label, {"park_id": None}))
        else:
            label = _("入驻园区“%(park)s”") % {"park": park.name}
            field = "entered_park_on" if entered is not None else "effective_on"
            changes.append(_Change(entered or effective_on, field, label, {"park_id": park.pk}))
    elif (
        entered is not None
        and current.entered_park_on is not None
        and entered != current.entered_park_on
    ):
        errors["entered_park_on"] = [
            _("入园日期已登记为 %(date)s；历史记录不能在编辑中改写。")
            % {"date": current.entered_park_on}
        ]
    since = values["above_scale_since"]
    if values["is_above_scale"] != current.is_above_scale:
        if values["is_above_scale"]:
            field = "above_scale_since" if since is not None else "effective_on"
            changes.append(
                _Change(since or effective_on, field, _("纳入规上"), {"is_above_scale": True})
            )
        else:
            changes.append(
                _Change(effective_on, "effective_on", _("退出规上"), {"is_above_scale": False})
            )
    elif (
        since is not None
        and current.above_scale_since is not None
        and since != current.above_scale_since
    ):
        errors["above_scale_since"] = [
            _("纳入规上日期已登记为 %(date)s；历史记录不能在编辑中改写。")
            % {"date": current.above_scale_since}
        ]
    if values["industrial_land_mu"] != current.industrial_land_mu:
        changes.append(
            _Change(
                effective_on,
                "effective_on",
                _("工业用地面积改为 %(mu)s 亩") % {"mu": values["industrial_land_mu"]}
                if values["industrial_land_mu"] is not None
                else _("工业用地面积改为未填"),
                {"industrial_land_mu": values["industrial_land_mu"]},
            )
        )
    return changes, errors


def enterprise_update(
    *, actor, enterprise: Enterprise, data: EnterpriseInput, effective_on: dt.date | None = None
) -> Enterprise:
    """Save an edit of an enterprise; moving it to another region needs rights there too.

    Changes of region, park, flag or land become dated spells (see the module docstring);
    ``effective_on`` dates those the input does not date itself."""
    if refusal := _edit_refusal(actor, enterprise):
        raise refusal
    values, errors = _resolve_enterprise(data)
    if refusal := _move_refusal(actor, enterprise, values["region"]):
        raise refusal
    effective_on = effective_on or today()
    _check_effective(errors, effective_on)
    if not errors:
        errors.update(_uscc_taken(values["uscc"], exclude_pk=enterprise.pk))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            current = _lock(enterprise)
            before = enterprise_snapshot(current)
            changes, refusals = _changes_of_edit(current, values, effective_on)
            if refusals:
                raise ValidationError(refusals)
            for name, value in values.items():
                if name not in _HISTORY_FIELDS and name != "industrial_land_mu":
                    setattr(current, name, value)
            lines = _apply_changes(current, changes)
            current.save()
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=current,
                before=before,
                after=enterprise_snapshot(current),
                message="；".join(lines),
            )
    except IntegrityError:
        if taken := _uscc_taken(values["uscc"], exclude_pk=enterprise.pk):
            raise ValidationError(taken) from None
        raise
    return current


@dataclass(frozen=True)
class EnterpriseWrite:
    """One item of ``enterprises_save_many``: register ``data`` (``enterprise`` None) or save it
    as an edit of ``enterprise``; ``key`` is the caller's name for it (an Excel row)."""

    key: int
    data: EnterpriseInput
    enterprise: Enterprise | None = None


def enterprises_save_many(
    *,
    actor,
    items: list[EnterpriseWrite],
    effective_on: dt.date | None = None,
    check_only: bool = False,
) -> dict[int, ValidationError | PermissionDenied]:
    """``enterprise_create`` or ``enterprise_update`` for every item, set-based: the same checks
    and refusals, the same rows, spells and audit events, in a number of queries that does not
    grow with the items. All or nothing: returns the refusals by key (each what the single
    service would have raised for it; refused attempts are audited), and when there is any, or
    with ``check_only`` (the caller has refused the batch already), nothing else is written."""
    references = References.for_enterprises(item.data for item in items)
    refusals: dict[int, ValidationError | PermissionDenied] = {}
    resolved: dict[int, dict[str, Any]] = {}
    edit_on = effective_on or today()
    creates = [item for item in items if item.enterprise is None]
    taken = set(
        Enterprise.objects.filter(
            uscc__in={uscc_normalise(item.data.uscc) for item in creates}
        ).values_list("uscc", flat=True)
    )
    for item in items:
        if item.enterprise is not None and (refusal := _edit_refusal(actor, item.enterprise)):
            refusals[item.key] = refusal
            continue
        values, errors = _resolve_enterprise(item.data, references)
        if item.enterprise is None:
            if refusal := _create_refusal(actor, values["region"]):
                refusals[item.key] = refusal
                continue
            if not errors and values["uscc"] in taken:
                errors.update(_uscc_taken_errors(values["uscc"]))
        else:
            if refusal := _move_refusal(actor, item.enterprise, values["region"]):
                refusals[item.key] = refusal
                continue
            _check_effective(errors, edit_on)
            # The credit code is what an edit is matched by, so it is never another's.
        if errors:
            refusals[item.key] = ValidationError(errors)
        else:
            resolved[item.key] = values
    with transaction.atomic():
        refusals.update(
            _save_many(
                actor=actor,
                items=[item for item in items if item.key in resolved],
                resolved=resolved,
                edit_on=edit_on,
                write=not refusals and not check_only,
            )
        )
    return refusals


def _save_many(
    *,
    actor,
    items: list[EnterpriseWrite],
    resolved: dict[int, dict[str, Any]],
    edit_on: dt.date,
    write: bool,
) -> dict[int, ValidationError | PermissionDenied]:
    """The checks of history (a change dated too early, a recorded date moved) under locks on
    the edited enterprises and their open spells, then — with ``write`` and no refusal — the
    writes of ``enterprises_save_many``."""
    refusals: dict[int, ValidationError | PermissionDenied] = {}
    edited = [item.enterprise.pk for item in items if item.enterprise is not None]
    locked = {
        enterprise.pk: enterprise
        for enterprise in Enterprise.objects.select_for_update(of=("self",))
        .select_related("region", "park", "industry_chain")
        .filter(pk__in=edited)
        .order_by("pk")
    }
    open_spells = {
        spell.enterprise_id: spell
        for spell in EnterpriseSpell.objects.select_for_update()
        .filter(enterprise_id__in=edited, valid_to__isnull=True)
        .order_by("enterprise_id")
    }
    parks = {park.pk: park for values in resolved.values() if (park := values["park"]) is not None}

    def park_of(pk: int) -> Park:
        return parks[pk] if pk in parks else Park.objects.get(pk=pk)

    now = timezone.now()
    created: list[Enterprise] = []
    updated: list[Enterprise] = []
    spells: list[EnterpriseSpell] = []
    entries: list[AuditEntry] = []
    for item in items:
        values = resolved[item.key]
        if item.enterprise is None:
            enterprise = Enterprise(**values)
            created.append(enterprise)
            entries.append(AuditEntry(AuditAction.CREATE, enterprise))
            continue
        current = locked[item.enterprise.pk]
        before = enterprise_snapshot(current)
        changes, errors = _changes_of_edit(current, values, edit_on)
        if errors:
            refusals[item.key] = ValidationError(errors)
            continue
        for name, value in values.items():
            if name not in _HISTORY_FIELDS and name != "industrial_land_mu":
                setattr(current, name, value)
        try:
            lines, written = _plan_changes(current, changes, open_spells[current.pk], park_of)
        except ValidationError as refusal:
            refusals[item.key] = refusal
            continue
        if current.region_id == values["region"].pk:
            current.region = values["region"]  # the object, not a query for the snapshot
        current.updated_at = now
        spells.extend(written)
        updated.append(current)
        entries.append(
            AuditEntry(
                AuditAction.UPDATE,
                current,
                before=before,
                after=enterprise_snapshot(current),
                message="；".join(lines),
            )
        )
    if refusals or not write:
        return refusals
    Enterprise.objects.bulk_create(created, batch_size=1000)
    for enterprise in created:
        for draft in initial_spells(
            region_id=enterprise.region_id,
            park_id=enterprise.park_id,
            is_above_scale=enterprise.is_above_scale,
            above_scale_since=enterprise.above_scale_since,
            entered_park_on=enterprise.entered_park_on,
            industrial_land_mu=enterprise.industrial_land_mu,
            established_on=enterprise.established_on,
        ):
            spells.append(
                _spell(
                    enterprise,
                    draft.state,
                    valid_from=draft.valid_from,
                    valid_to=draft.valid_to,
                    previous_above_scale=draft.previous_above_scale,
                )
            )
    Enterprise.objects.bulk_update(updated, [*_EDITED_FIELDS, "updated_at"], batch_size=1000)
    # Closed before the new ones open: an enterprise has one open spell at a time.
    EnterpriseSpell.objects.bulk_update(
        [spell for spell in spells if not spell._state.adding],
        ["region", "park", "is_above_scale", "industrial_land_mu", "valid_to"],
        batch_size=1000,
    )
    EnterpriseSpell.objects.bulk_create(
        [spell for spell in spells if spell._state.adding], batch_size=1000
    )
    bulk_saved.send(sender=EnterpriseSpell, instances=spells)
    audit_record_many(
        actor=actor,
        entries=[
            AuditEntry(entry.action, entry.obj, after=enterprise_snapshot(entry.obj))
            if entry.action == AuditAction.CREATE
            else entry
            for entry in entries
        ],
    )
    return refusals


# Every field an edit may write (history fields included, brought in step by the changes).
_EDITED_FIELDS = (
    "uscc",
    "name",
    "region",
    "park",
    "is_above_scale",
    "above_scale_since",
    "entered_park_on",
    "industry_chain",
    "industrial_land_mu",
    "established_on",
    "production_started_on",
    "output_value",
    "tax_paid",
    "operating_status",
)


def _deny_change(actor, enterprise: Enterprise, message: str) -> None:
    if not actor.has_perm("parks.change_enterprise", enterprise):
        raise audit_denied(actor=actor, obj=enterprise, message=message % {"name": enterprise.name})


def _save_change(*, actor, enterprise: Enterprise, change: _Change, check=None) -> Enterprise:
    with transaction.atomic():
        current = _lock(enterprise)
        if check is not None:
            check(current)
        before = enterprise_snapshot(current)
        lines = _apply_changes(current, [change])
        if not lines:
            raise ValidationError({change.field: [_("该变动与企业当前状态相同，无需登记。")]})
        current.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=current,
            before=before,
            after=enterprise_snapshot(current),
            message="；".join(lines),
        )
    return current


def enterprise_move_park(
    *, actor, enterprise: Enterprise, park: Park | None, date: dt.date
) -> Enterprise:
    """Record that an enterprise entered ``park`` (from outside or from another park of its
    region), or left its park (``park`` None), on ``date``."""
    _deny_change(actor, enterprise, _("无权为企业“%(name)s”登记园区变动。"))
    errors: dict[str, list[str]] = {}
    if park is not None and park.region_id != enterprise.region_id:
        errors["park"] = [
            _("园区“%(park)s”属于%(park_region)s，%(region)s的企业不能入驻。")
            % {
                "park": park.name,
                "park_region": park.region.display_name,
                "region": enterprise.region.display_name,
            }
        ]
    _check_date(errors, "date", _("变动日期"), date)
    if errors:
        raise ValidationError(errors)
    if park is None:
        label = _("迁出园区“%(park)s”") % {"park": enterprise.park.name if enterprise.park else ""}
    else:
        label = _("入驻园区“%(park)s”") % {"park": park.name}
    change = _Change(date, "date", label, {"park_id": park.pk if park else None})
    return _save_change(actor=actor, enterprise=enterprise, change=change)


def enterprise_set_above_scale(
    *, actor, enterprise: Enterprise, is_above_scale: bool, date: dt.date
) -> Enterprise:
    """Record that an enterprise entered (纳统) or dropped out of (退规) the above-scale
    statistics on ``date``."""
    _deny_change(actor, enterprise, _("无权为企业“%(name)s”登记规上变动。"))
    errors: dict[str, list[str]] = {}
    _check_date(errors, "date", _("变动日期"), date)
    if errors:
        raise ValidationError(errors)
    label = _("纳入规上") if is_above_scale else _("退出规上")
    change = _Change(date, "date", label, {"is_above_scale": is_above_scale})
    return _save_change(actor=actor, enterprise=enterprise, change=change)


def enterprise_enter_park(
    *, actor, enterprise: Enterprise, park: Park, date: dt.date
) -> Enterprise:
    """Record that an enterprise not yet in a park moved into ``park`` of its own region on
    ``date`` (``enterprise_move_park`` moves between parks and out of them)."""
    _deny_change(actor, enterprise, _("无权为企业“%(name)s”登记入园。"))
    errors: dict[str, list[str]] = {}
    if park.region_id != enterprise.region_id:
        errors["park"] = [
            _("园区“%(park)s”属于%(park_region)s，%(region)s的企业不能入驻。")
            % {
                "park": park.name,
                "park_region": park.region.display_name,
                "region": enterprise.region.display_name,
            }
        ]
    _check_date(errors, "entered_park_on", _("入园日期"), date)
    if errors:
        raise ValidationError(errors)

    def not_in_a_park(current: Enterprise) -> None:
        if current.park is not None:
            raise ValidationError(
                {
                    "park": [
                        _("该企业已于 %(date)s 入驻“%(park)s”，不能重复登记入园。")
                        % {
                            "date": current.entered_park_on or _("（日期未知）"),
                            "park": current.park,
                        }
                    ]
                }
            )

    change = _Change(
        date,
        "entered_park_on",
        _("入驻园区“%(park)s”") % {"park": park.name},
        {"park_id": park.pk},
    )
    return _save_change(actor=actor, enterprise=enterprise, change=change, check=not_in_a_park)
