"""`gongjian upgrade`: migrate, recompute, collectstatic in this order, one upgrade at a time."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gongjian.core.backup import Target
from gongjian.core.management.commands.upgrade import LOCK_NAME


@pytest.fixture
def manifest_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    return settings.STATIC_ROOT


@pytest.mark.django_db
def test_upgrade_migrates_recomputes_and_collects_hashed_static_files_in_order(manifest_static):
    out = io.StringIO()

    call_command("upgrade", stdout=out)

    lines = out.getvalue().splitlines()
    steps = [line for line in lines if line[:4] in {"1/3 ", "2/3 ", "3/3 "}]
    assert steps == ["1/3 migrate", "2/3 recompute", "3/3 collectstatic"]
    assert (
        lines.index("2/3 recompute")
        < next(i for i, line in enumerate(lines) if line.startswith("已重算 0 个指标月度合计"))
        < lines.index("3/3 collectstatic")
    )
    assert lines[-1].startswith("升级完成，请重启网站和后台任务服务。 / Upgrade done in ")
    # the hashed names nginx serves, and the manifest the pages look them up in
    paths = json.loads((manifest_static / "staticfiles.json").read_text())["paths"]
    hashed = paths["gongjian/behaviours.js"]
    assert hashed != "gongjian/behaviours.js"
    assert hashed.startswith("gongjian/behaviours.") and hashed.endswith(".js")
    assert (manifest_static / hashed).is_file()


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_second_upgrade_is_refused_while_one_runs(manifest_static):
    with Target.from_settings(connection.settings_dict).connect(autocommit=True) as first:
        first.execute("SELECT pg_advisory_lock(hashtext(%s))", [LOCK_NAME])
        with pytest.raises(CommandError) as refused:
            call_command("upgrade", stdout=io.StringIO())

    assert str(refused.value) == (
        "另一个升级（gongjian upgrade）正在对这个数据库运行，请等它结束。 / "
        "Another gongjian upgrade is running on this database; wait for it to finish."
    )
    assert not manifest_static.exists()  # nothing ran
