"""Telling people things: in-app notifications, with e-mail and SMS as extra channels.

``notify`` is called by other services once they have checked permission and written their own
audit event; it stores the notifications in the caller's transaction and hands e-mail and SMS to
their backends only after that transaction commits, so a rolled-back action tells nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.audit.services import audit_denied
from gongjian.notifications.models import Notification
from gongjian.notifications.sms import get_sms_backend

logger = logging.getLogger("gongjian.notifications")


@dataclass(frozen=True)
class _Text:
    phone: str
    text: str


def _distinct_active(recipients: Iterable) -> list:
    seen: set[int] = set()
    people = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        people.append(user)
    return people


def email_subject(title: str) -> str:
    return _("【攻坚】%(title)s") % {"title": title}


def email_body(body: str, link: str) -> str:
    """The notification's text, then the page to open (absolute when GONGJIAN_SITE_URL is set)."""
    if not link:
        return body
    return _("%(body)s\n\n查看详情：%(url)s") % {"body": body, "url": f"{settings.SITE_URL}{link}"}


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str,
    link: str = "",
    email: bool = False,
    sms: bool = False,
    sms_text: str | None = None,
) -> list[Notification]:
    """Store one notification per active recipient (each person once); with ``email`` also mail
    those who have an address, with ``sms`` also text those who have a phone number."""
    people = _distinct_active(recipients)
    if not people:
        return []
    notifications = Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=kind, title=title, body=body, link=link)
            for user in people
        ]
    )
    messages = []
    if email:
        subject, text = email_subject(title), email_body(body, link)
        messages = [EmailMessage(subject, text, to=[user.email]) for user in people if user.email]
    texts = []
    if sms:
        message = sms_text or email_subject(title)
        texts = [_Text(phone=user.phone, text=message) for user in people if user.phone]
    if messages or texts:
        transaction.on_commit(lambda: _deliver(messages, texts))
    return notifications


def _deliver(messages: list[EmailMessage], texts: list[_Text]) -> None:
    """Hand the messages to the backends. A failing channel is logged, not raised: the
    notifications are stored and the action that caused them has already committed."""
    if messages:
        try:
            get_connection().send_messages(messages)
        except Exception:
            logger.exception("e-mail delivery failed for %d message(s)", len(messages))
    if texts:
        backend = get_sms_backend()
        for item in texts:
            try:
                backend.send(item.phone, item.text)
            except Exception:
                logger.exception("SMS delivery failed")


def notification_mark_read(*, notification: Notification, actor) -> Notification:
    """Mark one of the actor's own notifications as read (reading twice keeps the first time).

    Not audited when it succeeds: read marks are a person's own inbox state, not campaign data,
    and one audit row per click would bury the writes the log is for. A refusal is audited.
    """
    if not getattr(actor, "is_authenticated", False) or notification.recipient_id != actor.pk:
        raise audit_denied(actor=actor, obj=notification, message=_("只能标记自己的通知。"))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor as read; returns how many."""
    if not getattr(actor, "is_authenticated", False):
        raise audit_denied(actor=actor, message=_("只能标记自己的通知。"))
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
