"""The unified social credit code (统一社会信用代码, GB 32100-2015) and the organisation code
inside it (组织机构代码, GB 11714-1997).

A credit code is 18 characters: the registering authority (1), the kind of entity (1), the
registering authority's administrative division (6 digits), the organisation code (9, itself
ending in a GB 11714 check character) and a check character. Letters I, O, Z, S and V are never
used, so that they cannot be mistaken for 1, 0, 2, 5 and U.

``uscc_is_valid`` checks the form and the final check character, which is what GB 32100 makes
every holder of a code able to verify. The organisation code's own check character is offered
separately (``organisation_code_is_valid``): a roster from another system may carry codes that
pass GB 32100 and were never meant to be read as GB 11714 codes, and refusing them would refuse
real enterprises.
"""

from __future__ import annotations

import re

# The 31 characters of GB 32100 in the order of their values 0…30.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18
_VALUE = {char: value for value, char in enumerate(USCC_ALPHABET)}
# Position i (from 1) weighs 3^(i-1) mod 31.
_WEIGHTS = tuple(pow(3, i, 31) for i in range(USCC_LENGTH - 1))
_FORM = re.compile(rf"^[{USCC_ALPHABET}]{{2}}\d{{6}}[{USCC_ALPHABET}]{{10}}$")

# GB 11714: eight body characters (digits and capitals, A = 10 … Z = 35) and a check character.
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORGANISATION_BODY = re.compile(r"^[0-9A-Z]{8}$")


def uscc_normalise(code: str) -> str:
    """The code as it is stored: no surrounding or inner spaces, capital letters."""
    return "".join((code or "").split()).upper()


def uscc_check_digit(first17: str) -> str:
    """The 18th character for the first 17 characters of a credit code.

    Raises ``ValueError`` when ``first17`` is not 17 characters of the GB 32100 alphabet.
    """
    if len(first17) != USCC_LENGTH - 1 or any(char not in _VALUE for char in first17):
        raise ValueError(f"not the first 17 characters of a credit code: {first17!r}")
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_is_valid(code: str) -> bool:
    """True when ``code`` (already normalised) has the GB 32100 form and its check character."""
    if not isinstance(code, str) or not _FORM.match(code):
        return False
    return uscc_check_digit(code[:17]) == code[17]


def organisation_code_check_digit(body: str) -> str:
    """The 9th character of a GB 11714 organisation code for its first eight characters."""
    if not _ORGANISATION_BODY.match(body):
        raise ValueError(f"not the first 8 characters of an organisation code: {body!r}")
    total = sum(
        int(char, 36) * weight for char, weight in zip(body, _ORGANISATION_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def organisation_code_is_valid(code: str) -> bool:
    """True when ``code`` is 9 characters ending in its GB 11714 check character."""
    if not isinstance(code, str) or len(code) != 9 or not _ORGANISATION_BODY.match(code[:8]):
        return False
    return organisation_code_check_digit(code[:8]) == code[8]
