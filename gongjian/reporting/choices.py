from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodState(models.TextChoices):
    OPEN = "open", _("填报中")
    CLOSED = "closed", _("已关闭")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    DISTRICT_APPROVED = "district_approved", _("县区已审核")
    CITY_APPROVED = "city_approved", _("市级已审核")
    RETURNED = "returned", _("已退回")


# States in which the filer may still change the report.
EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})


class Severity(models.TextChoices):
    BLOCK = "block", _("阻止")
    WARN = "warn", _("提醒")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    SUCCEEDED = "succeeded", _("已导入")
    FAILED = "failed", _("有错误，未导入")
    ERROR = "error", _("系统错误，未导入")


FINISHED_IMPORT_STATUSES = frozenset(
    {ImportStatus.SUCCEEDED, ImportStatus.FAILED, ImportStatus.ERROR}
)
