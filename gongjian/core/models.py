"""Abstract model parts shared by the apps (core owns no tables of its own)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusChange(models.Model):
    """Who moved something from one status to another, and when (Healthchecks' ``Flip``).

    Subclasses add the foreign key to what changed, ``from_status``/``to_status`` with their own
    choices, and the free-text reason under the name their domain uses.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]
