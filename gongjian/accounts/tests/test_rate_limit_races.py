"""Rate limits hold under concurrent requests (issue 14.6): real threads, each with its own
PostgreSQL connection, sending requests through the whole stack at the same moment."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from gongjian.accounts.models import LoginFailure, LoginLockout
from gongjian.investment.models import Lead

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LEAD_FORM = {
    "company": "泉州恒达鞋业有限公司",
    "uscc": "",
    "contact_name": "王明",
    "mobile": "13800138000",
    "need": "rent_factory",
    "use": "运动鞋生产线",
    "industry_chain": "textile-footwear",
    "area": "10000",
    "area_unit": "m2",
    "expected_annual_tax": "300",
    "planned_investment": "50000",
    "preferred_regions": ["350502"],
    "message": "",
    "consent": "on",
    "website": "",
}


def _burst(count: int, send) -> list[int]:
    """``count`` threads wait at a barrier, then each sends one request; their status codes."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            client = Client()
            barrier.wait()
            status = send(client, index)
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_thirty_concurrent_lead_submissions_store_exactly_the_limit(settings):
    settings.LEAD_RATE_LIMIT_PER_HOUR = 5

    def send(client, index):
        data = {**LEAD_FORM, "company": f"泉州恒达鞋业有限公司{index:02d}"}
        return client.post("/invest/", data, REMOTE_ADDR="203.0.113.77").status_code

    statuses = _burst(30, send)

    assert Lead.objects.filter(submitted_ip="203.0.113.77").count() == 5
    assert Counter(statuses)[302] == 5


def test_forty_concurrent_wrong_passwords_check_exactly_the_limit(lichen_filer, settings):
    settings.GONGJIAN_LOGIN_PAIR_LIMIT = 5

    def send(client, index):
        return client.post(
            "/accounts/login/",
            {"username": "lichen_filer", "password": f"wrong-{index}"},
            REMOTE_ADDR="203.0.113.88",
        ).status_code

    statuses = _burst(40, send)

    assert statuses == [200] * 40
    # Each password check leaves one failure row; refused attempts are never checked.
    assert LoginFailure.objects.filter(username="lichen_filer").count() == 5
    assert list(LoginLockout.objects.values_list("scope", "username", "ip_address")) == [
        ("pair", "lichen_filer", "203.0.113.88")
    ]
