"""Tracking numbers: ``LPR-XXXXX-XXXXX``, nine random characters and a check character.

The alphabet is Crockford's base 32 (no I, L, O or U), so a number read aloud or typed on a
phone is hard to get wrong, and on input O is read as 0 and I or L as 1. The last character is a
Luhn mod 32 check: any single mistyped character and any swap of two neighbours is caught before
the database is asked.

Why nine random characters and not seven (``LPR-7K3Q-9M2X``): 32^7 is 3.4e10 numbers. With ten
million reports a year a blind guess would hit a real report about once in 3,400 tries, which a
botnet does in seconds. 32^9 = 3.5e13 makes that once in 3.5 million.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
N = len(ALPHABET)
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
PREFIX = "LPR"
RANDOM_LENGTH = 9
PATTERN = re.compile(r"^LPR-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


class TrackingError(ValueError):
    """The text is not a well-formed tracking number (``reason`` says which way)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_character(body: str) -> str:
    """Luhn mod N over the body (the algorithm of ISO/IEC 7812, generalised to base 32)."""
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * _INDEX[char]
        addend = addend // N + addend % N
        total += addend
        factor = 1 if factor == 2 else 2
    return ALPHABET[(N - total % N) % N]


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    full = body + check_character(body)
    return f"{PREFIX}-{full[:5]}-{full[5:]}"


def normalize(text: str) -> str:
    """Canonical form of what a citizen typed, or TrackingError.

    Accepts lower case, spaces, missing dashes, a missing prefix and the confusable letters.
    Raises TrackingError("format") when it cannot be a number and TrackingError("check") when
    the check character does not match (a typing mistake)."""
    compact = re.sub(r"[\s\-_.]", "", (text or "").upper())
    if compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    compact = compact.translate(_CONFUSABLE)
    if len(compact) != RANDOM_LENGTH + 1 or any(c not in _INDEX for c in compact):
        raise TrackingError("format")
    if check_character(compact[:-1]) != compact[-1]:
        raise TrackingError("check")
    return f"{PREFIX}-{compact[:5]}-{compact[5:]}"


def is_valid(text: str) -> bool:
    try:
        normalize(text)
    except TrackingError:
        return False
    return True
