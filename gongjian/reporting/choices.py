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


class ImportKind(models.TextChoices):
    """What an uploaded workbook is imported into."""

    REPORT = "report", _("月度填报")
    ROSTER = "roster", _("企业名录")
    SITES = "sites", _("载体")
    PROJECT_LIST = "project_list", _("年度重点项目清单")


class ImportPhase(models.TextChoices):
    """The step an import is at (the ``progress(phase, done, total)`` callbacks name them)."""

    READ = "read", _("读取")
    VALIDATE = "validate", _("校验")
    SAVE = "save", _("保存")
