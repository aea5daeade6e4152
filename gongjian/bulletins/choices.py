from django.db import models
from django.utils.translation import gettext_lazy as _


class BulletinFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    DOCX = "docx", _("Word")
    XLSX = "xlsx", _("Excel")


class BulletinStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


FINISHED_BULLETIN_STATUSES = frozenset({BulletinStatus.DONE, BulletinStatus.FAILED})

CONTENT_TYPES: dict[str, str] = {
    BulletinFormat.PDF: "application/pdf",
    BulletinFormat.DOCX: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    BulletinFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class DocxTemplateKind(models.TextChoices):
    """The documents printed from a .docx 公文 template."""

    BULLETIN = "bulletin", _("工作通报")
    MINUTES = "minutes", _("调度会议纪要")
