"""Writes for bulletins: request one (generated in the background), generate it (the worker),
publish it, download it, and build one synchronously for the command line.

Only the campaign office (city_admin) makes and publishes bulletins; a refusal is audited and
changes nothing. Every file is made from ``bulletin_content`` by ``renderers.render``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import override as language_override

from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.bulletins.choices import BulletinFormat, BulletinStatus, DocxTemplateKind
from gongjian.bulletins.models import Bulletin, DocxTemplate
from gongjian.bulletins.renderers import render
from gongjian.bulletins.selectors import (
    bulletin_content,
    bulletin_months,
    docx_template_data,
    issue_number,
)
from gongjian.campaigns.models import Campaign
from gongjian.core import gongwen
from gongjian.core.periods import month_start, today

logger = logging.getLogger(__name__)


def _require(actor, perm: str, obj=None, *, message: str) -> None:
    if not actor.has_perm(perm):
        raise audit_denied(actor=actor, obj=obj, message=message)


def _check(*, campaign: Campaign, month: dt.date, format: str) -> None:
    """A clear message per field when the month or the format cannot make a bulletin."""
    errors: dict[str, list[str]] = {}
    if format not in BulletinFormat.values:
        errors["format"] = [
            _("格式只能是 pdf、docx 或 xlsx（填写了“%(value)s”）。") % {"value": format}
        ]
    if month != month_start(month):
        errors["month"] = [_("月份应为该月第一天。")]
    elif month < month_start(campaign.starts_on) or month > month_start(campaign.ends_on):
        errors["month"] = [
            _("月份 %(month)s 不在“%(campaign)s”的期间（%(start)s 至 %(end)s）内。")
            % {
                "month": f"{month:%Y-%m}",
                "campaign": campaign.display_name,
                "start": f"{campaign.starts_on:%Y-%m}",
                "end": f"{campaign.ends_on:%Y-%m}",
            }
        ]
    elif month not in bulletin_months(campaign):
        errors["month"] = [
            _("%(month)s 尚未结束，月度通报要在月份结束后生成。") % {"month": f"{month:%Y-%m}"}
        ]
    if errors:
        raise ValidationError(errors)


def _snapshot(bulletin: Bulletin) -> dict:
    return {
        "campaign": bulletin.campaign.code,
        "month": f"{bulletin.month:%Y-%m}",
        "issue_number": bulletin.issue_number,
        "format": bulletin.format,
        "status": bulletin.status,
        "published_at": bulletin.published_at.isoformat() if bulletin.published_at else None,
        "published_by": bulletin.published_by.get_username() if bulletin.published_by else None,
    }


def bulletin_build(
    *, actor, campaign: Campaign, month: dt.date, format: str, on: dt.date | None = None
) -> bytes:
    """The bulletin file, made now (the command line's way); audited as an export."""
    _require(actor, "bulletins.manage", campaign, message=_("无权生成工作通报。"))
    _check(campaign=campaign, month=month, format=format)
    content = bulletin_content(campaign=campaign, month=month, user=actor, on=on)
    data = render(content, format, docx_template=docx_template_data(DocxTemplateKind.BULLETIN))
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=campaign,
        after={"file": "bulletin", "month": f"{month:%Y-%m}", "format": format},
        message=_("生成工作通报 %(issue)s（%(label)s，%(format)s）。")
        % {"issue": content.issue_text, "label": content.month_label, "format": format},
    )
    return data


def bulletin_request(*, actor, campaign: Campaign, month: dt.date, format: str) -> Bulletin:
    """Queue a bulletin for the background worker; the page follows its progress."""
    _require(actor, "bulletins.manage", campaign, message=_("无权生成工作通报。"))
    _check(campaign=campaign, month=month, format=format)
    with transaction.atomic():
        bulletin = Bulletin.objects.create(
            campaign=campaign,
            month=month,
            issue_number=issue_number(campaign, month),
            format=format,
            created_by=actor,
            language=get_language() or settings.LANGUAGE_CODE,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=bulletin,
            after=_snapshot(bulletin),
            message=_("生成工作通报 第%(number)s期（%(label)s，%(format)s）。")
            % {
                "number": bulletin.issue_number,
                "label": bulletin.month_label,
                "format": bulletin.get_format_display(),
            },
        )
        # After the row is committed, or the worker might look for it before it exists.
        transaction.on_commit(partial(_enqueue, bulletin.pk))
    return bulletin


