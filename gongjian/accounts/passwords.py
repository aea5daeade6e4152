"""Password policy: length and guessability checks, and the periodic change MLPS 2.0 asks for.

Length (12) and Django's list of 20,000 common passwords are configured in settings
(AUTH_PASSWORD_VALIDATORS); ``PatternPasswordValidator`` adds what breached-password corpora are
full of: keyboard walks, runs and repeats, dates, "common word + digits", Chinese favourites
(woaini, 5201314) and the names of this system and city. Expiry is off unless
GONGJIAN_PASSWORD_MAX_AGE_DAYS is set (NIST SP 800-63B advises against forced changes; MLPS 2.0
level 3 auditors ask for them, so the operator decides).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

KEYBOARD_ROWS = (
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb",
    "qazwsxedcrfvtgb",
    "abcdefghijklmnopqrstuvwxyz",
)
FAVOURITES = (
    "woaini",
    "5201314",
    "1314520",
    "iloveyou",
    "password",
    "passw0rd",
    "admin",
    "gongjian",
    "quanzhou",
    "xmgj",
    "zhengfu",
    "aini",
)
_DATE = re.compile(r"(19|20)\d{2}[-/.]?(0[1-9]|1[0-2])[-/.]?(0[1-9]|[12]\d|3[01])")


def _strip_decoration(password: str) -> str:
    """What is left after the digits and symbols people append or prepend to a word."""
    return re.sub(r"^[\d\W_]+|[\d\W_]+$", "", password.lower())


def _walk_share(password: str) -> float:
    """Share of characters that continue a keyboard or alphabet run, forwards or backwards."""
    text = password.lower()
    if len(text) < 2:
        return 0.0
    rows = KEYBOARD_ROWS + tuple(row[::-1] for row in KEYBOARD_ROWS)
    hits = sum(1 for a, b in itertools.pairwise(text) if any(a + b in r for r in rows))
    return hits / (len(text) - 1)


class PatternPasswordValidator:
    """Refuse passwords built from well-known patterns even when they are long."""

    def __init__(self) -> None:
        self._common = CommonPasswordValidator()

    def validate(self, password: str, user=None) -> None:
        text = password.lower()
        if len(set(text)) <= 3:
            raise ValidationError(
                _("密码字符过于单一，请勿使用重复字符。"), code="password_repeated"
            )
        if _walk_share(text) >= 0.6:
            raise ValidationError(
                _("密码包含键盘序列或连续字符（如 qwerty、123456），请更换。"),
                code="password_sequence",
            )
        for word in FAVOURITES:
            if word in text:
                raise ValidationError(
                    _("密码包含常见词“%(word)s”，请更换。") % {"word": word},
                    code="password_common_word",
                )
        if _DATE.search(text) and len(_DATE.sub("", text)) < 6:
            raise ValidationError(_("密码主要由日期组成，请更换。"), code="password_date")
        core = _strip_decoration(text)
        if len(core) < 4 or core in self._common.passwords:
            raise ValidationError(
                _("密码由常见密码加数字或符号组成，请更换。"), code="password_common_base"
            )

    def get_help_text(self) -> str:
        return _("不能使用键盘序列、重复字符、日期或常见词加数字。")

    def password_changed(self, password: str, user=None) -> None:
        """Django calls this after every password change: remember when, for expiry."""
        if user is None or user.pk is None:
            return
        from gongjian.accounts.models import PasswordRecord

        PasswordRecord.objects.update_or_create(user=user, defaults={"changed_at": timezone.now()})


def password_is_expired(user) -> bool:
    """True when GONGJIAN_PASSWORD_MAX_AGE_DAYS is on and the password is older than that."""
    days = settings.GONGJIAN_PASSWORD_MAX_AGE_DAYS
    if days <= 0:
        return False
    from gongjian.accounts.models import PasswordRecord

    record = PasswordRecord.objects.filter(user=user).first()
    changed = record.changed_at if record else user.date_joined
    return timezone.now() - changed > dt.timedelta(days=days)
