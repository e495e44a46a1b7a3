"""The candidate's side of the store: start, resume, save answers, submit, delete.

Plain data in and out; every write is one transaction through `Store.write()`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core import codes, outbox, targets
from core.clock import now_stamp, stamp, system_clock
from core.consent import CONSULTANT_REVIEW, PATTERNS_SHARE, STORE_ANSWERS
from core.contact import queue_as_contact_request
from core.limits import ClientLimit, Wait, budget_for, take_or_refuse
from core.scoring import ScoreResult, score
from core.store import Store
from core.suggestions import priority_of, reasons_for
from core.validation import clean_answer, is_blank

# Answers copied onto the reflection row so the consultant queue needs no join.
DENORMALISED = ("company", "role", "stage_reached")


class UnknownCode(LookupError):
    """No candidate has this code (never issued, or their data was deleted)."""


class TooMany(RuntimeError):
    """A cap on anonymous writes was reached; `str(exc)` is the message for the candidate."""


# Anyone can start a reflection without logging in, so starts are capped.
MAX_NEW_REFLECTIONS_PER_DAY = 10
TOO_MANY_REFLECTIONS = (
    f"You've started {MAX_NEW_REFLECTIONS_PER_DAY} reflections in the last day, which is our "
    "limit. Your earlier ones are all kept: carry on with the latest, or start a new one "
    "tomorrow."
)
TOO_MANY_STARTS = (
    "A lot of people are starting at the moment. Please wait a minute and try again; "
    "nothing is lost by waiting."
)
TOO_MANY_STARTS_HERE = (
    "Several reflections have just been started from your network. Please wait a minute "
    "and try again; nothing is lost by waiting."
)

# Starts (a new candidate, or a new reflection under a code) per minute: per client (one
# address, or one IPv6 /64), so a script can't spend the budget for everyone; and a
# ceiling for the whole process that only many clients together can reach. A class or an
# office behind one address fits in the first.
STARTS_PER_CLIENT_PER_MINUTE = 20
STARTS_PER_MINUTE = 600


def new_candidates(store: Store) -> ClientLimit:
    """The start budget of this process for this store."""
    return budget_for(
        store,
        "new candidates",
        lambda: ClientLimit(STARTS_PER_CLIENT_PER_MINUTE, STARTS_PER_MINUTE, window=60.0),
    )


def _too_many_starts(wait: Wait) -> TooMany:
    return TooMany(TOO_MANY_STARTS if wait.everyone else TOO_MANY_STARTS_HERE)


@dataclass(frozen=True)
class Session:
    candidate_id: int
    reflection_id: int
    code: str | None = None  # only known right after it is issued


def _insert_reflection(conn: Any, candidate_id: int, campaign: Mapping[str, str]) -> int:
    now = now_stamp()
    cur = conn.execute(
        "INSERT INTO reflections (candidate_id, created_at, updated_at, utm_source, "
        "utm_medium, utm_campaign, ref, consent_store_version, consent_store_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            candidate_id,
            now,
            now,
            campaign.get("utm_source"),
            campaign.get("utm_medium"),
            campaign.get("utm_campaign"),
            campaign.get("ref"),
            STORE_ANSWERS.version,
            now,
        ),
    )
    return int(cur.fetchone()[0])


def start(
    store: Store,
    campaign: Mapping[str, str] | None = None,
    *,
    client: str,
    limit: ClientLimit | None = None,
) -> Session:
    """A new candidate with a fresh resume code and a first reflection.

    Only call once the candidate has given consent to store their answers. The start
    counts against `client`'s budget (see `core.limits.client_key`; `limit`, by default
    `new_candidates(store)`) and raises TooMany, nothing written, once it or the
    process-wide ceiling is reached. The command line and tests pass `limits.UNLIMITED`.
    """
    take_or_refuse(limit or new_candidates(store), client, _too_many_starts)
    code = codes.new_code()
    with store.write() as conn:
        cur = conn.execute(
            "INSERT INTO candidates (code_hash, created_at) VALUES (?, ?) RETURNING id",
            (codes.hash_code(code), now_stamp()),
        )
        candidate_id = int(cur.fetchone()[0])
        reflection_id = _insert_reflection(conn, candidate_id, campaign or {})
    return Session(candidate_id, reflection_id, code)


def resume(store: Store, typed_code: str) -> Session:
    """The candidate's latest reflection. Raises BadCode or UnknownCode with a message."""
    code_hash = codes.hash_code(typed_code)
    with store.read() as conn:
        row = conn.execute(
            "SELECT c.id AS candidate_id, r.id AS reflection_id FROM candidates c "
            "JOIN reflections r ON r.candidate_id = c.id WHERE c.code_hash = ? "
            "ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
            (code_hash,),
        ).fetchone()
    if row is None:
        raise UnknownCode(
            "We couldn't find any answers for that code. Check it for typos; if you "
            "deleted your data, it can't be brought back, but you can start afresh."
        )
    return Session(row["candidate_id"], row["reflection_id"])


