"""The client's address behind the reverse proxy (ForwardedClientMiddleware)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from gongjian.core.middleware import ForwardedClientMiddleware


def _seen(forwarded: str | None = None) -> str:
    """The REMOTE_ADDR the view sees of a request from 127.0.0.1 (the proxy)."""
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    seen: list[str] = []

    def view(request):
        seen.append(request.META["REMOTE_ADDR"])
        return HttpResponse()

    ForwardedClientMiddleware(view)(request)
    return seen[0]


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),
        # what the client sent comes first; the proxy's own entry is the last one
        ("203.0.113.9, 198.51.100.7", "198.51.100.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("", "127.0.0.1"),
        ("not-an-address", "127.0.0.1"),
    ],
)
def test_behind_the_proxy_the_last_forwarded_address_is_the_client(settings, forwarded, expected):
    settings.TRUST_X_FORWARDED_FOR = True

    assert _seen(forwarded) == expected


def test_without_the_setting_the_header_is_ignored(settings):
    settings.TRUST_X_FORWARDED_FOR = False

    assert _seen("198.51.100.7") == "127.0.0.1"


def test_the_audit_log_records_the_forwarded_address(settings, client, lichen_filer):
    from gongjian.audit.models import AuditEvent

    settings.TRUST_X_FORWARDED_FOR = True
    client.force_login(lichen_filer)

    client.post("/accounts/logout/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")

    assert list(
        AuditEvent.objects.filter(action="logout").values_list("ip_address", flat=True)
    ) == ["198.51.100.7"]
