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


def test_field_label_of_a_reverse_relation_names_the_related_model():
    """The rubric's audited "items" is a reverse relation, which has no verbose_name of its own
    (the demo's audit log answered 500 on it)."""
    from gongjian.core.templatetags.gongjian import field_label

    assert field_label("items", "assessment.rubric") == "考核项目"
    assert field_label("name", "assessment.rubric") == "名称"
    assert field_label("no_such_field", "assessment.rubric") == "no_such_field"
