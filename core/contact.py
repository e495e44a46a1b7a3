"""A candidate's request to be contacted by a consultant: checked, then stored whole.

Every problem is reported per field so the page can show each message next to its
input, and nothing is written unless all of it is acceptable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from core import outbox, targets
from core.clock import now_stamp
from core.consent import CONTACT_ME
from core.limits import ClientLimit, Wait, budget_for, take_or_refuse
from core.reasons import ASKED_TO_TALK as ASKED_TO_TALK_ROW
from core.reasons import Reason
from core.store import Store
from core.validation import InvalidAnswer, clean_text

NAME_MAX = 120
EMAIL_MAX = 254
PHONE_MAX = 30
MESSAGE_MAX = 1000
# Enough for a change of number or a follow-up; more is someone filling our database.
MAX_REQUESTS_PER_REFLECTION = 5
TOO_MANY_REQUESTS = (
    f"We already have {MAX_REQUESTS_PER_REFLECTION} requests from you for this reflection, "
    "so we won't store another. A consultant will be in touch; if something has changed, "
    "mention it when they do, or use the e-mail address or phone number above."
)
# Per client (see `core.limits`), so one script can't fill the queue from many reflections,
# and a ceiling for the process that only many clients together reach.
REQUESTS_PER_CLIENT_PER_MINUTE = 10
REQUESTS_PER_MINUTE = 300
TOO_MANY_REQUESTS_HERE = (
    "Several requests have just come from your network. Please wait a minute and send it "
    "again; what you typed is still here."
)
TOO_MANY_REQUESTS_NOW = (
    "A lot of people are asking to be contacted at the moment. Please wait a minute and "
    "send it again; what you typed is still here."
)


def _too_many_requests(wait: Wait) -> ContactInvalid:
    return ContactInvalid(
        {"form": TOO_MANY_REQUESTS_NOW if wait.everyone else TOO_MANY_REQUESTS_HERE}
    )


def contact_requests(store: Store) -> ClientLimit:
    """The contact-request budget of this process for this store."""
    return budget_for(
        store,
        "contact requests",
        lambda: ClientLimit(REQUESTS_PER_CLIENT_PER_MINUTE, REQUESTS_PER_MINUTE, window=60.0),
    )


# A contact request ranks in the queue exactly like a shared reflection whose candidate
# asked to talk: the reason is that row of the reasons table.
ASKED_TO_TALK: Reason = ASKED_TO_TALK_ROW.reason()
PREFERRED_TIME_MAX = 120

CHANNELS: tuple[tuple[str, str], ...] = (
    ("email", "E-mail"),
    ("phone", "Phone call"),
    ("either", "Either is fine"),
)

# Deliberately modest: one @, a dot in the domain, no spaces or angle brackets.
EMAIL_RE = re.compile(r"^[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\"]{2,}$")
PHONE_CHARS_RE = re.compile(r"^\+?[0-9 ()./-]+$")


class ContactInvalid(ValueError):
    """The request was refused; `errors` maps each field to the message to show beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class ContactRequest:
    name: str
    email: str | None
    phone: str | None
    channel: str
    message: str = ""
    preferred_time: str = ""


def _text(errors: dict[str, str], key: str, value: object, limit: int, label: str) -> str:
    try:
        return clean_text(value, limit, label).strip()
    except InvalidAnswer as exc:
        errors[key] = str(exc)
        return ""


def validate(
    name: object,
    email: object,
    phone: object,
    channel: object,
    message: object,
    consent: bool,
    preferred_time: object = "",
) -> ContactRequest:
    """A clean request, or ContactInvalid naming every field that needs another look."""
    errors: dict[str, str] = {}
    clean_name = _text(errors, "name", name, NAME_MAX, "Your name")
    clean_email = _text(errors, "email", email, EMAIL_MAX, "E-mail")
    clean_phone = _text(errors, "phone", phone, PHONE_MAX, "Phone")
    clean_message = _text(errors, "message", message, MESSAGE_MAX, "Your message")
    clean_time = _text(errors, "time", preferred_time, PREFERRED_TIME_MAX, "Best time")
    if not clean_name and "name" not in errors:
        errors["name"] = "Please tell us what to call you."
    if clean_email and not EMAIL_RE.match(clean_email):
        errors["email"] = "That e-mail address doesn't look complete, e.g. name@example.com."
    if clean_phone:
        digits = sum(ch.isdigit() for ch in clean_phone)
        if not PHONE_CHARS_RE.match(clean_phone) or not 7 <= digits <= 15:
            errors["phone"] = (
                "That phone number doesn't look right. Use digits, spaces and an optional "
                "leading +, e.g. +44 20 7946 0000."
            )
    if not clean_email and not clean_phone and not {"email", "phone"} & errors.keys():
        errors["email"] = "Please give an e-mail address or a phone number so we can reach you."
    allowed = {key for key, _ in CHANNELS}
    if channel not in allowed:
        errors["channel"] = "Please choose how you'd like us to get in touch."
    elif channel == "email" and not clean_email and "email" not in errors:
        errors["email"] = "You chose e-mail, so we'll need your e-mail address."
    elif channel == "phone" and not clean_phone and "phone" not in errors:
        errors["phone"] = "You chose a phone call, so we'll need your number."
    if not consent:
        errors["consent"] = "Please tick the box so a consultant is allowed to contact you."
    if errors:
        raise ContactInvalid(errors)
    return ContactRequest(
        clean_name,
        clean_email or None,
        clean_phone or None,
        str(channel),
        clean_message,
        clean_time,
    )


