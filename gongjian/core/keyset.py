"""Keyset pagination: a page of a long ordered list read by its key, not by OFFSET.

``OFFSET n`` makes the database produce and throw away the n rows before the page, so the last
pages of a province's 1.5 million reports cost a scan each. A keyset page asks for the rows after
(or before) the key of the row that ended (began) the page the reader came from: one indexed
range read of ``size`` rows wherever the page is. The count (for "第 n / N 页") comes from the
caller, who knows it more cheaply (the monthly cells); the links carry the row's id, the page
number only labels the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet

# The query parameters a keyset page reads; the caller's other parameters are kept in the links.
PARAMETERS = ("page", "after", "before", "last")


@dataclass(frozen=True)
class Paging:
    """What the reader asked for: a page number, and the key of a neighbouring page's edge."""

    number: int = 1
    after: int | None = None  # the id of the last row of the page before
    before: int | None = None  # the id of the first row of the page after
    last: bool = False

    @classmethod
    def from_query(cls, params) -> Paging:
        def whole(name: str) -> int | None:
            text = params.get(name, "")
            return int(text) if text.isdigit() and 0 < int(text) < 2**63 else None

        return cls(
            number=whole("page") or 1,
            after=whole("after"),
            before=whole("before"),
            last=params.get("last") == "1",
        )


@dataclass(frozen=True)
class _Counted:
    count: int
    num_pages: int


@dataclass
class KeysetPage:
    """One page, shaped like Django's ``Page`` for the templates (``paginator.count``,
    ``has_next`` …), with the links to its neighbours (``*_url``)."""

    object_list: list[Any]
    number: int
    paginator: _Counted
    first_url: str
    previous_url: str
    next_url: str
    last_url: str

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.paginator.num_pages

    def has_other_pages(self) -> bool:
        return self.paginator.num_pages > 1


def _beyond(keys: list[str], values: tuple, *, after: bool) -> Q:
    """Rows ordered after (or before) ``values`` on ``keys``: (k1, k2, …) > (v1, v2, …)."""
    lookup = "gt" if after else "lt"
    return reduce(
        or_,
        (
            Q(**{f"{key}__{lookup}": values[i]}, **dict(zip(keys[:i], values[:i], strict=True)))
            for i, key in enumerate(keys)
        ),
    )


def keyset_page(
    rows: QuerySet, *, keys: list[str], count: int, size: int, paging: Paging, query: str = ""
) -> KeysetPage:
    """The page of ``rows`` (ordered by ``keys``, none of them null, the last one unique) that
    ``paging`` asks for; ``count`` is the number of rows. A page number without a key (an old
    link) is read with OFFSET, as before."""
    pages = max(1, -(-count // size))
    number = min(paging.number, pages)
    ordered = rows.order_by(*keys)
    edge = paging.after or paging.before
    values = rows.model._base_manager.filter(pk=edge).values_list(*keys).first() if edge else None
    if paging.last:
        number = pages
        tail = count - (pages - 1) * size
        page = list(rows.order_by(*[f"-{key}" for key in keys])[:tail])[::-1]
    elif values is not None and paging.after:
        page = list(ordered.filter(_beyond(keys, values, after=True))[:size])
    elif values is not None:
        reverse = rows.order_by(*[f"-{key}" for key in keys])
        page = list(reverse.filter(_beyond(keys, values, after=False))[:size])[::-1]
    else:
        page = list(ordered[(number - 1) * size : number * size])

    def link(**params: Any) -> str:
        text = urlencode(params)
        return f"?{query}&{text}#rows" if query else f"?{text}#rows"

    return KeysetPage(
        object_list=page,
        number=number,
        paginator=_Counted(count=count, num_pages=pages),
        first_url=link(page=1),
        previous_url=link(page=number - 1, before=page[0].pk) if page else link(page=1),
        next_url=link(page=number + 1, after=page[-1].pk) if page else link(page=1),
        last_url=link(page=pages, last=1),
    )
