from django.core.management.base import BaseCommand, CommandError

from gongjian.accounts.models import User
from gongjian.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Issue an API token for a user and print it (shown once). 为用户创建接口令牌。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="the active user the token acts as / 令牌所属用户")
        parser.add_argument("--name", default="", help="what the token is for / 用途")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在或已停用 / no active user {username}")
        _token, raw = api_token_create(user=user, name=name)
        self.stdout.write(raw)
