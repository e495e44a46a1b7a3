"""The candidate's side of the store: start, resume, save answers, submit, delete.

Plain data in and out; every write is one transaction through `Store.write()`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core import codes
from core.consent import CONSULTANT_REVIEW, STORE_ANSWERS
from core.scoring import ScoreResult, score
from core.store import Store, utc_now
from core.suggestions import priority_of, reasons_for
from core.validation import clean_answer

# Answers copied onto the reflection row so the consultant queue needs no join.
DENORMALISED = ("company", "role", "stage_reached")


class UnknownCode(LookupError):
    """No candidate has this code (never issued, or their data was deleted)."""


@dataclass(frozen=True)
class Session:
    candidate_id: int
    reflection_id: int
    code: str | None = None  # only known right after it is issued


def _insert_reflection(conn: Any, candidate_id: int, campaign: Mapping[str, str]) -> int:
    now = utc_now()
    cur = conn.execute(
        "INSERT INTO reflections (candidate_id, created_at, updated_at, utm_source, "
        "utm_medium, utm_campaign, ref, consent_store_version, consent_store_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    return int(cur.lastrowid)


def start(store: Store, campaign: Mapping[str, str] | None = None) -> Session:
    """A new candidate with a fresh resume code and a first reflection.

    Only call once the candidate has given consent to store their answers.
    """
    code = codes.new_code()
    with store.write() as conn:
        cur = conn.execute(
            "INSERT INTO candidates (code_hash, created_at) VALUES (?, ?)",
            (codes.hash_code(code), utc_now()),
        )
        candidate_id = int(cur.lastrowid)
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
    store: Store, candidate_id: int, campaign: Mapping[str, str] | None = None
) -> int:
    with store.write() as conn:
        return _insert_reflection(conn, candidate_id, campaign or {})


def load_answers(store: Store, reflection_id: int) -> dict[str, Any]:
    with store.read() as conn:
        rows = conn.execute(
            "SELECT key, value FROM answers WHERE reflection_id = ?", (reflection_id,)
        ).fetchall()
    return {row["key"]: json.loads(row["value"]) for row in rows}


def save_answer(store: Store, reflection_id: int, key: str, value: Any) -> Any:
    """Validate and save one answer; return the cleaned value.

    Raises InvalidAnswer (nothing is written, the previous value stays) when refused.
    """
    cleaned = clean_answer(key, value)
    now = utc_now()
    with store.write() as conn:
        if cleaned is None or cleaned == "" or cleaned == []:
            conn.execute(
                "DELETE FROM answers WHERE reflection_id = ? AND key = ?", (reflection_id, key)
            )
        else:
            conn.execute(
                "INSERT INTO answers (reflection_id, key, value, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (reflection_id, key) "
                "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (reflection_id, key, json.dumps(cleaned, ensure_ascii=False), now),
            )
        column = key if key in DENORMALISED else None
        if column:
            conn.execute(
                f"UPDATE reflections SET updated_at = ?, {column} = ? WHERE id = ?",
                (now, cleaned or None, reflection_id),
            )
        else:
            conn.execute("UPDATE reflections SET updated_at = ? WHERE id = ?", (now, reflection_id))
    return cleaned


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
        result = score(load_answers(store, row["id"]))
        out.append(
            {
                **dict(row),
                "overall": result.overall,
                "band": result.band,
                "dimensions": result.dimensions,
            }
        )
    return out


def submit_for_review(
    store: Store, reflection_id: int, answers: Mapping[str, Any], asked_to_talk: bool = False
) -> ScoreResult:
    """Share the reflection with consultants, storing its scores, reasons and priority."""
    result = score(answers)
    reasons = reasons_for(result, answers, asked_to_talk=asked_to_talk)
    now = utc_now()
    dims = result.dimensions
    with store.write() as conn:
        conn.execute(
            "UPDATE reflections SET consent_review_version = ?, consent_review_at = ?, "
            "submitted_at = COALESCE(submitted_at, ?), updated_at = ?, overall = ?, band = ?, "
            "score_feedback = ?, score_connections = ?, score_options = ?, "
            "score_approach = ?, score_learning = ?, reasons_json = ?, reason_codes = ?, "
            "priority = ?, contact_requested = ? WHERE id = ?",
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
                reflection_id,
            ),
        )
    return result


def withdraw_review(store: Store, reflection_id: int) -> None:
    """Take the reflection back out of the consultant queue."""
    with store.write() as conn:
        conn.execute(
            "UPDATE reflections SET submitted_at = NULL, consent_review_version = NULL, "
            "consent_review_at = NULL, updated_at = ? WHERE id = ?",
            (utc_now(), reflection_id),
        )


def delete_candidate(store: Store, candidate_id: int) -> None:
    """Erase the candidate and everything under them; their code stops working."""
    with store.write() as conn:
        conn.execute("DELETE FROM candidates WHERE id = ?", (candidate_id,))
