"""The demo, loaded once for the whole package and rolled back after its last test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

BUSINESS_DATE = dt.date(2022, 12, 2)  # the Makefile's DEMO_TODAY


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker) -> Iterator[str]:
    """Load the demo once; roll it back after the package's last test. Yields the output.

    Loading takes seconds, so the modules share one load; each test still runs in its own
    savepoint on top of it, and no other package ever sees the demo.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        # As ``make demo`` loads it: on its business date.
        with override_settings(BUSINESS_DATE=BUSINESS_DATE):
            call_command("loaddemo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run test_campaign.py after the package's other modules: test_loaddemo.py's first test needs
    the ledger empty, before the first test that asks for ``demo`` loads it (modules are collected
    in name order, and test_campaign.py sorts before test_loaddemo.py)."""
    here = Path(__file__).parent
    slots = [i for i, item in enumerate(items) if item.path.parent == here]
    # Under pytest-xdist (make test) the package runs on one worker, in this order, so that the
    # demo is loaded once there and the empty-ledger test still comes first.
    for i in slots:
        items[i].add_marker(pytest.mark.xdist_group("demo"))
    ours = sorted((items[i] for i in slots), key=lambda item: item.path.name == "test_campaign.py")
    for slot, item in zip(slots, ours, strict=True):
        items[slot] = item
