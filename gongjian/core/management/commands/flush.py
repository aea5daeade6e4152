"""``gongjian flush``: Django's flush, let past the audit table's append-only triggers.

Emptying the whole database is a shell-only act (the test runner uses it between transactional
tests); the triggers still refuse any other DELETE or TRUNCATE of audit events.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from gongjian.audit.guard import flush_mode


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        with flush_mode(connection):
            super().handle(**options)
