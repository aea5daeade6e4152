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
# Stages that count toward city targets: a filer's claim waits for the district reviewer.
VERIFIED_STAGES: tuple[str, ...] = (Stage.SIGNED, Stage.STARTED, Stage.COMPLETED, Stage.OPERATING)
# Of those, the ones whose claim must carry a photo or a document.
EVIDENCE_STAGES: tuple[str, ...] = (Stage.STARTED, Stage.COMPLETED)


class StageEventStatus(models.TextChoices):
    """Whether a stage event counts: a claim is pending until a reviewer confirms or rejects it."""

    PENDING = "pending", _("待核实")
    CONFIRMED = "confirmed", _("已核实")
    REJECTED = "rejected", _("已退回")


class ProjectClass(models.TextChoices):
    """A key project's class in the campaign year's list (年度重点项目清单)."""

    CONTINUING = "continuing", _("续建")
    NEW = "new", _("新开工")
    COMPLETING = "completing", _("竣工投产")
    PREPARATORY = "preparatory", _("预备（前期）")


class ProjectLevel(models.TextChoices):
    """The list a key project is on; a project may be on several (省重点 and 市重点)."""

    PROVINCIAL = "provincial", _("省重点")
    CITY = "city", _("市重点")
    COUNTY = "county", _("县重点")


# The names markers on a project name stand for in published lists; kept as flags.
NAME_MARKERS = "★▲※☆△●◆"


class SupervisionStatus(models.TextChoices):
    """Where a 督办 order stands. ESCALATED: overdue without a reply, raised to the next level."""

    OPEN = "open", _("待办理")
    RESPONDED = "responded", _("已回复")
    CLOSED = "closed", _("已办结")
    ESCALATED = "escalated", _("已升级")


# Orders still waiting for the target's reply; only these can fall overdue.
SUPERVISION_AWAITING_REPLY: tuple[str, ...] = (SupervisionStatus.OPEN, SupervisionStatus.ESCALATED)


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    IN_PROGRESS = "in_progress", _("处理中")
    RESOLVED = "resolved", _("已解决")


UNRESOLVED_PROBLEM_STATUSES: tuple[str, ...] = (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS)


class ProblemAge(models.TextChoices):
    """How long ago a problem was raised, as the problem board buckets it."""

    UP_TO_7 = "le7", _("≤7天")
    DAYS_8_TO_30 = "8to30", _("8–30天")
    OVER_30 = "gt30", _(">30天")
