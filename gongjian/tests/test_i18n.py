"""The English catalogue: complete, compiled, and used by pages and service messages alike."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gongjian.projects.services import ProjectInput, project_create

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES"


@dataclass
class Entry:
    """One message of a .po file."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstrs: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def read_po(path: Path) -> list[Entry]:
    """Read a .po file as written by makemessages (quoted strings, continuation lines)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] = ("msgid", 0)
    keyword = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (".*")$')
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            current = None
            continue
        if current is None:
            current = Entry()
            entries.append(current)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        text = line
        match = keyword.match(line)
        if match:
            name, index, text = match.group(1), int(match.group(2) or 0), match.group(3)
            target = (name, index)
            if name == "msgstr":
                current.msgstrs[index] = ""
            else:
                setattr(current, name, "")
        value = _unescape(text[1:-1])
        name, index = target
        if name == "msgstr":
            current.msgstrs[index] += value
        else:
            setattr(current, name, (getattr(current, name) or "") + value)
    return [e for e in entries if e.msgid]


@pytest.fixture(autouse=True)
def _keep_the_language():
    # LocaleMiddleware activates the request's language in this thread and nothing turns it
    # back afterwards: without this, every later test in the process would run in English.
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    return read_po(CATALOGUE / "django.po")


def test_every_message_is_translated_and_none_is_fuzzy(po_entries):
    untranslated = [e.msgid for e in po_entries if not all(e.msgstrs.values())]
    fuzzy = [e.msgid for e in po_entries if "fuzzy" in e.flags]
    assert len(po_entries) > 250
    assert untranslated == []
    assert fuzzy == []


def test_plural_messages_have_both_english_forms(po_entries):
    plurals = [e for e in po_entries if e.msgid_plural is not None]
    assert plurals
    assert [e.msgid for e in plurals if sorted(e.msgstrs) != [0, 1]] == []


def test_placeholders_survive_translation(po_entries):
    placeholder = re.compile(r"%\((\w+)\)s")
    broken = [
        e.msgid
        for e in po_entries
        for text in e.msgstrs.values()
        if sorted(placeholder.findall(text)) != sorted(placeholder.findall(e.msgid))
    ]
    assert broken == []


def test_compiled_catalogue_matches_the_po_file(po_entries):
    # A .po edited without `make messages` would leave the committed .mo behind it.
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in po_entries:
        if entry.msgid_plural is not None:
            continue
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if compiled.gettext(msgid) != entry.msgstrs[0]:
            stale.append(entry.msgid)
    assert stale == []


def test_english_home_page_title_and_navigation(client, lichen_filer):
    client.force_login(lichen_filer)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()

    assert "<title>Home · Gongjian</title>" in page
    assert '<html lang="en">' in page
    assert 'aria-current="page">Home</a>' in page
    assert ">Project ledger</a>" in page
    assert ">Sign out</button>" in page
    assert '<span class="where">Licheng District · District filer</span>' in page


def test_english_project_form_shows_the_service_error(client, lichen_filer):
    client.force_login(lichen_filer)
    client.post("/i18n/setlang/", {"language": "en"})

    response = client.post(
        "/projects/new/",
        {
            "code": "LC-2022-201",
            "name": "鲤城区智慧物流园",
            "region_code": "350502",
            "category_code": "key-construction",
            "total_investment": "-1",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>New project · Gongjian</title>" in page
    assert '<p class="field-error" id="id_total_investment_error">' in page
    assert "Total investment cannot be negative.</p>" in page
    assert "Please correct 1 problem marked in red." in page


@pytest.mark.django_db
def test_service_error_in_english(lichen_filer):
    data = ProjectInput(
        code="LC-2022-202",
        name="鲤城区智慧物流园",
        region_code="350502",
        category_code="key-construction",
        total_investment=Decimal("1000"),
        annual_plan=Decimal("1500"),
    )

    with translation.override("en"), pytest.raises(ValidationError) as raised:
        project_create(actor=lichen_filer, data=data)

    assert raised.value.message_dict == {
        "annual_plan": [
            "The annual planned investment of 1,500.00 ten thousand yuan cannot exceed "
            "the total investment of 1,000.00 ten thousand yuan."
        ]
    }
