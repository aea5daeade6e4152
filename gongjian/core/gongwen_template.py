"""Build the default .docx 公文 template (``core/docx/gongwen.docx``) with python-docx.

Run once after changing the layout, and commit the file:

    .venv/bin/python -m gongjian.core.gongwen_template

The office may instead edit the .docx in Word or WPS (fonts, sizes, the red rule, a printed
letterhead) and upload it; the placeholders are docxtpl's (Jinja) and are listed in
``gongwen.REQUIRED_PLACEHOLDERS`` and ``OPTIONAL_PLACEHOLDERS``. Layout, after GB/T 9704-2012:
A4, margins 37/35/28/26 mm; 版头 in 方正小标宋简体, red, with the 期数 or 发文字号 under it and a
red rule under the issuing office and date; title 二号 方正小标宋简体; body 三号 仿宋_GB2312 with a
two-character indent; 一、 headings in 黑体, （一） in 楷体_GB2312; page numbers "— 1 —".
"""

from __future__ import annotations

import sys
from pathlib import Path

from gongjian.core.gongwen import (
    BODY_FONT,
    DEFAULT_DOCX_TEMPLATE,
    FONT_ALTERNATES,
    HEADING_FONT,
    RED,
    SUBHEADING_FONT,
    TITLE_FONT,
    east_asian_font,
)

THEME_ATTRIBUTES = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def _plain_font(style, name: str) -> None:
    """``name`` as the style's font, with the theme fonts (which Word prefers) removed."""
    from docx.oxml.ns import qn

    east_asian_font(style, name)
    fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
    for attribute in THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(f"w:{attribute}"), None)


def _font_alternates(document) -> None:
    """Declare the official fonts in the font table with an alternate (w:altName) each."""
    from lxml import etree

    part = next(
        p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml"
    )
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.fromstring(part.blob)
    for name, alternate in FONT_ALTERNATES.items():
        font = etree.SubElement(root, f"{{{ns}}}font", {f"{{{ns}}}name": name})
        etree.SubElement(font, f"{{{ns}}}altName", {f"{{{ns}}}val": alternate})
        etree.SubElement(font, f"{{{ns}}}charset", {f"{{{ns}}}val": "86"})  # GB2312
        etree.SubElement(font, f"{{{ns}}}family", {f"{{{ns}}}val": "auto"})
        etree.SubElement(font, f"{{{ns}}}pitch", {f"{{{ns}}}val": "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _red_rule(paragraph) -> None:
    """A red line under ``paragraph`` (the 版头's rule), as a bottom border."""
    from docx.oxml.ns import qn

    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.makeelement(qn("w:pBdr"), {})
    borders.append(
        borders.makeelement(
            qn("w:bottom"),
            {qn("w:val"): "single", qn("w:sz"): "18", qn("w:space"): "1", qn("w:color"): RED},
        )
    )
    p_pr.append(borders)


def _page_number_footer(section) -> None:
    """— PAGE — centred in the footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.add_run("— ").font.size = Pt(14)
    run = paragraph.add_run()
    run.font.size = Pt(14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        else:
            element = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            element.text = text
        run._r.append(element)
    paragraph.add_run(" —").font.size = Pt(14)


def build(path: Path = DEFAULT_DOCX_TEMPLATE) -> Path:
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _font_alternates(document)

    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(16)  # 三号
    _plain_font(normal, BODY_FONT)
    normal.paragraph_format.first_line_indent = Pt(32)  # two characters
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28.95)  # 22 lines to the page
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    for level, font in ((1, HEADING_FONT), (2, SUBHEADING_FONT)):
        heading = styles[f"Heading {level}"]
        heading.font.size = Pt(16)
        heading.font.bold = False
        heading.font.color.rgb = RGBColor(0, 0, 0)
        _plain_font(heading, font)
        heading.paragraph_format.first_line_indent = Pt(32)
        heading.paragraph_format.space_before = Pt(0)
        heading.paragraph_format.space_after = Pt(0)
        heading.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        heading.paragraph_format.line_spacing = Pt(28.95)
    table_text = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(10.5)  # 五号
    table_text.paragraph_format.first_line_indent = Pt(0)
    table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    note = styles.add_style("Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(12)
    note.paragraph_format.first_line_indent = Pt(0)
    note.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    note.paragraph_format.space_before = Pt(6)

    def line(text: str, *, align=None, indent: bool = False):
        paragraph = document.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        if not indent:
            paragraph.paragraph_format.first_line_indent = Pt(0)
        if text:
            paragraph.add_run(text)
        return paragraph

    masthead = line("{{ masthead }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    masthead.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    run = masthead.runs[0]
    run.font.size = Pt(30)
    run.font.color.rgb = RGBColor.from_string(RED)
    east_asian_font(run, TITLE_FONT)
    line("{%p if number %}")
    number = line("{{ number }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    number.paragraph_format.space_before = Pt(12)
    line("{%p endif %}")
    issuer = line("{{ office }}\t{{ issued_on }}")
    issuer.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), WD_TAB_ALIGNMENT.RIGHT)
    _red_rule(issuer)
    title = line("{{ title }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    title.paragraph_format.space_before = Pt(24)
    title.paragraph_format.space_after = Pt(18)
    run = title.runs[0]
    run.font.size = Pt(22)  # 二号
    east_asian_font(run, TITLE_FONT)
    line("{%p if addressee %}")
    line("{{ addressee }}")
    line("{%p endif %}")
    line("{{p body }}")
    signature = line("{{ signature }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    signature.paragraph_format.space_before = Pt(32)
    signature.paragraph_format.right_indent = Pt(32)
    date = line("{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    date.paragraph_format.right_indent = Pt(32)
    _page_number_footer(section)

    properties = document.core_properties
    properties.title = "公文模板"
    properties.author = "Gongjian"
    properties.comments = "python -m gongjian.core.gongwen_template"
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DOCX_TEMPLATE))