def new_reflection(
    store: Store,
    candidate_id: int,
    campaign: Mapping[str, str] | None = None,
    *,
    client: str,
    limit: ClientLimit | None = None,
) -> int:
    """Another reflection under the same code; TooMany past MAX_NEW_REFLECTIONS_PER_DAY,
    or past `client`'s starts (the budget `start` counts too)."""
    take_or_refuse(limit or new_candidates(store), client, _too_many_starts)
    since = stamp(system_clock() - dt.timedelta(days=1))
    with store.write() as conn:
        recent = conn.execute(
            "SELECT COUNT(*) FROM reflections WHERE candidate_id = ? AND created_at >= ?",
            (candidate_id, since),
        ).fetchone()[0]
        if recent >= MAX_NEW_REFLECTIONS_PER_DAY:
            raise TooMany(TOO_MANY_REFLECTIONS)
        return _insert_reflection(conn, candidate_id, campaign or {})


def load_answers(store: Store, reflection_id: int) -> dict[str, Any]:
    with store.read() as conn:
        rows = conn.execute(
            "SELECT key, value FROM answers WHERE reflection_id = ?", (reflection_id,)
        ).fetchall()
    return {row["key"]: json.loads(row["value"]) for row in rows}


@dataclass(frozen=True)
class Saved:
    value: Any  # the answer as cleaned and stored
    changed: bool  # False when it was already stored exactly so (nothing was written)


def save_answer(store: Store, reflection_id: int, key: str, value: Any) -> Any:
    """Validate and save one answer; return the cleaned value (see `store_answer`)."""
    return store_answer(store, reflection_id, key, value).value


class AnswerChanged(RuntimeError):
    """The stored answer is no longer the one the caller read (see `store_answer`)."""


_UNCHECKED = object()


def store_answer(
    store: Store, reflection_id: int, key: str, value: Any, *, if_still: Any = _UNCHECKED
) -> Saved:
    """Validate and save one answer, saying whether anything changed.

    Raises InvalidAnswer (nothing is written, the previous value stays) when refused.
    Callers pass what the candidate typed and let this decide: no checking or comparing
    beforehand. An answer equal to the stored one writes nothing, so a redraw or a
    repeated edit never moves `updated_at`.

    `if_still` (the value as the caller read it; None for no answer) makes the save
    conditional, checked inside the same transaction: if the stored answer has changed
    since, nothing is written and AnswerChanged is raised.
    """
    cleaned = clean_answer(key, value)
    now = now_stamp()
    stored = None if is_blank(cleaned) else json.dumps(cleaned, ensure_ascii=False)
    with store.write() as conn:
        before = conn.execute(
            "SELECT value FROM answers WHERE reflection_id = ? AND key = ?", (reflection_id, key)
        ).fetchone()
        if if_still is not _UNCHECKED:
            current = json.loads(before["value"]) if before else None
            if current != if_still:
                raise AnswerChanged(f"The answer {key!r} changed since it was read.")
        if (before["value"] if before else None) == stored:
            return Saved(cleaned, changed=False)
        if is_blank(cleaned):
            conn.execute(
                "DELETE FROM answers WHERE reflection_id = ? AND key = ?", (reflection_id, key)
            )
        else:
            conn.execute(
                "INSERT INTO answers (reflection_id, key, value, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (reflection_id, key) "
                "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (reflection_id, key, stored, now),
            )
        column = key if key in DENORMALISED else None
        if column:
            # Once in the consultant queue the row shows what was shared, not live edits.
            conn.execute(
                f"UPDATE reflections SET updated_at = ?, {column} = CASE WHEN submitted_at "
                f"IS NULL THEN ? ELSE {column} END WHERE id = ?",
                (now, None if is_blank(cleaned) else cleaned, reflection_id),
            )
        else:
            conn.execute("UPDATE reflections SET updated_at = ? WHERE id = ?", (now, reflection_id))
    return Saved(cleaned, changed=True)


