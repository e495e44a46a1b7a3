"""The past reflections the patterns read: one candidate's, each with its answers."""

from __future__ import annotations

import datetime as dt

from core import journey
from core.patterns import PastReflection
from core.store import Store


def load(store: Store, candidate_id: int, *, up_to: int | None = None) -> list[PastReflection]:
    """Every reflection of the candidate, oldest first; with `up_to`, only those created
    up to and including that reflection (none if it is not one of theirs), so a shared
    reflection's patterns stop where it was made."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT id, created_at FROM reflections WHERE candidate_id = ? ORDER BY created_at, id",
            (candidate_id,),
        ).fetchall()
    order = [(str(row["created_at"] or ""), int(row["id"])) for row in rows]
    if up_to is not None:
        last = next((place for place in order if place[1] == up_to), None)
        if last is None:
            return []
        order = [place for place in order if place <= last]
    return [
        PastReflection(
            reflection_id=reflection_id,
            started=dt.date.fromisoformat(created_at[:10]),
            answers=journey.load_answers(store, reflection_id),
        )
        for created_at, reflection_id in order
    ]
