from django.db import models
from django.utils.translation import gettext_lazy as _


class ParkKind(models.TextChoices):
    """What a park is by the way it was set up; standardisation is a separate flag, because any
    kind of park can finish (or not) its 标准化建设."""

    DEVELOPMENT_ZONE = "development_zone", _("开发区")
    INDUSTRIAL_PARK = "industrial_park", _("工业园区")
    SMALL_MICRO_PARK = "small_micro_park", _("小微企业园")


class OperatingStatus(models.TextChoices):
    """Whether an enterprise is producing; a closed one stays on the roster for its history."""

    OPERATING = "operating", _("在营")
    SUSPENDED = "suspended", _("停产")
    CLOSED = "closed", _("注销")
