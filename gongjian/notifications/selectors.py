"""Reads of the notification centre: a person only ever sees their own notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.notifications.models import Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def notification_unread_count(*, user) -> int:
    """One indexed COUNT (recipient, read_at)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get(*, user, pk) -> Notification:
    notification = scoped_get_or_404(
        queryset=Notification.objects.all(),
        scoped=Notification.objects.filter(recipient=user),
        user=user,
        pk=pk,
    )
    assert isinstance(notification, Notification)
    return notification
