# mypy: disable-error-code="union-attr"
"""The Word 公文 template: the shipped one is reproducible and valid, the office replaces it
(validated: a template without the required placeholders is refused and nothing changes), the
bulletin and the minutes are filled from the replacement, and only the campaign office may."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from gongjian.audit.models import AuditEvent
from gongjian.bulletins.models import DocxTemplate
from gongjian.bulletins.services import (
    bulletin_build,
    docx_template_reset,
    docx_template_upload,
)
from gongjian.bulletins.tests.conftest import MADE_ON, NOVEMBER
from gongjian.core import gongwen, gongwen_template

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _upload(data: bytes, name: str = "泉州通报模板.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=DOCX)


def _office_template() -> bytes:
    """The shipped template as the office would edit it: a printed line added under the title."""
    document = Document(str(gongwen.DEFAULT_DOCX_TEMPLATE))
    title = next(p for p in document.paragraphs if p.text == "{{ title }}")
    title.insert_paragraph_before("（泉州市项目攻坚行动办公室 编）")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _writes() -> tuple[int, int]:
    return (
        DocxTemplate.objects.count(),
        AuditEvent.objects.filter(object_type="bulletins.docxtemplate").count(),
    )


def test_the_shipped_template_is_valid_and_rebuilt_by_its_script(tmp_path):
    # Given the committed template and one built again by the script
    built = gongwen_template.build(tmp_path / "gongwen.docx")

    committed = Document(str(gongwen.DEFAULT_DOCX_TEMPLATE))
    rebuilt = Document(str(built))

    # Then they have the same paragraphs and the placeholders the renderer fills
    assert [p.text for p in rebuilt.paragraphs] == [p.text for p in committed.paragraphs]
    assert [p.text for p in committed.paragraphs] == [
        "{{ masthead }}",
        "{%p if number %}",
        "{{ number }}",
        "{%p endif %}",
        "{{ office }}\t{{ issued_on }}",
        "{{ title }}",
        "{%p if addressee %}",
        "{{ addressee }}",
        "{%p endif %}",
        "{{p body }}",
        "{{ signature }}",
        "{{ date }}",
    ]
    assert gongwen.docx_template_problems(gongwen.DEFAULT_DOCX_TEMPLATE.read_bytes()) == []


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            _docx("{{ title }}", "{{p body }}"),
            "通报.docx",
            "模板缺少必需的占位符：{{ signature }}、{{ date }}"
            "（须包含 {{ title }}、{{ body }}、{{ signature }}、{{ date }}）。",
        ),
        (
            _docx("{{ title }}", "正文：{{ body }}", "{{ signature }}", "{{ date }}"),
            "通报.docx",
            "正文占位符须单独成段，写作 {{p body }}。",
        ),
        (b"not a word file", "通报.docx", "模板不是 Word 文档（.docx）：文件无法打开。"),
        (b"%PDF-1.7", "通报.pdf", "模板须为 Word 文档（.docx），上传的是“通报.pdf”。"),
    ],
    # Named ids: a generated .docx carries its build time, so byte-valued ids would differ
    # between xdist workers and break the collection.
    ids=["missing-placeholders", "body-not-alone", "not-a-docx", "a-pdf"],
)
def test_a_template_without_the_placeholders_is_refused_and_nothing_changes(
    city_admin, data, name, message
):
    before = _writes()

    with pytest.raises(ValidationError) as refused:
        docx_template_upload(actor=city_admin, kind="bulletin", upload=_upload(data, name))

    assert refused.value.message_dict == {"file": [message]}
    assert _writes() == before


def test_the_bulletin_is_filled_from_the_uploaded_template_until_reset(campaign, city_admin):
    # Given the office's edited template
    template = docx_template_upload(
        actor=city_admin, kind="bulletin", upload=_upload(_office_template())
    )
    assert (template.kind, template.filename, template.is_active) == (
        "bulletin",
        "泉州通报模板.docx",
        True,
    )
    event = AuditEvent.objects.get(object_type="bulletins.docxtemplate")
    assert (event.action, event.message) == (
        "create",
        "更换工作通报的 Word 公文模板为“泉州通报模板.docx”。",
    )

    # When a Word bulletin is made
    data = bulletin_build(
        actor=city_admin, campaign=campaign, month=NOVEMBER, format="docx", on=MADE_ON
    )

    # Then it carries the office's extra line above the title
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs if p.text.strip()]
    assert texts[3:5] == [
        "（泉州市项目攻坚行动办公室 编）",
        "关于2022年11月项目攻坚2022推进情况的通报",
    ]

    # And after a reset the shipped layout is back
    docx_template_reset(actor=city_admin, kind="bulletin")
    data = bulletin_build(
        actor=city_admin, campaign=campaign, month=NOVEMBER, format="docx", on=MADE_ON
    )
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs if p.text.strip()]
    assert texts[3] == "关于2022年11月项目攻坚2022推进情况的通报"


@pytest.mark.parametrize("persona", ["city_reviewer", "leader", "lichen_filer"])
def test_only_the_campaign_office_replaces_a_template(request, persona):
    user = request.getfixturevalue(persona)
    before = _writes()

    with pytest.raises(PermissionDenied):
        docx_template_upload(actor=user, kind="bulletin", upload=_upload(_office_template()))

    assert _writes() == before
    assert AuditEvent.objects.filter(action="denied", actor_username=persona).count() == 1


def test_the_page_shows_the_refusal_and_keeps_the_default(client, city_admin):
    client.force_login(city_admin)

    response = client.post(
        "/bulletins/templates/",
        {"kind": "minutes", "file": _upload(_docx("{{ title }}"), "纪要.docx")},
    )

    assert response.status_code == 200
    assert (
        "模板文件（.docx）：模板缺少必需的占位符：{{ body }}、{{ signature }}、{{ date }}"
        "（须包含 {{ title }}、{{ body }}、{{ signature }}、{{ date }}）。"
    ) in response.content.decode()
    assert DocxTemplate.objects.count() == 0
    download = client.get("/bulletins/templates/minutes/download/")
    assert download.status_code == 200
    assert download.content == gongwen.DEFAULT_DOCX_TEMPLATE.read_bytes()


def test_the_minutes_use_their_own_uploaded_template(client, city_admin, settings):
    from gongjian.dispatch.services import MeetingInput, meeting_create, meeting_hold

    settings.BUSINESS_DATE = dt.date(2022, 12, 1)
    meeting = meeting_create(
        actor=city_admin,
        data=MeetingInput(
            region_code="350500",
            period=dt.date(2022, 11, 1),
            held_on=dt.date(2022, 12, 1),
            chair="王国栋",
            attendees="",
            location="",
        ),
    )
    meeting_hold(actor=city_admin, meeting=meeting, summary="会议听取了汇报。", minutes_number="")
    client.force_login(city_admin)
    response = client.post(
        "/bulletins/templates/",
        {"kind": "minutes", "file": _upload(_office_template(), "纪要模板.docx")},
    )
    assert response.status_code == 302

    document = Document(
        io.BytesIO(client.get(f"/dispatch/meetings/{meeting.pk}/minutes.docx").content)
    )

    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[:4] == [
        "项目攻坚调度会议纪要",
        "泉州市项目攻坚指挥部办公室\t2022年12月1日",
        "（泉州市项目攻坚行动办公室 编）",
        "泉州市2022年11月项目攻坚调度会",
    ]
    assert texts[-2:] == ["泉州市项目攻坚指挥部办公室", "2022年12月1日"]
