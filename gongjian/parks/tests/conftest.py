"""A small registry built through the services, with a history: the fixture every parks test
reads exact rates from.

鲤城 (park L): A above scale and in L always (100 亩); B above since 2021-06-01, outside (50 亩);
C above always, in L from 2020-01-01, leaves L on 2022-04-05 (40 亩); D below scale in L, gains
the flag on 2022-02-10 (升规纳统, 10 亩).
晋江 (parks J1, J2): E above, in J1 always (200 亩); F above, outside, enters J2 on 2022-04-20
(300 亩); G above, in J1, loses the flag on 2022-03-01 (60 亩); H established on 2022-02-05 above
scale in J2 and producing from that day (纳统 but not 升规纳统, 80 亩); I below, outside (20 亩);
K above, outside (70 亩).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from gongjian.parks.models import Enterprise, Park
from gongjian.parks.services import (
    EnterpriseInput,
    ParkInput,
    enterprise_create,
    enterprise_move_park,
    enterprise_set_above_scale,
    park_create,
)
from gongjian.tests.factories import make_uscc


@dataclass
class Registry:
    parks: dict[str, Park]
    enterprises: dict[str, Enterprise]


def _park(actor, code: str, name: str, region: str, **extra) -> Park:
    return park_create(
        actor=actor,
        data=ParkInput(code=code, name=name, region_code=region, kind="industrial_park", **extra),
    )


@pytest.fixture
def registry(city_admin) -> Registry:
    parks = {
        "L": _park(city_admin, "lc-l", "鲤城测试园L", "350502", planned_area_mu=Decimal(500)),
        "J1": _park(
            city_admin,
            "jj-1",
            "晋江测试园J1",
            "350582",
            planned_area_mu=Decimal(900),
            is_standardised=True,
        ),
        "J2": _park(city_admin, "jj-2", "晋江测试园J2", "350582", planned_area_mu=Decimal(700)),
    }
    rows: dict[str, Enterprise] = {}

    def make(
        key: str,
        number: int,
        region: str,
        land: str,
        *,
        above: bool = True,
        since: dt.date | None = None,
        park: str = "",
        entered: dt.date | None = None,
        **extra,
    ) -> None:
        rows[key] = enterprise_create(
            actor=city_admin,
            data=EnterpriseInput(
                uscc=make_uscc(number, region),
                name=f"测试企业{key}",
                region_code=region,
                is_above_scale=above,
                above_scale_since=since,
                park_code=parks[park].code if park else "",
                entered_park_on=entered,
                industry_chain_code="machinery",
                industrial_land_mu=Decimal(land),
                **extra,
            ),
        )

    make("A", 1, "350502", "100", park="L", output_value=Decimal("52000"), tax_paid=Decimal(2100))
    make(
        "B",
        2,
        "350502",
        "50",
        since=dt.date(2021, 6, 1),
        production_started_on=dt.date(2021, 5, 1),
        output_value=Decimal("8000"),
    )
    make("C", 3, "350502", "40", park="L", entered=dt.date(2020, 1, 1))
    make("D", 4, "350502", "10", above=False, park="L")
    make("E", 5, "350582", "200", park="J1", output_value=Decimal("90000"), tax_paid=Decimal(4500))
    make("F", 6, "350582", "300")
    make("G", 7, "350582", "60", park="J1")
    make(
        "H",
        8,
        "350582",
        "80",
        since=dt.date(2022, 2, 5),
        park="J2",
        entered=dt.date(2022, 2, 5),
        established_on=dt.date(2022, 2, 5),
        production_started_on=dt.date(2022, 2, 5),
    )
    make("I", 9, "350582", "20", above=False)
    make("K", 10, "350582", "70")

    enterprise_set_above_scale(
        actor=city_admin, enterprise=rows["D"], is_above_scale=True, date=dt.date(2022, 2, 10)
    )
    enterprise_set_above_scale(
        actor=city_admin, enterprise=rows["G"], is_above_scale=False, date=dt.date(2022, 3, 1)
    )
    enterprise_move_park(
        actor=city_admin, enterprise=rows["C"], park=None, date=dt.date(2022, 4, 5)
    )
    enterprise_move_park(
        actor=city_admin, enterprise=rows["F"], park=parks["J2"], date=dt.date(2022, 4, 20)
    )
    return Registry(
        parks=parks,
        enterprises={key: Enterprise.objects.get(pk=row.pk) for key, row in rows.items()},
    )
