"""The text of an uploaded or named document: plain text (UTF-8 or GB18030) or Word .docx."""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


class DocumentError(ValueError):
    """A file that is not a readable .txt or .docx document."""


def text_from_bytes(data: bytes, name: str) -> str:
    """Decode ``data`` as the document ``name`` says it is (.txt or .docx)."""
    lower = (name or "").lower()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(_("文件过大：最大 5 MB。"))
    if lower.endswith(".docx"):
        return _docx_text(data)
    if lower.endswith(".txt") or lower in ("", "-", "<stdin>"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise DocumentError(_("无法识别文件编码，请另存为 UTF-8 文本。"))
    raise DocumentError(_("只接受 .txt 或 .docx 文件。"))


def _docx_text(data: bytes) -> str:
    import docx  # python-docx; imported here so the extractor itself needs nothing

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise DocumentError(_("无法读取 Word 文件（.docx）。")) from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("，".join(cell.text.strip() for cell in row.cells))
    return "\n".join(lines)
