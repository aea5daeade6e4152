"""Mobile numbers at rest: normalised, Fernet-encrypted with the key from the environment
(GONGJIAN_PII_KEY), looked up by a keyed hash, shown masked.

The hash key is derived from the PII key, so the database alone (a dump, a replica) neither
decrypts a number nor lets anyone confirm a guessed one.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Mainland mobile numbers: 11 digits starting 13-19.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")


def mobile_normalise(text: str) -> str:
    """ "+86 138-0013-8000" → "13800138000"; anything else is returned stripped, for the check."""
    value = _SEPARATORS.sub("", text or "")
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == 11 + len(prefix):
            value = value[len(prefix) :]
    return value


def mobile_is_valid(normalised: str) -> bool:
    return bool(_MOBILE.match(normalised))


def mobile_mask(normalised: str) -> str:
    """13800138000 → 138****8000."""
    if len(normalised) != 11:
        return "*" * len(normalised)
    return f"{normalised[:3]}****{normalised[-4:]}"


def _key(override: str | None = None) -> bytes:
    key = override if override is not None else getattr(settings, "PII_KEY", "")
    if not key:
        raise ImproperlyConfigured(
            "GONGJIAN_PII_KEY is required to store investment leads / 缺少环境变量 GONGJIAN_PII_KEY"
        )
    return key.encode()


def pii_key_problem(key: str) -> str | None:
    """Why ``key`` is not a usable Fernet key, or None when it is."""
    if not key:
        return "GONGJIAN_PII_KEY is not set / 未设置 GONGJIAN_PII_KEY"
    try:
        Fernet(key.encode())
    except ValueError:
        return (
            "GONGJIAN_PII_KEY is not a Fernet key (32 url-safe base64-encoded bytes) / "
            "GONGJIAN_PII_KEY 不是有效的 Fernet 密钥"
        )
    return None


def encrypt(value: str, *, key: str | None = None) -> str:
    return Fernet(_key(key)).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text of ``token``; a token from another key answers an empty string."""
    if not token:
        return ""
    try:
        return Fernet(_key()).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def decrypt_strict(token: str) -> str:
    """The plain text of ``token``; InvalidToken when it was not made with the current key."""
    return Fernet(_key()).decrypt(token.encode()).decode()


def mobile_digest(normalised: str, *, key: str | None = None) -> str:
    """HMAC-SHA256 of the number under a key derived from the PII key (for duplicate lookups)."""
    lookup_key = hashlib.sha256(b"gongjian:lead-mobile-lookup:" + _key(key)).digest()
    return hmac.new(lookup_key, normalised.encode(), hashlib.sha256).hexdigest()
