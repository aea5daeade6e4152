from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Department
from gongjian.regions.models import Region


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账号已停用。"),
    }


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=32,
        help_text=_("身份验证器中的 6 位数字，或一个恢复码"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)


class MembershipGrantForm(forms.Form):
    region: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("区域"), queryset=Region.objects.order_by("path")
    )
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    department: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("部门"), queryset=Department.objects.select_related("region"), required=False
    )
