from django.contrib import admin

from gongjian.core.admin_site import ReadOnlyAdmin
from gongjian.notifications.models import Notification, ReminderLog, ReminderRun


class _ReadOnlyAdmin(ReadOnlyAdmin):
    """Written by the services only; the admin shows what was sent."""


@admin.register(Notification)
class NotificationAdmin(_ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]


@admin.register(ReminderRun)
class ReminderRunAdmin(_ReadOnlyAdmin):
    list_display = [
        "started_at",
        "period",
        "run_on",
        "kind",
        "project_count",
        "recipient_count",
        "email_count",
        "sms_count",
        "skipped_count",
    ]


@admin.register(ReminderLog)
class ReminderLogAdmin(_ReadOnlyAdmin):
    list_display = ["sent_on", "period", "recipient", "emailed", "texted"]
