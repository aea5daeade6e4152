"""Who may send the reporting reminders by hand (the scheduled command runs as the system)."""

from __future__ import annotations

import rules

from gongjian.accounts.choices import Role
from gongjian.accounts.scopes import has_any_role


@rules.predicate
def can_send_reminders(user, obj=None) -> bool:
    return has_any_role(user, [Role.CITY_ADMIN])


rules.add_perm("notifications.send_reminders", can_send_reminders)
