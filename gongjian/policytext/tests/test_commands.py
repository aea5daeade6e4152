"""`gongjian extract-targets`: files, standard input, .docx, bad input, and --evaluate."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed_000_7bcf08fd08b19291.txt"
CORPUS = Path(__file__).parent / "corpus"


def _run(*args) -> str:
    out = io.StringIO()
    call_command("extract-targets", *args, stdout=out)
    return out.getvalue()


def test_seed_file_as_json_is_the_labelled_document():
    document = json.loads(_run(str(SEED), "--year", "2022", "--format", "json"))
    assert document == json.loads((DATA / "seed_expected.json").read_text("utf-8"))


def test_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SEED.read_bytes())))
    document = json.loads(_run("-", "--year", "2022"))
    assert len(document["targets"]) == 10
    assert len(document["facts"]) == 5


def test_docx_file(tmp_path):
    path = tmp_path / "plan.docx"
    document = docx.Document()
    document.add_paragraph("今年力争招引资金突破1万亿元。")
    document.save(path)
    found = json.loads(_run(str(path), "--year", "2022"))
    assert [(t["metric"], t["comparator"], t["normalized_value"]) for t in found["targets"]] == [
        ("招引资金", ">", "1000000000000")
    ]


def test_bad_input_is_refused_with_a_chinese_message(tmp_path):
    with pytest.raises(CommandError, match=r"无法读取文件.*No such file or directory"):
        _run(str(tmp_path / "plan.pdf"))
    (tmp_path / "plan.pdf").write_bytes(b"%PDF")
    with pytest.raises(CommandError, match=re.escape("只接受 .txt 或 .docx 文件。")):
        _run(str(tmp_path / "plan.pdf"))
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD：2022-13"):
        _run(str(SEED), "--date", "2022-13")


def test_evaluate_prints_both_parts_per_genre_with_f1():
    scores = json.loads(_run("--evaluate", str(CORPUS), "--format", "json"))
    assert [part for part in scores if "/" not in part] == ["all", "dev", "test"]
    assert {part.split("/")[1] for part in scores if "/" in part} == {
        "work_report",
        "annual_plan",
        "action_plan",
        "key_projects",
        "investment",
        "park",
    }
    assert scores["all"]["documents"] == 88
    assert (scores["dev"]["documents"], scores["test"]["documents"]) == (53, 35)
    assert scores["all"]["targets"]["labelled"] + scores["all"]["facts"]["labelled"] == 894
    assert set(scores["test"]) == {"documents", "targets", "facts", "periods"}
    text = _run("--evaluate", str(CORPUS), "--format", "text")
    assert text.splitlines()[0].split() == [
        "part",
        "docs",
        "kind",
        "labelled",
        "proposed",
        "matched",
        "P",
        "R",
        "F1",
    ]
