"""Settings from the environment: a bad value fails loudly, production has no default secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from gongjian.core.env import env_bool, env_int, env_list, env_str

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        (" ON ", True),
        ("0", False),
        ("false", False),
        ("NO", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_accepts(monkeypatch, raw, expected):
    monkeypatch.setenv("GONGJIAN_FLAG", raw)

    assert env_bool("GONGJIAN_FLAG", default=not expected) is expected


@pytest.mark.parametrize("raw", ["2", "maybe", "enabled", "t"])
def test_env_bool_refuses(monkeypatch, raw):
    monkeypatch.setenv("GONGJIAN_FLAG", raw)

    with pytest.raises(ImproperlyConfigured) as refusal:
        env_bool("GONGJIAN_FLAG", default=False)

    assert str(refusal.value) == (
        f"GONGJIAN_FLAG={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off) / "
        "环境变量 GONGJIAN_FLAG 不是布尔值"
    )


def test_env_bool_default_when_unset(monkeypatch):
    monkeypatch.delenv("GONGJIAN_FLAG", raising=False)

    assert env_bool("GONGJIAN_FLAG", default=True) is True


def test_env_str_without_default_is_required(monkeypatch):
    monkeypatch.delenv("GONGJIAN_SECRET", raising=False)

    with pytest.raises(ImproperlyConfigured) as refusal:
        env_str("GONGJIAN_SECRET")

    assert str(refusal.value) == (
        "Environment variable GONGJIAN_SECRET is required / 缺少环境变量 GONGJIAN_SECRET"
    )


def test_env_int_refuses_text(monkeypatch):
    monkeypatch.setenv("GONGJIAN_N", "fifty")

    with pytest.raises(ImproperlyConfigured) as refusal:
        env_int("GONGJIAN_N", 50)

    assert (
        str(refusal.value) == "GONGJIAN_N='fifty' is not an integer / 环境变量 GONGJIAN_N 不是整数"
    )


def test_env_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("GONGJIAN_HOSTS", " gongjian.example.cn, ,127.0.0.1,")

    assert env_list("GONGJIAN_HOSTS", []) == ["gongjian.example.cn", "127.0.0.1"]


def _import_settings(**env: str) -> subprocess.CompletedProcess:
    """Import gongjian.settings in a fresh interpreter with only ``env`` set (plus PATH)."""
    clean = {"PATH": os.environ.get("PATH", ""), **env}
    return subprocess.run(
        [sys.executable, "-c", "import gongjian.settings"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_fails_loudly():
    result = _import_settings(GONGJIAN_ENV="production")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "Environment variable SECRET_KEY is required / 缺少环境变量 SECRET_KEY"
    )


def test_production_is_the_default_mode():
    result = _import_settings()

    assert result.returncode == 1
    assert "缺少环境变量 SECRET_KEY" in result.stderr


def test_production_without_database_url_fails_loudly():
    result = _import_settings(GONGJIAN_ENV="production", SECRET_KEY="k" * 50)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "Environment variable DATABASE_URL is required / 缺少环境变量 DATABASE_URL"
    )


def test_production_refuses_a_short_secret_key():
    result = _import_settings(
        GONGJIAN_ENV="production",
        SECRET_KEY="short",
        DATABASE_URL="postgres://gongjian@db/gongjian",
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "SECRET_KEY must be at least 32 characters / SECRET_KEY 至少 32 位"
    )


def test_production_with_its_settings_imports():
    result = _import_settings(
        GONGJIAN_ENV="production",
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://gongjian@db/gongjian",
    )

    assert (result.returncode, result.stderr) == (0, "")


def test_unknown_mode_fails_loudly():
    result = _import_settings(GONGJIAN_ENV="staging")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "GONGJIAN_ENV='staging': use production, demo or test / GONGJIAN_ENV 取值无效"
    )


def test_bad_boolean_in_settings_fails_loudly():
    result = _import_settings(GONGJIAN_ENV="demo", DEBUG="maybe")

    assert result.returncode == 1
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_bad_business_date_fails_loudly():
    result = _import_settings(GONGJIAN_ENV="demo", GONGJIAN_TODAY="2022-13-01")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "GONGJIAN_TODAY='2022-13-01' is not a date YYYY-MM-DD / GONGJIAN_TODAY 不是日期"
    )


def test_production_refuses_the_demo_secret_key():
    result = _import_settings(
        GONGJIAN_ENV="production",
        SECRET_KEY="gongjian-demo-and-test-only-not-a-secret-0123456789",
        DATABASE_URL="postgres://gongjian@db/gongjian",
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY appears in the repository "
        "(the code); generate a new one (README: 密钥) / SECRET_KEY 已公开在代码库中，请重新生成"
    )


def test_production_refuses_the_demo_pii_key():
    result = _import_settings(
        GONGJIAN_ENV="production",
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://gongjian@db/gongjian",
        GONGJIAN_PII_KEY="e3Arz_athB2-IY1eD_xjKap7w8UaF8NgFR3zbsJ9pgY=",
    )

    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "GONGJIAN_PII_KEY appears in the repository (the code); generate a new one "
            "(README: 密钥) / GONGJIAN_PII_KEY 已公开在代码库中，请重新生成"
        )
    )


def test_a_key_written_anywhere_in_the_tree_is_found(tmp_path):
    from gongjian.core.keys import found_in_tree, public_key_problem

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "deploy.md").write_text("SECRET_KEY=pasted-from-the-howto-0123456789abc\n")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "x.py").write_text("other-key-only-in-the-virtualenv-0123456789\n")

    assert found_in_tree("pasted-from-the-howto-0123456789abc", tmp_path) == (
        tmp_path / "docs" / "deploy.md"
    )
    assert found_in_tree("other-key-only-in-the-virtualenv-0123456789", tmp_path) is None
    assert (
        public_key_problem(
            "SECRET_KEY",
            "a-fresh-random-key-nobody-wrote-down-0123",
            known=frozenset(),
            root=tmp_path,
        )
        is None
    )


def _installed_apps(**env: str) -> list[str]:
    clean = {"PATH": os.environ.get("PATH", ""), **env}
    result = subprocess.run(
        [sys.executable, "-c", "import gongjian.settings as s; print(*s.INSTALLED_APPS)"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.split()


def test_the_benchmark_app_is_not_installed_in_production():
    # Fresh keys: production refuses any key written in the repository, this file included.
    from cryptography.fernet import Fernet
    from django.core.management.utils import get_random_secret_key

    production = _installed_apps(
        GONGJIAN_ENV="production",
        SECRET_KEY=get_random_secret_key(),
        DATABASE_URL="postgres://gongjian@db/gongjian",
        GONGJIAN_PII_KEY=Fernet.generate_key().decode(),
    )
    test = _installed_apps(GONGJIAN_ENV="test")

    assert ("gongjian.bench" in production, "gongjian.bench" in test) == (False, True)
    assert production[-1] == "gongjian.demo"