def _enqueue(bulletin_id: int) -> None:
    from gongjian.bulletins.tasks import generate_bulletin

    result = generate_bulletin.enqueue(bulletin_id)
    Bulletin.objects.filter(pk=bulletin_id).update(task_id=str(result.id))


def _progress(bulletin: Bulletin, percent: int, **fields) -> None:
    bulletin.progress = percent
    for name, value in fields.items():
        setattr(bulletin, name, value)
    Bulletin.objects.filter(pk=bulletin.pk).update(progress=percent, **fields)


def bulletin_generate(*, bulletin: Bulletin, on: dt.date | None = None) -> Bulletin:
    """Make the file of a queued bulletin (run by the worker); a finished one is left alone."""
    if bulletin.is_finished:
        return bulletin
    with language_override(bulletin.language or None):
        _progress(bulletin, 5, status=BulletinStatus.RUNNING)
        try:
            actor = bulletin.created_by
            if actor is None or not actor.has_perm("bulletins.manage"):
                _progress(
                    bulletin,
                    0,
                    status=BulletinStatus.FAILED,
                    error=_("生成人已无生成通报的权限，未生成。"),
                    finished_at=timezone.now(),
                )
                return bulletin
            content = bulletin_content(
                campaign=bulletin.campaign, month=bulletin.month, user=actor, on=on or today()
            )
            _progress(bulletin, 40)
            data = render(
                content,
                bulletin.format,
                docx_template=docx_template_data(DocxTemplateKind.BULLETIN),
            )
            _progress(bulletin, 90)
            name = f"{bulletin.campaign.code}-{bulletin.month:%Y-%m}-{uuid.uuid4().hex[:8]}"
            bulletin.file.save(f"{name}.{bulletin.format}", ContentFile(data), save=False)
            _progress(
                bulletin,
                100,
                status=BulletinStatus.DONE,
                file=bulletin.file.name,
                finished_at=timezone.now(),
            )
        except Exception:
            logger.exception("bulletin %s failed", bulletin.pk)
            _progress(
                bulletin,
                0,
                status=BulletinStatus.FAILED,
                error=_("生成时发生系统错误，请稍后重试或联系管理员。"),
                finished_at=timezone.now(),
            )
    return bulletin


def bulletin_generate_now(*, actor, bulletin: Bulletin) -> Bulletin:
    """Make a queued bulletin in this request, when no background worker has picked it up (a
    deployment without `gongjian db_worker`): never left at 排队中. Audited; refused once it is
    running or finished."""
    _require(actor, "bulletins.manage", bulletin, message=_("无权生成工作通报。"))
    # Claim the job: whoever moves it out of the queue first makes it (the worker or this request).
    claimed = Bulletin.objects.filter(pk=bulletin.pk, status=BulletinStatus.QUEUED).update(
        status=BulletinStatus.RUNNING
    )
    if not claimed:
        raise ValidationError(_("该通报已在生成或已生成完成。"))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=bulletin,
        message=_("后台任务未运行，在页面中直接生成工作通报 第%(number)s期（%(label)s）。")
        % {"number": bulletin.issue_number, "label": bulletin.month_label},
    )
    bulletin.status = BulletinStatus.RUNNING
    return bulletin_generate(bulletin=bulletin)


