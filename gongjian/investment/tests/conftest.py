"""Leads and sites the investment tests start from, with exact figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.investment.services import LeadInput, lead_submit
from gongjian.tests.factories import make_uscc

BUSINESS_DATE = dt.date(2022, 12, 2)
# A credit code that passes GB 32100 and one whose last character is wrong.
HENGDA_USCC = make_uscc(1)
BAD_USCC = HENGDA_USCC[:17] + ("0" if HENGDA_USCC[17] != "0" else "1")


@pytest.fixture(autouse=True)
def _business_date(settings):
    settings.BUSINESS_DATE = BUSINESS_DATE
    settings.LEAD_RATE_LIMIT_PER_HOUR = 5


def lead_input(**overrides) -> LeadInput:
    values = {
        "company": "泉州恒达鞋业有限公司",
        "contact_name": "王明",
        "mobile": "138 0013 8000",
        "need": "rent_factory",
        "uscc": HENGDA_USCC,
        "use": "运动鞋生产线",
        "industry_chain_code": "textile-footwear",
        "area": Decimal("10000"),
        "area_unit": "m2",
        "expected_annual_tax": Decimal("300"),
        "planned_investment": Decimal("50000"),
        "preferred_region_codes": ["350502", "350582"],
        "message": "希望年内投产。",
        "consent": True,
    }
    values.update(overrides)
    return LeadInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def submit(db):
    """Submit a lead through the public intake, from a fresh address each time unless given."""
    counter = iter(range(1, 1000))

    def _submit(ip: str | None = None, honeypot: str = "", **overrides):
        return lead_submit(
            data=lead_input(**overrides), ip=ip or f"203.0.113.{next(counter)}", honeypot=honeypot
        )

    return _submit
