"""Resume codes: 80 random bits shown as four groups of four readable characters.

Only a SHA-256 of the code is stored. With 80 bits of randomness a plain hash is
enough: there is nothing to gain from guessing against it.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 16  # 16 × 5 bits = 80 bits
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


class BadCode(ValueError):
    """A code that cannot be one of ours; the message is for the candidate."""


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise(typed: str) -> str:
    """Accept what people type: any case, spaces or dashes, O for 0, I or L for 1."""
    if not isinstance(typed, str) or len(typed) > 64:
        raise BadCode("That doesn't look like a resume code. It has 16 letters and digits.")
    compact = "".join(ch for ch in typed.upper() if ch not in " -\t\n").translate(_CONFUSABLE)
    if len(compact) != CODE_LENGTH or any(ch not in ALPHABET for ch in compact):
        raise BadCode(
            "That doesn't look like a resume code. It has 16 letters and digits, "
            "like 7K2M-Q9XD-4RTB-H8PW."
        )
    return format_code(compact)


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()
