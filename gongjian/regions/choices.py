from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("设区市")
    COUNTY = "county", _("县（市、区）")
    ZONE = "zone", _("功能区")
