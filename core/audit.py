"""The audit log and the clock it and every other timestamp run on.

Times are aware UTC datetimes from an injectable clock (a function), so throttling,
timeouts and retention can be tested without waiting. Stored, they are ISO text in UTC
at second precision (`stamp`): one shape everywhere, so stamps sort and compare as text.
Audit rows are written inside the caller's transaction, never with candidate text.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

Clock = Callable[[], dt.datetime]

AUDIT_ACTOR_MAX = 64


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """ISO text in UTC, second precision: sorts and compares correctly as text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def utc_now() -> str:
    """The stamp of this moment."""
    return stamp(system_clock())


def printable(text: str, limit: int) -> str:
    # Attacker-chosen usernames end up in the audit log: keep them short and one line.
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return kept[:limit]


def record(
    conn: Any,
    actor: str,
    action: str,
    reflection_id: int | None = None,
    detail: str = "",
    *,
    at: dt.datetime | None = None,
) -> None:
    """One audit row, written inside the caller's transaction. Never pass candidate text."""
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, reflection_id, detail) VALUES (?, ?, ?, ?, ?)",
        (
            stamp(at or system_clock()),
            printable(actor, AUDIT_ACTOR_MAX) or "(blank)",
            action,
            reflection_id,
            detail,
        ),
    )
