"""The one-time claim tickets and random tokens behind the app's two kinds of lasting
session (candidate devices, `core.devices`; consultant logins, `core.staff_sessions`).

Streamlit's session state dies with the tab. What survives a reload is an HttpOnly
cookie holding a random token, and a row holding only the token's SHA-256.

A cookie cannot be set from a script run, only from an HTTP response. So a row starts
with a one-time claim ticket (also stored only as a hash, valid for a few minutes);
the page trades the ticket for the cookie at a server route (`web.routes`), which draws
the token, stores its hash and answers with `Set-Cookie`. The token itself never
passes through a script run, the database, a log or the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from core.clock import parse_stamp

CLAIM_MINUTES = 5
TOKEN_BYTES = 32  # 256 random bits; at least 128 are needed
# secrets.token_urlsafe(32) is 43 characters of the URL-safe base64 alphabet.
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
KEEP_ENDED_DAYS = 7  # the audit log keeps the history; the rows are only needed briefly


def new_secret() -> str:
    """A fresh token or claim ticket: 256 random bits, URL-safe text."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def well_formed(value: object) -> bool:
    return isinstance(value, str) and bool(_TOKEN_RE.fullmatch(value))


def hash_secret(value: str) -> str:
    # 256 random bits need no salt or slow hash: there is nothing to guess against.
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Claimed:
    """What a claim route needs to answer: the new token (for the cookie only) and mode."""

    token: str
    row_id: int
    embedded: bool


def live_claim(conn: Any, table: str, ended: str, ticket: str, now: dt.datetime) -> Any:
    """The row holding this unexpired, unspent claim ticket, or None. `table` and `ended`
    are one of two fixed pairs written in `core.devices` and `core.staff_sessions`, never
    outside input."""
    row = conn.execute(
        f"SELECT * FROM {table} WHERE claim_hash = ? AND {ended} IS NULL",
        (hash_secret(ticket),),
    ).fetchone()
    if row is None or parse_stamp(row["claim_expires_at"]) <= now:
        return None
    return row
