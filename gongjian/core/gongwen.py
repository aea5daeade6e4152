"""Official documents (公文, GB/T 9704) as one content model, printed as PDF and as Word.

A ``GongwenDocument`` is the 版头 (red masthead, 发文字号 or 期数, issuing office and date, red
rule), the title, the 主送 line, a body of headings, paragraphs and tables, and the 署名 and
成文日期. The bulletin (``bulletins``) and the dispatch meeting minutes (``dispatch``) build one
each; the two renderers here read nothing else, so the PDF and the Word file carry the same
paragraphs in the same order.

* PDF: WeasyPrint renders ``gongwen/base.html`` (a document type may extend it for its own
  styles). The server typesets it, so the CSS names the official fonts first and the Noto CJK
  families Debian's fonts-noto-cjk installs as fallbacks.
* Word: docxtpl fills a .docx template the office can edit in Word or WPS. The default,
  ``core/docx/gongwen.docx``, is built by ``python -m gongjian.core.gongwen_template``; it names
  the official fonts (方正小标宋简体, 黑体, 楷体_GB2312, 仿宋_GB2312) with alternates in its font
  table (宋体, SimHei, 楷体, 仿宋) for machines that lack them. The body is a sub-document made with
  the template's own styles (正文 = Normal, Heading 1/2, Table Grid), so restyling those in the
  template restyles every document.

Nothing follows the signature: tables and notes (说明) are part of the body, each under the
heading of its section, as a 通报 prints them; the 署名 and 成文日期 are the last paragraphs.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

DOCX_DIR = Path(__file__).resolve().parent / "docx"
DEFAULT_DOCX_TEMPLATE = DOCX_DIR / "gongwen.docx"

# The placeholders a .docx template must have; the others (masthead, number, office, issued_on,
# addressee) are filled when present, so a template with a printed letterhead may leave them out.
REQUIRED_PLACEHOLDERS = ("title", "body", "signature", "date")
OPTIONAL_PLACEHOLDERS = ("masthead", "number", "office", "issued_on", "addressee")
# The body is paragraphs and tables, so it must stand in a paragraph of its own: {{p body }}.
BODY_PARAGRAPH = re.compile(r"\{\{p\s+body\s*\}\}")

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
# Alternates Word and WPS use when a machine lacks an official font (w:altName in the font table).
FONT_ALTERNATES = {
    TITLE_FONT: "宋体",
    HEADING_FONT: "SimHei",
    SUBHEADING_FONT: "楷体",
    BODY_FONT: "仿宋",
}
RED = "D00000"
TONES = {"red": "C00000", "yellow": "A15C00", "green": "0B6B2F"}


@dataclass(frozen=True)
class Heading:
    """一、 (level 1, 黑体) or （一） (level 2, 楷体)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph (first line indented two characters); a note is set smaller."""

    text: str
    is_note: bool = False


@dataclass(frozen=True)
class Cell:
    text: str
    align: str = "left"  # left | center | right
    tone: str = ""  # "" | red | yellow | green


@dataclass(frozen=True)
class Row:
    """A table row; a group row is one label across the whole table (a section of rows)."""

    cells: tuple[Cell, ...]
    is_group: bool = False
    is_total: bool = False

    @classmethod
    def group(cls, label: str) -> Row:
        return cls(cells=(Cell(label),), is_group=True)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    widths_cm: tuple[float, ...] | None = None  # per column; the type area is 15.6 cm wide

    @property
    def widths_percent(self) -> list[str]:
        """Column widths as CSS percentages (for the PDF)."""
        if not self.widths_cm:
            return []
        whole = sum(self.widths_cm)
        return [f"{100 * width / whole:.1f}%" for width in self.widths_cm]

    def texts(self) -> list[list[str]]:
        """Header and rows as plain text (what a reader sees, cell by cell)."""
        return [list(self.headers), *[[c.text for c in row.cells] for row in self.rows]]


Block = Heading | Paragraph | Table


@dataclass(frozen=True)
class GongwenDocument:
    """One official document, as both renderers print it."""

    masthead: str  # 发文机关标志 / 版头 title, in red
    number: str  # 发文字号 or 第N期; "" for none
    office: str  # the issuing office on the masthead line
    issued_on: str  # the date on the masthead line
    title: str
    addressee: str  # 主送机关, ending in "：", or ""
    blocks: tuple[Block, ...]
    signature: str  # 署名
    date: str  # 成文日期
    extra_css: str = field(default="", compare=False)

    def paragraph_texts(self) -> list[str]:
        """Every paragraph outside the tables, in order, from the masthead to the date."""
        texts = [self.masthead]
        if self.number:
            texts.append(self.number)
        texts += [f"{self.office}\t{self.issued_on}", self.title]
        if self.addressee:
            texts.append(self.addressee)
        texts += [b.text for b in self.blocks if not isinstance(b, Table)]
        return [*texts, self.signature, self.date]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


# ---------------------------------------------------------------------------------------------
# PDF


def render_html(document: GongwenDocument, *, template_name: str = "gongwen/base.html") -> str:
    return render_to_string(template_name, {"doc": document})


def render_pdf(document: GongwenDocument, *, template_name: str = "gongwen/base.html") -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(document, template_name=template_name)).write_pdf()


# ---------------------------------------------------------------------------------------------
# Word


def east_asian_font(run_or_style, name: str, *, latin: str = LATIN_FONT) -> None:
    """Name ``name`` as the East Asian font (the one Word uses for Chinese) and ``latin`` for
    Latin letters and digits."""
    from docx.oxml.ns import qn

    run_or_style.font.name = latin
    r_pr = run_or_style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def placeholder(name: str) -> str:
    """A placeholder as the office types it in the template: {{ title }}."""
    return "{{ " + name + " }}"


def docx_template_problems(data: bytes) -> list[str]:
    """Why ``data`` cannot be a .docx 公文 template (empty when it can): not a Word file, or a
    required placeholder missing. Messages name the placeholder as the office types it."""
    from docxtpl import DocxTemplate

    if not zipfile.is_zipfile(io.BytesIO(data)):
        return [_("模板不是 Word 文档（.docx）：文件无法打开。")]
    try:
        found = DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml").decode("utf-8")
    except Exception as error:
        return [
            _("模板无法解析（%(error)s），请在 Word 或 WPS 中另存为 .docx 后重试。")
            % {"error": error}
        ]
    problems = []
    missing = [name for name in REQUIRED_PLACEHOLDERS if name not in found]
    if missing:
        problems.append(
            _("模板缺少必需的占位符：%(names)s（须包含 %(all)s）。")
            % {
                "names": "、".join(placeholder(name) for name in missing),
                "all": "、".join(placeholder(name) for name in REQUIRED_PLACEHOLDERS),
            }
        )
    if "body" in found and not BODY_PARAGRAPH.search(_plain_text(xml)):
        problems.append(_("正文占位符须单独成段，写作 {{p body }}。"))
    return problems


def _plain_text(xml: str) -> str:
    """The template's text with the XML tags between runs removed (Word splits typed text)."""
    return re.sub(r"<[^>]+>", "", xml)


