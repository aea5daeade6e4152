"""An enterprise's history as spells: the pure rules, shared by the services, the data migration,
the demo loader and the test factories (no database access here).

A spell (``EnterpriseSpell``) is one stretch of time in which an enterprise's region, park,
above-scale flag (规上) and industrial land stay the same. Spells are half-open,
``[valid_from, valid_to)``: a spell is in force on a date ``d`` when ``valid_from`` is empty or on
or before ``d`` and ``valid_to`` is empty or after ``d``. An empty ``valid_from`` means "since
before our records"; an empty ``valid_to`` means the spell is the current one. An enterprise's
spells never overlap and leave no gap after the first, so at any date at most one is in force.

``previous_above_scale`` is the flag of the spell before (empty for the first spell): it lets the
engine count 纳统 (the flag gained: true now, not true before) and 升规纳统 (gained after being
registered below scale: false before) from the spells alone, in one grouped query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class SpellState:
    """What a spell holds (everything but its dates)."""

    region_id: int
    park_id: int | None
    is_above_scale: bool
    industrial_land_mu: Decimal | None


@dataclass(frozen=True)
class SpellDraft:
    state: SpellState
    valid_from: dt.date | None
    valid_to: dt.date | None
    previous_above_scale: bool | None


def initial_spells(
    *,
    region_id: int,
    park_id: int | None,
    is_above_scale: bool,
    above_scale_since: dt.date | None,
    entered_park_on: dt.date | None,
    industrial_land_mu: Decimal | None,
    established_on: dt.date | None = None,
) -> list[SpellDraft]:
    """The spells of an enterprise registered with its current state and the two dates a roster
    gives: when it entered its park and when it gained the flag.

    Before a known date the enterprise was outside its park / below scale; an unknown date means
    "always" (the first spell then starts before our records, or at ``established_on``). The
    enterprise exists from ``established_on`` (成立日期) when it is known, so one that was above
    scale from its first day has a first spell that is above scale (纳统 but not 升规纳统).
    """
    start = established_on
    breaks = sorted(
        {
            day
            for day in (
                above_scale_since if is_above_scale else None,
                entered_park_on if park_id is not None else None,
            )
            if day is not None and (start is None or day > start)
        }
    )
    points: list[dt.date | None] = [start, *breaks]
    spells: list[SpellDraft] = []
    previous: bool | None = None
    for index, begin in enumerate(points):
        end = points[index + 1] if index + 1 < len(points) else None
        # The state in force from ``begin``: a flag or park counts once its date has come.
        probe = begin
        above = is_above_scale and (
            above_scale_since is None or (probe is not None and above_scale_since <= probe)
        )
        in_park = park_id is not None and (
            entered_park_on is None or (probe is not None and entered_park_on <= probe)
        )
        state = SpellState(
            region_id=region_id,
            park_id=park_id if in_park else None,
            is_above_scale=above,
            industrial_land_mu=industrial_land_mu,
        )
        spells.append(
            SpellDraft(state=state, valid_from=begin, valid_to=end, previous_above_scale=previous)
        )
        previous = above
    return spells
