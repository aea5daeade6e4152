from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    STAGE = "stage", _("记录阶段")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    DENIED = "denied", _("拒绝访问")
    STALE_EDIT = "stale_edit", _("编辑冲突")
    TOKEN_CREATED = "token_created", _("创建接口令牌")
    DEMO_LOADED = "demo_loaded", _("载入演示数据")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    ROLE_GRANTED = "role_granted", _("授予角色")
    ROLE_REVOKED = "role_revoked", _("撤销角色")
    PASSWORD_RESET = "password_reset", _("重置密码")
