"""Audited values as people read them on the audit log."""

from __future__ import annotations

import pytest

from gongjian.core.templatetags.gongjian import audit_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        ("", "—"),
        ([], "—"),
        ("started", "开工"),
        (["started", "completed"], "开工、竣工"),
        ("2022-03-15", "2022-03-15"),
    ],
)
def test_audit_value(value, expected):
    assert audit_value("projects.stageevent", "stage", value) == expected
