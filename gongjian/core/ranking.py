"""Competition ranking (1, 1, 3), the one rule every ranking on the platform uses: the
assessment's scores, the dashboard's district ranking and the bulletin's."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from decimal import Decimal
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)


def competition_ranks(values: dict[K, Decimal | None], order: Callable[[K], Any]) -> dict[K, int]:
    """Rank keys by value, highest first; equal values share a rank and the next rank skips
    (1, 1, 3). Keys without a value come last, sharing the rank after every valued key.
    ``order`` sorts keys of equal value (e.g. the regions' official order)."""
    valued = sorted((k for k in values if values[k] is not None), key=order)
    valued.sort(key=lambda k: values[k], reverse=True)  # type: ignore[arg-type,return-value]
    ranks: dict[K, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, key in enumerate(valued, start=1):
        value = values[key]
        if previous is None or value != previous:
            rank = position
        ranks[key] = rank
        previous = value
    for key in values:
        if values[key] is None:
            ranks[key] = len(valued) + 1
    return ranks


def ranking_value(value: Decimal | None, *, lower_is_better: bool) -> Decimal | None:
    """What every ranking sorts by, higher is better: the figure itself, or negated when less is
    better — a cap target (≤, <), where the district that used the least of its cap ranks first.
    The assessment, the dashboard's ranking and the bulletin all rank through this key."""
    if value is None:
        return None
    return -value if lower_is_better else value
