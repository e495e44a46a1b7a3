"""What consultants do with a submitted reflection: read it, note, change status, assign.

Every view and change is written to `audit_log` in the same transaction as the change
(actor, action, reflection id; never candidate or note text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from core import accounts
from core.audit import record as audit
from core.clock import Clock, stamp, system_clock
from core.staff_sessions import StaffSession
from core.store import Store
from core.validation import InvalidAnswer, clean_text

NOTE_MAX = 4000
# The review statuses, in their usual order, and how consultants read them. The CHECK
# on reflections.review_status (migration 0001) lists the same tuple; a test keeps it so.
STATUS_LABELS: dict[str, str] = {
    "new": "New",
    "in_progress": "In progress",
    "contacted": "Contacted",
    "closed": "Closed",
}
REVIEW_STATUSES: tuple[str, ...] = tuple(STATUS_LABELS)


class NotFound(LookupError):
    """No submitted reflection with that id (never submitted, withdrawn or deleted)."""


def submitted_reflection(store: Store, reflection_id: int) -> dict[str, Any]:
    """The reflection row, only if the candidate shared it for review."""
    with store.read() as conn:
        row = conn.execute(
            "SELECT r.*, a.display_name AS assignee_display, a.username AS assignee_user "
            "FROM reflections r LEFT JOIN consultants a ON a.id = r.assignee_id "
            "WHERE r.id = ? AND r.submitted_at IS NOT NULL",
            (reflection_id,),
        ).fetchone()
    if row is None:
        raise NotFound(
            "This reflection isn't available: the candidate may have withdrawn it or "
            "deleted their data."
        )
    return dict(row)


def record_view(
    store: Store, session: StaffSession, reflection_id: int, clock: Clock = system_clock
) -> None:
    with store.write() as conn:
        audit(conn, session.username, "view", reflection_id, at=clock())


def record_export(
    store: Store,
    session: StaffSession,
    what: str,
    reflection_id: int | None = None,
    clock: Clock = system_clock,
) -> None:
    with store.write() as conn:
        audit(conn, session.username, "export", reflection_id, detail=what, at=clock())


def audited_download(
    store: Store,
    session: StaffSession,
    what: str,
    build: Callable[[], bytes],
    reflection_id: int | None = None,
    clock: Clock = system_clock,
    *,
    still_live: Callable[[], None],
) -> Callable[[], bytes]:
    """`data` for st.download_button: Streamlit calls it on each click (a deferred
    download), so every download is audited before its bytes exist, and nothing is
    built or sent for a page view alone.

    The click runs no page script, so `still_live` checks the consultant's session
    first (it raises `staff_sessions.SessionEnded`): an ended session gets no audit
    row and no bytes, whatever its open tab still shows."""

    def produce() -> bytes:
        still_live()
        record_export(store, session, what, reflection_id, clock)
        return build()

    return produce


def _require_submitted(conn: Any, reflection_id: int) -> Any:
    row = conn.execute(
        "SELECT id, review_status, assignee_id FROM reflections "
        "WHERE id = ? AND submitted_at IS NOT NULL",
        (reflection_id,),
    ).fetchone()
    if row is None:
        raise NotFound("This reflection is no longer available, so nothing was changed.")
    return row


def add_note(
    store: Store,
    session: StaffSession,
    reflection_id: int,
    body: object,
    clock: Clock = system_clock,
) -> int:
    """Add a note to the thread. Raises ValueError (message for the form) when refused."""
    try:
        text = clean_text(body, NOTE_MAX, "The note")
    except InvalidAnswer as exc:
        raise ValueError(str(exc)) from exc
    if not text.strip():
        raise ValueError("The note is empty. Write something before adding it.")
    now = clock()
    with store.write() as conn:
        _require_submitted(conn, reflection_id)
        cur = conn.execute(
            "INSERT INTO notes (reflection_id, consultant_id, body, created_at) "
            "VALUES (?, ?, ?, ?) RETURNING id",
            (reflection_id, session.consultant_id, text, stamp(now)),
        )
        note_id = int(cur.fetchone()[0])
        audit(conn, session.username, "note_added", reflection_id, at=now)
        return note_id


def notes(store: Store, reflection_id: int) -> list[dict[str, Any]]:
    """The notes thread, oldest first, each with its author's name."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT n.id, n.body, n.created_at, c.display_name, c.username FROM notes n "
            "LEFT JOIN consultants c ON c.id = n.consultant_id "
            "WHERE n.reflection_id = ? ORDER BY n.created_at, n.id",
            (reflection_id,),
        ).fetchall()
    return [
        {
            "id": r["id"],
            "body": r["body"],
            "created_at": r["created_at"],
            "author": r["display_name"] or r["username"] or "A former consultant",
        }
        for r in rows
    ]