def reflection(store: Store, reflection_id: int) -> dict[str, Any] | None:
    with store.read() as conn:
        row = conn.execute("SELECT * FROM reflections WHERE id = ?", (reflection_id,)).fetchone()
    return dict(row) if row else None


def history(store: Store, candidate_id: int) -> list[dict[str, Any]]:
    """Every reflection of this candidate, oldest first, each with its current score."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT id, created_at, company, role FROM reflections WHERE candidate_id = ? "
            "ORDER BY created_at, id",
            (candidate_id,),
        ).fetchall()
    out = []
    for row in rows:
        answers = load_answers(store, row["id"])
        result = score(answers)
        out.append(
            {
                **dict(row),
                # Their own answers, not the copy shown to consultants.
                "company": answers.get("company"),
                "role": answers.get("role"),
                "overall": result.overall,
                "band": result.band,
                "dimensions": result.dimensions,
            }
        )
    return out


def is_shared(reflection_row: Mapping[str, Any] | None) -> bool:
    """Did the candidate share this reflection's answers (not only ask to be contacted)?"""
    return bool(reflection_row) and reflection_row.get("shared_answers_json") is not None


def shared_answers(reflection_row: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as they were when last shared: what consultants read. {} if none."""
    try:
        value = json.loads(reflection_row.get("shared_answers_json") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def shared_patterns(reflection_row: Mapping[str, Any]) -> dict[str, Any] | None:
    """The candidate's "what keeps coming up" as shared with this reflection, or None."""
    try:
        value = json.loads(reflection_row.get("shared_patterns_json") or "null")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _history_entry(conn: Any, reflection_id: int, kind: str, now: str) -> None:
    # The candidate's own steps (sharing, re-sending, withdrawing) sit in the status
    # history beside consultants' changes, with no consultant and the status unchanged.
    conn.execute(
        "INSERT INTO status_changes (reflection_id, consultant_id, from_status, to_status, at, "
        "kind) SELECT id, NULL, review_status, review_status, ?, ? FROM reflections WHERE id = ?",
        (now, kind, reflection_id),
    )


def submit_for_review(
    store: Store,
    reflection_id: int,
    answers: Mapping[str, Any],
    asked_to_talk: bool = False,
    *,
    patterns: Mapping[str, Any] | None = None,
) -> ScoreResult:
    """Share the reflection with consultants: a snapshot of these answers, their scores,
    reasons and priority. Consultants read the snapshot, so later edits stay private
    until the candidate shares again ("Send my latest answers" calls this again, which
    replaces the snapshot and notes it in the status history).

    `patterns` is "what keeps coming up" (`core.patterns.Patterns.to_snapshot()`), given
    only when the candidate ticked to include it; sharing without it takes any earlier
    copy back.
    """
    result = score(answers)
    reasons = reasons_for(result, answers, asked_to_talk=asked_to_talk)
    now = now_stamp()
    dims = result.dimensions
    snapshot = json.dumps(dict(answers), ensure_ascii=False, sort_keys=True)
    patterns_snapshot = (
        None if patterns is None else json.dumps(dict(patterns), ensure_ascii=False, sort_keys=True)
    )
    with store.write() as conn:
        before = conn.execute(
            "SELECT shared_answers_json FROM reflections WHERE id = ?", (reflection_id,)
        ).fetchone()
        conn.execute(
            "UPDATE reflections SET consent_review_version = ?, consent_review_at = ?, "
            "submitted_at = COALESCE(submitted_at, ?), updated_at = ?, overall = ?, band = ?, "
            "score_feedback = ?, score_connections = ?, score_options = ?, "
            "score_approach = ?, score_learning = ?, reasons_json = ?, reason_codes = ?, "
            "priority = ?, contact_requested = ?, shared_answers_json = ?, company = ?, "
            "role = ?, stage_reached = ? WHERE id = ?",
            (
                CONSULTANT_REVIEW.version,
                now,
                now,
                now,
                result.overall,
                result.band,
                dims["feedback"],
                dims["connections"],
                dims["options"],
                dims["approach"],
                dims["learning"],
                json.dumps([r.as_dict() for r in reasons]),
                " ".join(r.code for r in reasons),
                priority_of(reasons),
                int(asked_to_talk),
                snapshot,
                *(answers.get(column) or None for column in DENORMALISED),
                reflection_id,
            ),
        )
        conn.execute(
            "UPDATE reflections SET shared_patterns_json = ?, consent_patterns_version = ?, "
            "consent_patterns_at = ? WHERE id = ?",
            (
                patterns_snapshot,
                None if patterns_snapshot is None else PATTERNS_SHARE.version,
                None if patterns_snapshot is None else now,
                reflection_id,
            ),
        )
        if before is not None:
            shared_before = before["shared_answers_json"] is not None
            _history_entry(conn, reflection_id, "updated" if shared_before else "shared", now)
            if not shared_before:
                # The first share is news to consultants; "send my latest answers" is not.
                outbox.enqueue(
                    conn,
                    event=outbox.SHARED,
                    reflection_id=reflection_id,
                    reason_codes=[r.code for r in reasons],
                    now=now,
                )
                # Its response target starts now (one an earlier contact request set stays
                # if it is sooner).
                targets.set_respond_by(
                    conn, reflection_id, arrived=now, reason_codes=[r.code for r in reasons]
                )
    return result


def withdraw_review(store: Store, reflection_id: int) -> None:
    """Take the answers back from consultants: the snapshot, scores and reasons go.

    A contact request the candidate made stays with consultants (it has its own
    consent), so the reflection then stays in the queue as a contact request only.
    """
    now = now_stamp()
    with store.write() as conn:
        asked = conn.execute(
            "SELECT 1 FROM contact_requests WHERE reflection_id = ? LIMIT 1", (reflection_id,)
        ).fetchone()
        _history_entry(conn, reflection_id, "withdrawn", now)
        conn.execute(
            "UPDATE reflections SET shared_answers_json = NULL, consent_review_version = NULL, "
            "consent_review_at = NULL, shared_patterns_json = NULL, "
            "consent_patterns_version = NULL, consent_patterns_at = NULL, updated_at = ?, "
            "overall = NULL, band = NULL, "
            "score_feedback = NULL, score_connections = NULL, score_options = NULL, "
            "score_approach = NULL, score_learning = NULL, company = NULL, role = NULL, "
            "stage_reached = NULL WHERE id = ?",
            (now, reflection_id),
        )
        if asked:
            queue_as_contact_request(conn, reflection_id)
        else:
            conn.execute(
                "UPDATE reflections SET submitted_at = NULL, reasons_json = '[]', "
                "reason_codes = '', priority = 0, contact_requested = 0, respond_by = NULL "
                "WHERE id = ?",
                (reflection_id,),
            )
            # Back to a private draft: the row mirrors the candidate's own answers again.
            own = {
                row["key"]: json.loads(row["value"])
                for row in conn.execute(
                    "SELECT key, value FROM answers WHERE reflection_id = ?", (reflection_id,)
                ).fetchall()
                if row["key"] in DENORMALISED
            }
            conn.execute(
                f"UPDATE reflections SET {', '.join(f'{c} = ?' for c in DENORMALISED)} "
                "WHERE id = ?",
                (*(own.get(column) for column in DENORMALISED), reflection_id),
            )


# Where a candidate's text can be: the rows deleting a candidate removes (by cascade).
ERASED_TABLES = (
    "candidates",
    "reflections",
    "answers",
    "contact_requests",
    "notes",
    "status_changes",
    "device_tokens",
)


def delete_candidate(store: Store, candidate_id: int) -> None:
    """Erase the candidate and everything under them; their code stops working."""
    with store.write() as conn:
        conn.execute("DELETE FROM candidates WHERE id = ?", (candidate_id,))
    store.after_erasure(ERASED_TABLES)
