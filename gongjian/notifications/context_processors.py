from __future__ import annotations

from functools import cached_property

from gongjian.notifications.selectors import notification_unread_count


class _UnreadCount:
    """The signed-in user's unread count, counted (one query) only if a template shows it:
    htmx fragments rendered with the same context processors then cost nothing."""

    def __init__(self, user) -> None:
        self._user = user

    @cached_property
    def value(self) -> int:
        return notification_unread_count(user=self._user)

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value > 0

    def __str__(self) -> str:
        return "99+" if self.value > 99 else str(self.value)

    def __eq__(self, other: object) -> bool:
        return self.value == other

    def __hash__(self) -> int:
        return hash(self.value)


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": _UnreadCount(user)}
