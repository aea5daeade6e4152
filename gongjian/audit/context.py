"""The request a service runs under (for the IP address in audit events), held in a contextvar."""

from __future__ import annotations

import contextvars

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def client_ip() -> str | None:
    return _client_ip.get()


class AuditContextMiddleware:
    """Remember the client address for the audit events the request's services write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
