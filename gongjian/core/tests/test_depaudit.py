"""`make audit` (issue 14.11): the locked packages are audited; a known vulnerability fails the
run unless accepted in .pip-audit-ignore; an unreachable database fails only where required."""

from __future__ import annotations

import json
import subprocess

import pytest

from gongjian.core import depaudit

LOCK = """
version = 1
[[package]]
name = "django"
version = "5.2.8"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "gongjian"
version = "0.1.0"
source = { editable = "." }
"""


def test_locked_requirements_are_the_registry_packages(tmp_path):
    (tmp_path / "uv.lock").write_text(LOCK)

    assert depaudit.locked_requirements(tmp_path / "uv.lock") == ["django==5.2.8"]


def test_accepted_ids_skip_comments(tmp_path):
    (tmp_path / "ignore").write_text("# header\nGHSA-aaaa-bbbb-cccc  # reason; who; 2027-01-01\n\n")

    assert depaudit.accepted_ids(tmp_path / "ignore") == ["GHSA-aaaa-bbbb-cccc"]


def _fake_audit(monkeypatch, report: dict):
    seen: list[list[str]] = []

    def run(command, **kwargs):
        seen.append(command)
        return subprocess.CompletedProcess(command, 1, stdout=json.dumps(report), stderr="")

    monkeypatch.setattr(depaudit.subprocess, "run", run)
    return seen


def test_a_known_vulnerability_fails(monkeypatch, capsys):
    _fake_audit(
        monkeypatch,
        {"dependencies": [{"name": "django", "version": "5.2.8", "vulns": [{"id": "PYSEC-1"}]}]},
    )

    assert depaudit.main() == 1
    assert capsys.readouterr().out.splitlines()[0] == "django 5.2.8: PYSEC-1"


def test_accepted_ids_are_passed_to_pip_audit(monkeypatch, tmp_path):
    ignore = tmp_path / ".pip-audit-ignore"
    ignore.write_text("PYSEC-1  # accepted\n")
    monkeypatch.setattr(depaudit, "IGNORE_FILE", ignore)
    seen = _fake_audit(
        monkeypatch, {"dependencies": [{"name": "django", "version": "5.2.8", "vulns": []}]}
    )

    assert depaudit.main() == 0
    assert seen[0][-2:] == ["--ignore-vuln", "PYSEC-1"]


@pytest.mark.parametrize(("required", "code"), [("", 0), ("1", 1)])
def test_an_unreachable_database(monkeypatch, required, code):
    monkeypatch.setenv("GONGJIAN_REQUIRE_AUDIT", required)
    _fake_audit(
        monkeypatch,
        {"dependencies": [{"name": "django", "version": "5.2.8", "skip_reason": "not found"}]},
    )

    assert depaudit.main() == code
