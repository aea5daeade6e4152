"""Middleware at the door.

* Input no database can store: a NUL character (PostgreSQL text cannot hold one) or, in a JSON
  body, a lone UTF-16 surrogate (``"\\ud800"``: valid JSON, not encodable text) is refused with
  400 and a message, for pages and the API alike, before any view or query sees it; a body over
  DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 413.
* Content-Security-Policy on every response (OWASP ASVS 14.4.3): scripts only from our own origin
  (no inline script or handler: page behaviours are bound by data attributes in
  ``gongjian/behaviours.js``), no plugins, no framing, forms posting only to us. Inline *styles*
  stay allowed: bar widths and map colours are computed values in ``style`` attributes.
* The client's address behind the reverse proxy: gunicorn sees only the proxy's, so with
  GONGJIAN_TRUST_X_FORWARDED_FOR=1 ``REMOTE_ADDR`` becomes the address the proxy put last in
  X-Forwarded-For (deploy/nginx/gongjian.conf overwrites the header with the address it saw),
  before the sign-in throttle, the session list and the audit log read it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

MESSAGE = "请求中含有空字符（\\0），无法处理。 / The request contains a NUL character."
SURROGATE_MESSAGE = (
    "请求中含有无效的 Unicode 字符（孤立代理项）。 / The request contains a lone surrogate."
)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# Bodies larger than this are not scanned here (uploads are checked by their own code).
SCAN_LIMIT = 1024 * 1024


def _has_nul(request: HttpRequest) -> bool:
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if "\x00" in request.path:
        return True
    content_type = request.META.get("CONTENT_TYPE", "")
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if request.method in ("GET", "HEAD") or length > SCAN_LIMIT:
        return False
    if content_type.startswith("application/x-www-form-urlencoded"):
        return b"\x00" in unquote_to_bytes(request.body.replace(b"+", b" "))
    if content_type.startswith("application/json"):
        return b"\\u0000" in request.body or b"\x00" in request.body
    return False


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def _has_surrogate(request: HttpRequest) -> bool:
    """A JSON body whose strings hold half a surrogate pair (a whole pair decodes to one
    character and is fine). Only bodies with such an escape at all are parsed here."""
    if request.method in ("GET", "HEAD"):
        return False
    if not request.META.get("CONTENT_TYPE", "").startswith("application/json"):
        return False
    if int(request.META.get("CONTENT_LENGTH") or 0) > SCAN_LIMIT:
        return False
    if not _SURROGATE_ESCAPE.search(request.body):
        return False
    try:
        return _has_lone_surrogate(json.loads(request.body))
    except ValueError:
        return False  # not JSON: the API answers that itself


def too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return f"请求体过大（上限 {limit} 字节）。 / The request body is too large."


def _refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RejectNulMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            if _has_nul(request):
                return _refuse(request, MESSAGE, 400)
            if _has_surrogate(request):
                return _refuse(request, SURROGATE_MESSAGE, 400)
        except RequestDataTooBig:
            return _refuse(request, too_large_message(), 413)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class ForwardedClientMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.TRUST_X_FORWARDED_FOR:
            # The last address is the one our own proxy appended or wrote; any before it came
            # from the client and proves nothing. Anything that is not an address is ignored.
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
            with contextlib.suppress(ValueError):
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(forwarded))
        return self.get_response(request)