def save_request(
    store: Store,
    reflection_id: int,
    request: ContactRequest,
    *,
    client: str,
    limit: ClientLimit | None = None,
) -> int:
    """Store the request with the consent wording's version and time, in one transaction.

    The request reaches consultants at once. A shared reflection moves up the queue as
    "asked to talk" (its snapshot of answers is left as it was). One not shared joins
    the queue as a contact request: contact details and message only, no answers,
    ranked like "asked to talk". Raises ContactInvalid (key "form") past the cap, or
    past `client`'s budget (`limit`, by default `contact_requests(store)`; the command
    line and tests pass `limits.UNLIMITED`).
    """
    take_or_refuse(limit or contact_requests(store), client, _too_many_requests)
    now = now_stamp()
    with store.write() as conn:
        count = conn.execute(
            "SELECT COUNT(*) FROM contact_requests WHERE reflection_id = ?", (reflection_id,)
        ).fetchone()[0]
        if count >= MAX_REQUESTS_PER_REFLECTION:
            raise ContactInvalid({"form": TOO_MANY_REQUESTS})
        cur = conn.execute(
            "INSERT INTO contact_requests (reflection_id, name, email, phone, channel, "
            "message, consent_version, consent_at, created_at, preferred_time) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                reflection_id,
                request.name,
                request.email,
                request.phone,
                request.channel,
                request.message,
                CONTACT_ME.version,
                now,
                now,
                request.preferred_time,
            ),
        )
        request_id = int(cur.fetchone()[0])
        codes = _reach_the_queue(conn, reflection_id, now)
        # Asking to talk can bring the response target forward, never push it back.
        targets.set_respond_by(conn, reflection_id, arrived=now, reason_codes=codes)
        outbox.enqueue(
            conn,
            event=outbox.CONTACT_REQUEST,
            reflection_id=reflection_id,
            reason_codes=codes,
            now=now,
        )
        return request_id


def queue_as_contact_request(
    conn: Any, reflection_id: int, *, submitted_at: str | None = None
) -> None:
    """Put this reflection in the consultants' queue as a contact request only: the
    "asked to talk" reason alone, no role, company or stage. `submitted_at` dates it in
    the queue (None keeps the date it has). Runs inside the caller's write."""
    conn.execute(
        "UPDATE reflections SET submitted_at = COALESCE(?, submitted_at), contact_requested = 1, "
        "reasons_json = ?, reason_codes = ?, priority = ?, company = NULL, role = NULL, "
        "stage_reached = NULL WHERE id = ?",
        (
            submitted_at,
            json.dumps([ASKED_TO_TALK.as_dict()]),
            ASKED_TO_TALK.code,
            ASKED_TO_TALK.priority,
            reflection_id,
        ),
    )


def _reach_the_queue(conn: Any, reflection_id: int, now: str) -> list[str]:
    """Put the reflection in the queue as "asked to talk"; the reason codes it has now."""
    row = conn.execute(
        "SELECT submitted_at, reasons_json, reason_codes, priority FROM reflections WHERE id = ?",
        (reflection_id,),
    ).fetchone()
    if row is None:
        return [ASKED_TO_TALK.code]
    if row["submitted_at"] is None:
        queue_as_contact_request(conn, reflection_id, submitted_at=now)
        return [ASKED_TO_TALK.code]
    codes = (row["reason_codes"] or "").split()
    if ASKED_TO_TALK.code in codes:
        conn.execute("UPDATE reflections SET contact_requested = 1 WHERE id = ?", (reflection_id,))
        return codes
    try:
        reasons = json.loads(row["reasons_json"] or "[]")
    except ValueError:
        reasons = []
    conn.execute(
        "UPDATE reflections SET contact_requested = 1, reasons_json = ?, reason_codes = ?, "
        "priority = ? WHERE id = ?",
        (
            json.dumps([ASKED_TO_TALK.as_dict(), *reasons]),
            " ".join([ASKED_TO_TALK.code, *codes]),
            (row["priority"] or 0) + ASKED_TO_TALK.priority,
            reflection_id,
        ),
    )
    return [ASKED_TO_TALK.code, *codes]


def requests_for(store: Store, reflection_id: int) -> list[dict[str, object]]:
    with store.read() as conn:
        rows = conn.execute(
            "SELECT * FROM contact_requests WHERE reflection_id = ? ORDER BY id",
            (reflection_id,),
        ).fetchall()
    return [dict(row) for row in rows]


def has_asked_to_talk(store: Store, reflection_id: int) -> bool:
    with store.read() as conn:
        row = conn.execute(
            "SELECT 1 FROM contact_requests WHERE reflection_id = ? LIMIT 1", (reflection_id,)
        ).fetchone()
    return row is not None
