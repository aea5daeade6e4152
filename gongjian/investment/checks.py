"""Start-up check: production refuses to run without a usable PII key (the demo and the tests
have a public built-in one)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from gongjian.investment.crypto import pii_key_problem


@register()
def pii_key_check(app_configs, **kwargs):
    problem = pii_key_problem(getattr(settings, "PII_KEY", ""))
    if problem is None:
        return []
    return [Error(problem, id="investment.E001")]