def bulletin_publish(*, actor, bulletin: Bulletin) -> Bulletin:
    """Publish a generated bulletin (once): who and when are kept and audited."""
    _require(actor, "bulletins.manage", bulletin, message=_("无权发布工作通报。"))
    with transaction.atomic():
        # Lock the bulletin's row only (published_by is a nullable join PostgreSQL cannot lock).
        current = (
            Bulletin.objects.select_for_update(of=("self",))
            .select_related("campaign", "published_by")
            .get(pk=bulletin.pk)
        )
        if current.status != BulletinStatus.DONE:
            raise ValidationError(_("通报尚未生成完成，不能发布。"))
        if current.published_at is not None:
            raise ValidationError(
                _("该通报已于 %(at)s 由 %(who)s 发布，无需重复发布。")
                % {
                    "at": timezone.localtime(current.published_at).strftime("%Y-%m-%d %H:%M"),
                    "who": current.published_by or "—",
                }
            )
        before = _snapshot(current)
        current.published_by = actor
        current.published_at = timezone.now()
        current.save(update_fields=["published_by", "published_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=current,
            before=before,
            after=_snapshot(current),
            message=_("发布工作通报 第%(number)s期（%(label)s，%(format)s）。")
            % {
                "number": current.issue_number,
                "label": current.month_label,
                "format": current.get_format_display(),
            },
        )
    return current


def bulletin_download(*, actor, bulletin: Bulletin) -> bytes:
    """The bulletin's file, for a reader of bulletins; audited as an export."""
    _require(actor, "bulletins.read", bulletin, message=_("无权下载工作通报。"))
    if bulletin.status != BulletinStatus.DONE or not bulletin.file:
        raise ValidationError(_("通报尚未生成完成，不能下载。"))
    with bulletin.file.open("rb") as stored:
        data = stored.read()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=bulletin,
        after={"file": "bulletin", "format": bulletin.format},
        message=_("下载工作通报 第%(number)s期（%(label)s）。")
        % {"number": bulletin.issue_number, "label": bulletin.month_label},
    )
    return data


# ---------------------------------------------------------------------------------------------
# Word templates

DOCX_TEMPLATE_MAX_BYTES = 5 * 1024 * 1024


def docx_template_upload(*, actor, kind: str, upload: UploadedFile) -> DocxTemplate:
    """Make ``upload`` the Word template of ``kind`` (bulletin or minutes). Only the campaign
    office; a file that is not a .docx, too large, or lacks a required placeholder is refused
    with the reason and changes nothing. Audited."""
    _require(actor, "bulletins.manage", message=_("无权更换 Word 公文模板。"))
    if kind not in DocxTemplateKind.values:
        raise ValidationError({"kind": [_("未知的文种“%(value)s”。") % {"value": kind}]})
    name = upload.name or ""
    if not name.lower().endswith(".docx"):
        raise ValidationError(
            {"file": [_("模板须为 Word 文档（.docx），上传的是“%(name)s”。") % {"name": name}]}
        )
    if (upload.size or 0) > DOCX_TEMPLATE_MAX_BYTES:
        raise ValidationError({"file": [_("模板文件不能超过 5 MB。")]})
    data = upload.read()
    problems = gongwen.docx_template_problems(data)
    if problems:
        raise ValidationError({"file": problems})
    with transaction.atomic():
        DocxTemplate.objects.filter(kind=kind, is_active=True).update(is_active=False)
        template = DocxTemplate(kind=kind, filename=name[:200], uploaded_by=actor)
        template.file.save(f"{kind}.docx", ContentFile(data), save=False)
        template.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=template,
            after={"kind": kind, "filename": template.filename},
            message=_("更换%(kind)s的 Word 公文模板为“%(name)s”。")
            % {"kind": template.get_kind_display(), "name": template.filename},
        )
    return template


def docx_template_reset(*, actor, kind: str) -> None:
    """Go back to the shipped 公文 layout for ``kind`` (the uploaded files are kept, inactive)."""
    _require(actor, "bulletins.manage", message=_("无权更换 Word 公文模板。"))
    label = DocxTemplateKind(kind).label
    with transaction.atomic():
        count = DocxTemplate.objects.filter(kind=kind, is_active=True).update(is_active=False)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            after={"kind": kind, "template": "default"},
            message=_("%(kind)s恢复使用默认 Word 公文模板。") % {"kind": label},
        )
    logger.info("docx template %s reset (%s deactivated)", kind, count)
