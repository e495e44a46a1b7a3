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


def resume_link(code: str, page_url: str | None = None, page_path: str = "") -> str:
    """The link that reopens a candidate's reflection.

    `page_url` is the address the browser shows (query and fragment are dropped, and
    the page's own `page_path` segment, so the link opens the app's front page). Without
    it the link is relative, `?resume=CODE`, which still works pasted after the app's
    address.
    """
    query = f"?resume={normalise(code)}"
    if not page_url or not page_url.startswith(("https://", "http://")):
        return query
    base = page_url.split("#", 1)[0].split("?", 1)[0]
    if page_path and base.rstrip("/").endswith("/" + page_path):
        base = base.rstrip("/")[: -len(page_path)]
    if not base.endswith("/"):
        base += "/"
    return base + query
