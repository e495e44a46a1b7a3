"""The audit log: who did what to which reflection, and when.

Rows are written inside the caller's transaction, never with candidate text. Times come
from the one clock (`core/clock.py`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from core.clock import stamp, system_clock

AUDIT_ACTOR_MAX = 64


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