def _style(document, name: str) -> str | None:
    """``name`` if the template defines that style (an office's template may not)."""
    from docx.enum.style import WD_STYLE_TYPE

    for style in document.styles:
        if style.name == name and style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.TABLE):
            return name
    return None


def _body(template, blocks: tuple[Block, ...]):
    """The body as a docxtpl sub-document in the template's own styles."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    subdoc = template.new_subdoc()
    document = template.get_docx()
    styles = {
        name: _style(document, name)
        for name in ("Heading 1", "Heading 2", "Table Grid", "Note", "Table Text")
    }
    aligns = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }
    previous: Block | None = None
    for block in blocks:
        if isinstance(block, Table) and isinstance(previous, Table):
            # Word joins two tables with nothing between them into one.
            subdoc.add_paragraph(style=styles["Table Text"])
        previous = block
        if isinstance(block, Heading):
            style = styles[f"Heading {block.level}"]
            paragraph = subdoc.add_paragraph(style=style)
            run = paragraph.add_run(block.text)
            if style is None:
                run.bold = True
        elif isinstance(block, Paragraph):
            style = styles["Note"] if block.is_note else None
            paragraph = subdoc.add_paragraph(style=style)
            paragraph.add_run(block.text)
        else:
            table = subdoc.add_table(rows=1, cols=len(block.headers))
            if styles["Table Grid"]:
                table.style = styles["Table Grid"]
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            header = table.rows[0]
            # Repeat the header row at the top of every page the table runs onto.
            tr_pr = header._tr.get_or_add_trPr()
            tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
            for cell, text in zip(header.cells, block.headers, strict=True):
                paragraph = cell.paragraphs[0]
                paragraph.style = styles["Table Text"]
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = paragraph.add_run(text)
                run.bold = True
                east_asian_font(run, HEADING_FONT)
            for row in block.rows:
                cells = table.add_row().cells
                if row.is_group:
                    merged = cells[0].merge(cells[-1])
                    paragraph = merged.paragraphs[0]
                    paragraph.style = styles["Table Text"]
                    run = paragraph.add_run(row.cells[0].text)
                    run.bold = True
                    east_asian_font(run, HEADING_FONT)
                    continue
                for docx_cell, cell in zip(cells, row.cells, strict=True):
                    paragraph = docx_cell.paragraphs[0]
                    paragraph.style = styles["Table Text"]
                    paragraph.alignment = aligns[cell.align]
                    run = paragraph.add_run(cell.text)
                    if row.is_total:
                        run.bold = True
                    if cell.tone:
                        run.font.color.rgb = RGBColor.from_string(TONES[cell.tone])
                        run.bold = cell.tone == "red"
            if styles["Table Text"] is None:
                for docx_row in table.rows:
                    for docx_cell in docx_row.cells:
                        for run in docx_cell.paragraphs[0].runs:
                            run.font.size = Pt(10.5)
            if block.widths_cm:
                for docx_row in table.rows:
                    for docx_cell, width in zip(docx_row.cells, block.widths_cm, strict=False):
                        docx_cell.width = Cm(width)
    return subdoc


def docx_context(document: GongwenDocument, template) -> dict:
    return {
        "masthead": document.masthead,
        "number": document.number,
        "office": document.office,
        "issued_on": document.issued_on,
        "title": document.title,
        "addressee": document.addressee,
        "body": _body(template, document.blocks),
        "signature": document.signature,
        "date": document.date,
    }


def render_docx(document: GongwenDocument, *, template: bytes | None = None) -> bytes:
    """Fill ``template`` (the .docx bytes; default: the shipped 公文 layout) with ``document``."""
    from docxtpl import DocxTemplate

    source = io.BytesIO(template) if template is not None else DEFAULT_DOCX_TEMPLATE
    docx_template = DocxTemplate(source)
    docx_template.render(docx_context(document, docx_template), autoescape=True)
    properties = docx_template.docx.core_properties
    properties.title = document.title
    properties.author = document.office
    buffer = io.BytesIO()
    docx_template.save(buffer)
    return buffer.getvalue()
