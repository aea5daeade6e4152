"""Evidence files (a photo or a document) attached to claims: what they are, by their bytes.

The uploader's file name and declared type are not trusted: the stored name is ours and the type
is read from the file's first bytes. One place, used by stage claims and 前期工作 milestones.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"%PDF-", 0, "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"WEBP", 8, "image/webp", ".webp"),
)


def evidence_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, JPEG, PNG or WebP file from its first 16 bytes."""
    for signature, offset, content_type, extension in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type, extension
    return None


def evidence_check(upload, *, field: str = "evidence") -> tuple[str, str]:
    """Check an uploaded evidence file; returns (content type, stored file name) or raises a
    ValidationError on ``field`` naming the file."""
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                field: [
                    _("文件“%(name)s”为 %(size)s MB，超过 %(limit)s MB 的上限。")
                    % {
                        "name": upload.name,
                        "size": f"{upload.size / 1048576:.1f}",
                        "limit": f"{EVIDENCE_MAX_BYTES / 1048576:.0f}",
                    }
                ]
            }
        )
    upload.seek(0)
    detected = evidence_type(upload.read(16))
    upload.seek(0)
    if detected is None:
        raise ValidationError(
            {field: [_("文件“%(name)s”不是 PDF、JPEG、PNG 或 WebP 文件。") % {"name": upload.name}]}
        )
    content_type, extension = detected
    return content_type, f"{uuid.uuid4().hex}{extension}"
