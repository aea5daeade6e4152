"""The command line as an operator meets it: a missing setting is one line, log lines come once,
and every argument of every project command says what it is for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.core.management.base import BaseCommand

GONGJIAN = Path(sys.executable).with_name("gongjian")


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GONGJIAN_", "DJANGO_"))
        and key not in {"SECRET_KEY", "DATABASE_URL"}
    }
    return subprocess.run(
        [str(GONGJIAN), *args], env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_without_settings_one_line_names_the_variable_and_the_demo():
    done = _run(["migrate"])

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "gongjian: Environment variable SECRET_KEY is required / 缺少环境变量 SECRET_KEY. "
        "GONGJIAN_ENV=demo uses the demo database under var/ (make demo) / "
        "GONGJIAN_ENV=demo 使用 var/ 下的演示数据库\n"
    )


def test_a_bad_value_is_one_line_too():
    done = _run(["check"], GONGJIAN_ENV="test", GONGJIAN_REPORT_DUE_DAY="31")

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "gongjian: GONGJIAN_REPORT_DUE_DAY must be 1-28 / 截止日须在 1-28 之间. "
        "GONGJIAN_ENV=demo uses the demo database under var/ (make demo) / "
        "GONGJIAN_ENV=demo 使用 var/ 下的演示数据库"
    ]


def test_django_log_lines_are_printed_once():
    code = (
        "import logging; "
        "logging.getLogger('django.request').warning('Not Found: /nowhere'); "
        "logging.getLogger('gongjian.core').info('started')"
    )
    done = _run(
        ["shell", "--no-imports", "-c", code],
        GONGJIAN_ENV="demo",
        DATABASE_URL="sqlite:///:memory:",
        DEBUG="1",
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "WARNING django.request: Not Found: /nowhere",
        "INFO gongjian.core: started",
    ]


def _project_commands() -> list[tuple[str, str]]:
    return sorted(
        (name, app) for name, app in get_commands().items() if app.startswith("gongjian.")
    )


# Options every Django command has (--verbosity, --settings, ...): Django documents them.
_DJANGO_OPTIONS = {
    action.dest for action in BaseCommand().create_parser("gongjian", "base")._actions
}


@pytest.mark.parametrize(("name", "app"), _project_commands())
def test_every_argument_of_a_project_command_has_help(name, app):
    command = load_command_class(app, name)
    parser = command.create_parser("gongjian", name)
    own = [action for action in parser._actions if action.dest not in _DJANGO_OPTIONS]

    assert [action.dest for action in own if not (action.help or "").strip()] == []
    assert (command.help or "").strip(), f"{name} has no help text"