def change_status(
    store: Store,
    session: StaffSession,
    reflection_id: int,
    to_status: str,
    clock: Clock = system_clock,
) -> bool:
    """Move the reflection to `to_status`, keeping history. False when it already was."""
    if to_status not in STATUS_LABELS:
        raise ValueError("Please choose one of the listed statuses.")
    now = clock()
    with store.write() as conn:
        row = _require_submitted(conn, reflection_id)
        if row["review_status"] == to_status:
            return False
        conn.execute(
            "UPDATE reflections SET review_status = ? WHERE id = ?", (to_status, reflection_id)
        )
        conn.execute(
            "INSERT INTO status_changes (reflection_id, consultant_id, from_status, to_status, "
            "at) VALUES (?, ?, ?, ?, ?)",
            (reflection_id, session.consultant_id, row["review_status"], to_status, stamp(now)),
        )
        audit(
            conn,
            session.username,
            "status_changed",
            reflection_id,
            detail=f"{row['review_status']} -> {to_status}",
            at=now,
        )
    return True


def set_follow_up(
    store: Store,
    session: StaffSession,
    reflection_id: int,
    day: dt.date | None,
    clock: Clock = system_clock,
) -> None:
    """Set (or clear, with None) the date to follow this candidate up; audited."""
    now = clock()
    with store.write() as conn:
        _require_submitted(conn, reflection_id)
        value = day.isoformat() if day else None
        conn.execute("UPDATE reflections SET follow_up_on = ? WHERE id = ?", (value, reflection_id))
        audit(
            conn,
            session.username,
            "follow_up_set",
            reflection_id,
            detail=value or "cleared",
            at=now,
        )


# The candidate's own steps, recorded in the status history by core.journey.
CANDIDATE_EVENTS: dict[str, str] = {
    "shared": "The candidate shared their reflection",
    "updated": "The candidate sent their latest answers (what you read now)",
    "withdrawn": "The candidate withdrew their answers",
}


def status_history(store: Store, reflection_id: int) -> list[dict[str, Any]]:
    """Status changes by consultants and the candidate's sharing steps, oldest first.

    Each entry has `kind` ("status" for a consultant's change) and `event`, a sentence
    for the candidate's steps ("" for status changes).
    """
    with store.read() as conn:
        rows = conn.execute(
            "SELECT s.from_status, s.to_status, s.at, s.kind, c.display_name, c.username "
            "FROM status_changes s LEFT JOIN consultants c ON c.id = s.consultant_id "
            "WHERE s.reflection_id = ? ORDER BY s.id",
            (reflection_id,),
        ).fetchall()
    return [
        {
            "from": r["from_status"],
            "to": r["to_status"],
            "from_label": STATUS_LABELS.get(r["from_status"], r["from_status"]),
            "to_label": STATUS_LABELS.get(r["to_status"], r["to_status"]),
            "at": r["at"],
            "kind": r["kind"],
            "event": CANDIDATE_EVENTS.get(r["kind"], ""),
            "by": (
                "the candidate"
                if r["kind"] in CANDIDATE_EVENTS
                else r["display_name"] or r["username"] or "A former consultant"
            ),
        }
        for r in rows
    ]


def assign(
    store: Store,
    session: StaffSession,
    reflection_id: int,
    assignee_id: int | None,
    clock: Clock = system_clock,
) -> None:
    """Assign to a consultant (None: unassign). Only active consultants can be chosen."""
    now = clock()
    with store.write() as conn:
        _require_submitted(conn, reflection_id)
        who = "nobody"
        if assignee_id is not None:
            target = conn.execute(
                "SELECT username, disabled FROM consultants WHERE id = ?", (assignee_id,)
            ).fetchone()
            if target is None or target["disabled"]:
                raise ValueError("That colleague can't take reflections at the moment.")
            who = target["username"]
        conn.execute(
            "UPDATE reflections SET assignee_id = ? WHERE id = ?", (assignee_id, reflection_id)
        )
        audit(conn, session.username, "assigned", reflection_id, detail=f"to {who}", at=now)


def audit_trail(store: Store, reflection_id: int) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(
            "SELECT at, actor, action, detail FROM audit_log WHERE reflection_id = ? "
            "ORDER BY at, id",
            (reflection_id,),
        ).fetchall()
    return [dict(r) for r in rows]


def colleagues(store: Store) -> list[dict[str, Any]]:
    return [
        {"id": c["id"], "name": accounts.display_name(c)}
        for c in accounts.active_consultants(store)
    ]


def age_text(iso: str | None, now: dt.datetime | None = None) -> str:
    """'3 days ago'-style text for a stored timestamp."""
    if not iso:
        return ""
    then = dt.datetime.fromisoformat(iso)
    if then.tzinfo is None:
        then = then.replace(tzinfo=dt.UTC)
    delta = (now or system_clock()) - then
    days = delta.days
    if days >= 2:
        return f"{days} days ago"
    if days == 1:
        return "yesterday"
    hours = delta.seconds // 3600
    if hours >= 1:
        return f"{hours} h ago"
    return "just now"
