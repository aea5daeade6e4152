"""Re-encrypt stored mobile numbers under a new GONGJIAN_PII_KEY (one transaction)."""

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongjian.accounts.services import system_actor
from gongjian.investment.services import pii_key_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every lead's mobile number under the new key in GONGJIAN_NEW_PII_KEY, in one "
        "transaction; then set GONGJIAN_PII_KEY to it and restart. "
        "用新密钥重新加密线索手机号。"
    )

    def handle(self, *args, **options):
        new_key = os.environ.get("GONGJIAN_NEW_PII_KEY", "").strip()
        if not new_key:
            raise CommandError(
                "请在环境变量 GONGJIAN_NEW_PII_KEY 中提供新密钥"
                "（不放在命令行上，以免留在历史记录）。"
                " / Put the new key in GONGJIAN_NEW_PII_KEY (not on the command line)."
            )
        try:
            count = pii_key_rotate(new_key=new_key, actor=system_actor())
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"已用新密钥重新加密 {count} 条线索的手机号。"
            "请立即把 GONGJIAN_PII_KEY 改为新密钥并重启服务。"
            f" / Re-encrypted {count} leads: set GONGJIAN_PII_KEY to the new key and restart now."
        )
