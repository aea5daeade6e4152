from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Where a project stands. Every stage but PLANNED is reached by a dated StageEvent."""

    PLANNED = "planned", _("谋划")
    SIGNED = "signed", _("签约")
    LANDED = "landed", _("落地")
    STARTED = "started", _("开工")
    COMPLETED = "completed", _("竣工")
    OPERATING = "operating", _("投产")
    SUSPENDED = "suspended", _("停缓建")


# The path a project moves along; dates along it may not go backwards.
STAGE_PROGRESSION: tuple[str, ...] = (
    Stage.SIGNED,
    Stage.LANDED,
    Stage.STARTED,
    Stage.COMPLETED,
    Stage.OPERATING,
)
# Stages that can be recorded; SUSPENDED may be recorded more than once.
RECORDABLE_STAGES: tuple[str, ...] = (*STAGE_PROGRESSION, Stage.SUSPENDED)
