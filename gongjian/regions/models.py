from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gongjian.regions.choices import RegionKind


class AssessmentGroup(models.Model):
    """A set of districts that are ranked and assessed against each other, e.g. 城区 or 县域."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=64, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("考核分组")
        verbose_name_plural = _("考核分组")

    def __str__(self) -> str:
        return self.name


class RegionQuerySet(models.QuerySet["Region"]):
    def subtree(self, region: Region) -> RegionQuerySet:
        """The region and every region below it."""
        return self.filter(path__startswith=region.path)

    def reporting(self) -> RegionQuerySet:
        return self.filter(is_reporting=True)


class Region(models.Model):
    """An administrative area (province, city, county-level unit) or a functional zone."""

    code = models.CharField(
        _("代码"),
        max_length=16,
        unique=True,
        help_text=_("GB/T 2260 行政区划代码；功能区使用平台自定代码"),
    )
    name = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=96, blank=True)
    short_name = models.CharField(_("简称"), max_length=16, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of codes, "/350000/350500/350502/": a subtree is one indexed prefix match.
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    is_reporting = models.BooleanField(
        _("参与填报"), default=True, help_text=_("不填报、不参与排名的区域（如金门县）取消勾选")
    )
    assessment_group = models.ForeignKey(
        AssessmentGroup,
        verbose_name=_("考核分组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="regions",
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("区域")
        verbose_name_plural = _("区域")

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        parent_path = self.parent.path if self.parent_id and self.parent else "/"
        self.path = f"{parent_path}{self.code}/"
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def is_functional_zone(self) -> bool:
        return self.kind == RegionKind.ZONE

    def contains(self, other: Region) -> bool:
        """True when ``other`` is this region or lies below it."""
        return other.path.startswith(self.path)
