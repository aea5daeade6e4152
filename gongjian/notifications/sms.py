"""Sending text messages through a pluggable backend.

``GONGJIAN_SMS_BACKEND`` names a class with ``send(phone, text)``. The default,
``LoggingSmsBackend``, only logs each message and keeps the latest ones in memory (``outbox``):
a real gateway is one class away, and nothing is sent by accident from a demo or a test.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("gongjian.sms")


class SmsBackend(Protocol):
    """What an SMS gateway adapter provides. ``send`` raises on a failed delivery."""

    def send(self, phone: str, text: str) -> None: ...


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str
    at: dt.datetime


# The latest messages the logging backend would have sent, newest last (bounded: a long-running
# server keeps only the tail).
outbox: deque[SentSms] = deque(maxlen=1000)


def mask_phone(phone: str) -> str:
    """13800138000 → 138****8000, so that logs do not collect whole phone numbers."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


class LoggingSmsBackend:
    """Logs each message and records it in ``outbox`` instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        outbox.append(SentSms(phone=phone, text=text, at=timezone.now()))
        logger.info("SMS to %s: %s", mask_phone(phone), text)


def get_sms_backend() -> SmsBackend:
    backend_class = import_string(settings.GONGJIAN_SMS_BACKEND)
    return backend_class()
