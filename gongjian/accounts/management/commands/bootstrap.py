"""The first accounts of a new installation: a security administrator and a city administrator."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gongjian.accounts.choices import Role
from gongjian.accounts.models import User
from gongjian.accounts.services import (
    SYSTEM_USERNAME,
    membership_grant,
    system_actor,
    user_create,
)
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region


class Command(BaseCommand):
    help = (
        "Create the first security administrator and city administrator (separate accounts, "
        "separation of duties) with temporary passwords to be changed at first sign-in, where "
        "the one-time code must also be set up; refused when accounts exist. "
        "创建首个安全管理员和市项目办管理员账号。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--username",
            required=True,
            help="the security administrator's username / 安全管理员用户名",
        )
        parser.add_argument(
            "--email", required=True, help="where both administrators get mail / 电子邮箱"
        )
        parser.add_argument(
            "--city-admin-username",
            default="",
            help="the city administrator's username (default: USERNAME-city) / 市管理员用户名",
        )
        parser.add_argument(
            "--city-admin-email",
            default="",
            help="the city administrator's e-mail (default: --email) / 市项目办管理员邮箱",
        )
        parser.add_argument(
            "--region",
            default="",
            help="the city's region code (needed when there are several) / 市级区域代码",
        )

    def handle(self, *args, username, email, city_admin_username, city_admin_email, region, **opts):
        if User.objects.exclude(username=SYSTEM_USERNAME).exists():
            raise CommandError(
                "已有账号，bootstrap 只用于新安装；请由安全管理员在“用户管理”中添加账号。 / "
                "Accounts already exist: bootstrap is for a new installation only."
            )
        city = self._city(region)
        city_admin_username = city_admin_username or f"{username}-city"
        if city_admin_username == username:
            raise CommandError("两个管理员须使用不同账号（职责分离）。 / The two must differ.")
        actor = system_actor()
        try:
            with transaction.atomic():
                security, security_password = user_create(
                    username=username, display_name="安全管理员", email=email, actor=actor
                )
                membership_grant(user=security, region=city, role=Role.SECURITY_ADMIN, actor=actor)
                admin, admin_password = user_create(
                    username=city_admin_username,
                    display_name="市项目办管理员",
                    email=city_admin_email or email,
                    actor=actor,
                )
                membership_grant(user=admin, region=city, role=Role.CITY_ADMIN, actor=actor)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            "已创建两个账号。临时密码只显示这一次；首次登录须修改密码并设置动态口令。\n"
            "Two accounts created. The temporary passwords are shown once; the first sign-in "
            "sets a new password and the one-time code.\n"
        )
        self.stdout.write(f"security_admin  {security.username}  {security_password}")
        self.stdout.write(f"city_admin      {admin.username}  {admin_password}")

    def _city(self, code: str) -> Region:
        cities = Region.objects.filter(kind=RegionKind.CITY)
        if code:
            cities = cities.filter(code=code)
        found = list(cities[:2])
        if len(found) == 1:
            return found[0]
        if not found:
            raise CommandError(
                "找不到市级区域，请先运行 gongjian migrate（区域随迁移载入）或检查 --region。 / "
                "No city region: run migrate first or check --region."
            )
        raise CommandError("有多个市级区域，请用 --region 指定。 / Several cities: pass --region.")
