"""Candidate reminders, opt-in: "E-mail me on the days I planned".

A candidate gives an address on My plan with the consent text (`core.consent.REMINDERS`).
That writes the opt-in and, in the same transaction, one claimable confirmation message;
nothing else is ever sent to the address until the link in that message is opened.

Once confirmed, the reminders pass (`run_pass`, from the sender thread and
`bounce-back send-due`) writes at most one reminder a day per opt-in: the UNIQUE key
(opt-in, kind, day) in `reminder_messages` makes a second pass, or a second process,
write nothing. Rows are claimed with a conditional UPDATE exactly as `core.outbox` does,
so two processes never send one row twice; a temporary failure is retried with back-off,
a permanent refusal (5xx) is recorded and never retried.

Links carry random tokens, stored only as SHA-256 hashes (`core.session_tokens`); a new
one is drawn for each message as it is built, so no secret waits in the database. The
link back to the app carries no secret at all: the browser cookie or the resume code
brings the candidate in. Unsubscribing, finishing every item, turning it off on My plan
or deleting the reflection (which cascades to every row here) stops reminders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from core import addresses, delivery, mail
from core.checklist import ChecklistItem
from core.clock import Clock, parse_stamp, stamp, system_clock
from core.consent import REMINDERS
from core.journey import load_answers, reflection
from core.plan import Plan, build_plan
from core.retry_schedule import next_attempt_after, should_give_up
from core.session_tokens import hash_secret, new_secret, well_formed
from core.settings import Settings
from core.store import Store

CONFIRM = "confirm"
REMINDER = "reminder"
UNSUBSCRIBE = "unsubscribe"
# The route under the app's base path that takes the confirmation and the one-click
# unsubscribe (web/routes.py).
CONFIRM_PATH = "/_bb/reminders/confirm"
UNSUBSCRIBE_PATH = "/_bb/unsubscribe"
CLAIM_SECONDS = 300  # as in core.outbox: longer than any SMTP timeout
BATCH = 50
# A confirmation link works for this long; after that, saving the form again sends another.
CONFIRM_VALID_DAYS = 7
# Why reminders stopped: shown on My plan.
STOPPED_UNSUBSCRIBED = "unsubscribed"
STOPPED_TURNED_OFF = "turned off"
STOPPED_ALL_DONE = "all done"


@dataclass(frozen=True)
class OptIn:
    email: str
    confirmed: bool
    stopped_why: str  # "" while reminders are on (or waiting for confirmation)

    @property
    def active(self) -> bool:
        return not self.stopped_why


@dataclass(frozen=True)
class Outcome:
    written: int = 0
    sent: int = 0
    retrying: int = 0
    refused: int = 0


def current(store: Store, reflection_id: int) -> OptIn | None:
    """This reflection's opt-in, for My plan; None if they never asked."""
    with store.read() as conn:
        row = conn.execute(
            "SELECT email, confirmed_at, stopped_why FROM reminder_optins WHERE reflection_id = ?",
            (reflection_id,),
        ).fetchone()
    if row is None:
        return None
    return OptIn(row["email"], row["confirmed_at"] is not None, row["stopped_why"] or "")


def opt_in(
    store: Store, reflection_id: int, typed_email: str, *, clock: Clock = system_clock
) -> str:
    """Store the opt-in with its consent and write the confirmation message; the address
    as saved. Raises `addresses.AddressError` (a message for next to the field)."""
    email = addresses.check_email(typed_email)
    now = stamp(clock())
    with store.write() as conn:
        existing = conn.execute(
            "SELECT id FROM reminder_optins WHERE reflection_id = ?", (reflection_id,)
        ).fetchone()
        if existing is None:
            conn.execute(
                "INSERT INTO reminder_optins (reflection_id, email, consent_version, consent_at) "
                "VALUES (?, ?, ?, ?)",
                (reflection_id, email, REMINDERS.version, now),
            )
            optin_id = conn.execute(
                "SELECT id FROM reminder_optins WHERE reflection_id = ?", (reflection_id,)
            ).fetchone()["id"]
        else:
            optin_id = existing["id"]
            # A new address (or a fresh start) needs confirming again: old links go.
            conn.execute(
                "UPDATE reminder_optins SET email = ?, consent_version = ?, consent_at = ?, "
                "confirmed_at = NULL, stopped_at = NULL, stopped_why = '' WHERE id = ?",
                (email, REMINDERS.version, now, optin_id),
            )
            conn.execute("DELETE FROM reminder_tokens WHERE optin_id = ?", (optin_id,))
            conn.execute(
                "DELETE FROM reminder_messages WHERE optin_id = ? AND kind = ? AND sent_at IS NULL",
                (optin_id, CONFIRM),
            )
        conn.execute(
            "INSERT INTO reminder_messages (optin_id, kind, day, created_at, due_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (optin_id, CONFIRM, now, now, now),
        )
    return email


def turn_off(store: Store, reflection_id: int, *, clock: Clock = system_clock) -> None:
    _stop(store, "reflection_id = ?", reflection_id, STOPPED_TURNED_OFF, clock())


def _stop(store: Store, where: str, value: int, why: str, now: dt.datetime) -> None:
    # `where` is one of two fixed conditions written in this module, never outside input.
    with store.write() as conn:
        conn.execute(
            f"UPDATE reminder_optins SET stopped_at = ?, stopped_why = ? WHERE {where} "
            "AND stopped_at IS NULL",
            (stamp(now), why, value),
        )
        conn.execute(
            "DELETE FROM reminder_messages WHERE sent_at IS NULL AND refused_at IS NULL "
            f"AND optin_id IN (SELECT id FROM reminder_optins WHERE {where})",
            (value,),
        )


def _optin_for_token(store: Store, token: object, purpose: str) -> Any:
    if not well_formed(token):
        return None
    with store.read() as conn:
        return conn.execute(
            "SELECT o.id, o.confirmed_at, o.stopped_at, t.created_at FROM reminder_tokens t "
            "JOIN reminder_optins o ON o.id = t.optin_id "
            "WHERE t.token_hash = ? AND t.purpose = ?",
            (hash_secret(str(token)), purpose),
        ).fetchone()


def confirm(store: Store, token: object, *, clock: Clock = system_clock) -> bool:
    """Open the confirmation link: reminders start. Idempotent; False for a bad link."""
    row = _optin_for_token(store, token, CONFIRM)
    now = clock()
    if row is None or row["stopped_at"] is not None:
        return False
    if now - parse_stamp(row["created_at"]) > dt.timedelta(days=CONFIRM_VALID_DAYS):
        return False
    if row["confirmed_at"] is None:
        with store.write() as conn:
            conn.execute(
                "UPDATE reminder_optins SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL",
                (stamp(now), row["id"]),
            )
    return True


def unsubscribe(store: Store, token: object, *, clock: Clock = system_clock) -> bool:
    """The one-click unsubscribe: reminders stop at once. False for a link we don't know."""
    row = _optin_for_token(store, token, UNSUBSCRIBE)
    if row is None:
        return False
    _stop(store, "id = ?", row["id"], STOPPED_UNSUBSCRIBED, clock())
    return True


# --------------------------------------------------------------------- what to remind of


def local_day(settings: Settings, now: dt.datetime) -> dt.date:
    """Today in the agency's time zone: the day a reminder is for."""
    return now.astimezone(ZoneInfo(settings.working_time_zone)).date()


def _plan(store: Store, reflection_id: int, settings: Settings, day: dt.date) -> Plan:
    row = reflection(store, reflection_id) or {}
    started = str(row.get("created_at") or "")[:10]
    return build_plan(
        load_answers(store, reflection_id),
        settings.agency_name,
        today=day,
        started=dt.date.fromisoformat(started) if started else None,
    )


def due_items(plan: Plan, day: dt.date) -> list[ChecklistItem]:
    return [item for item in plan.open_items if item.due_date == day]


def schedule_due(store: Store, settings: Settings, *, clock: Clock = system_clock) -> int:
    """Write today's reminder for every confirmed opt-in with open items due today; stop
    the ones with nothing left to do. How many reminders were written."""
    now = clock()
    day = local_day(settings, now)
    with store.read() as conn:
        optins = conn.execute(
            "SELECT id, reflection_id FROM reminder_optins WHERE confirmed_at IS NOT NULL "
            "AND stopped_at IS NULL ORDER BY id"
        ).fetchall()
    written = 0
    for optin in optins:
        plan = _plan(store, optin["reflection_id"], settings, day)
        if not plan.open_items:
            _stop(store, "id = ?", optin["id"], STOPPED_ALL_DONE, now)
            continue
        if not due_items(plan, day):
            continue
        with store.write() as conn:
            cur = conn.execute(
                "INSERT INTO reminder_messages (optin_id, kind, day, created_at, due_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (optin["id"], REMINDER, day.isoformat(), stamp(now), stamp(now)),
            )
            written += max(cur.rowcount, 0)
    return written


# ------------------------------------------------------------------------ the messages


def _link(settings: Settings, path: str, token: str | None = None) -> str:
    base = settings.public_url.rstrip("/")
    return f"{base}{path}" + (f"?token={token}" if token else "")


def _new_token(store: Store, optin_id: int, purpose: str, now: dt.datetime) -> str:
    token = new_secret()
    with store.write() as conn:
        conn.execute(
            "INSERT INTO reminder_tokens (token_hash, optin_id, purpose, created_at) "
            "VALUES (?, ?, ?, ?)",
            (hash_secret(token), optin_id, purpose, stamp(now)),
        )
    return token


def _sender(settings: Settings) -> mail.Sender:
    return mail.Sender(settings.agency_name, settings.notify_from)


def confirmation_text(settings: Settings, link: str) -> str:
    return (
        "Hello,\n\n"
        "Someone (we hope you) asked Bounce Back to e-mail this address on the days "
        "they planned to do something after a job interview.\n\n"
        f"To start these reminders, open this link and press the button:\n{link}\n\n"
        "If it wasn't you, ignore this message: nothing more will be sent.\n\n"
        f"{settings.agency_name}\n"
    )


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def reminder_text(settings: Settings, plan: Plan, day: dt.date) -> str:
    items = "\n".join(f"- {item.title}" for item in due_items(plan, day))
    drafts = "\n".join(f'- {draft.title}: "{first_line(draft.body)}"' for draft in plan.drafts)
    text = f"Hello,\n\nWhat you planned for today ({day:%A %d %B}):\n{items}\n\n"
    if drafts:
        text += f"Your drafts are ready on My plan; they begin:\n{drafts}\n\n"
    return text + (
        "Open My plan in the browser you used, or with your resume code:\n"
        f"{_link(settings, '/plan')}\n\n"
        "You asked for these e-mails. To stop them, use the unsubscribe link your mail "
        "program shows, or turn them off on My plan.\n\n"
        f"{settings.agency_name}\n"
    )


def build_mail(
    store: Store, row: Any, settings: Settings, now: dt.datetime
) -> mail.EmailMessage | None:
    """The message for a claimed row, or None when there is nothing left to say."""
    if row["kind"] == CONFIRM:
        token = _new_token(store, row["optin_id"], CONFIRM, now)
        return mail.build_message(
            sender=_sender(settings),
            to=row["email"],
            subject="Please confirm your reminders from Bounce Back",
            body=confirmation_text(settings, _link(settings, CONFIRM_PATH, token)),
            written_at=now,
        )
    day = dt.date.fromisoformat(row["day"])
    plan = _plan(store, row["reflection_id"], settings, day)
    if not due_items(plan, day):
        return None
    token = _new_token(store, row["optin_id"], UNSUBSCRIBE, now)
    return mail.build_message(
        sender=_sender(settings),
        to=row["email"],
        subject=f"Your plan for today, {day:%A %d %B}",
        body=reminder_text(settings, plan, day),
        written_at=now,
        unsubscribe=mail.Unsubscribe(_link(settings, UNSUBSCRIBE_PATH, token)),
    )


Deliver = Callable[[mail.EmailMessage, str], None]


def _due_rows(store: Store, now: dt.datetime) -> list[Any]:
    with store.read() as conn:
        return conn.execute(
            "SELECT m.id, m.optin_id, m.kind, m.day, m.attempts, o.email, o.reflection_id "
            "FROM reminder_messages m JOIN reminder_optins o ON o.id = m.optin_id "
            "WHERE m.sent_at IS NULL AND m.refused_at IS NULL AND m.due_at <= ? "
            "AND (m.claimed_until IS NULL OR m.claimed_until < ?) "
            "AND (o.stopped_at IS NULL) AND (m.kind = ? OR o.confirmed_at IS NOT NULL) "
            "ORDER BY m.due_at, m.id LIMIT ?",
            (stamp(now), stamp(now), CONFIRM, BATCH),
        ).fetchall()


def _claim(store: Store, row_id: int, now: dt.datetime) -> bool:
    with store.write() as conn:
        cur = conn.execute(
            "UPDATE reminder_messages SET claimed_until = ? WHERE id = ? AND sent_at IS NULL "
            "AND refused_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)",
            (stamp(now + dt.timedelta(seconds=CLAIM_SECONDS)), row_id, stamp(now)),
        )
        return cur.rowcount == 1


def _record(store: Store, row_id: int, sets: str, values: tuple[Any, ...]) -> None:
    # `sets` is one of the fixed assignments below, never outside input.
    with store.write() as conn:
        conn.execute(
            f"UPDATE reminder_messages SET {sets}, claimed_until = NULL WHERE id = ?",
            (*values, row_id),
        )


def send_due(
    store: Store,
    settings: Settings,
    *,
    clock: Clock = system_clock,
    deliver: Deliver = delivery.deliver,
) -> Outcome:
    """Deliver every due reminder message this process can claim."""
    sent = retrying = refused = 0
    for row in _due_rows(store, clock()):
        now = clock()
        if not _claim(store, row["id"], now):
            continue  # another sender took it
        try:
            message = build_mail(store, row, settings, now)
            if message is None:
                _record(
                    store,
                    row["id"],
                    "refused_at = ?, last_error = ?",
                    (stamp(now), "nothing due any more"),
                )
                continue
            deliver(message, settings.notify_mail_url)
        except (
            delivery.DeliveryRefused,
            mail.UnsafeHeaderValue,
            mail.BadUnsubscribeLink,
            addresses.AddressError,
        ) as exc:
            _record(
                store, row["id"], "refused_at = ?, last_error = ?", (stamp(now), str(exc)[:500])
            )
            refused += 1
            continue
        except (delivery.DeliveryDeferred, OSError) as exc:
            attempts = row["attempts"] + 1
            if should_give_up(attempts):
                _record(
                    store,
                    row["id"],
                    "refused_at = ?, last_error = ?",
                    (stamp(now), f"gave up: {exc}"[:500]),
                )
                refused += 1
            else:
                _record(
                    store,
                    row["id"],
                    "due_at = ?, attempts = ?, last_error = ?",
                    (stamp(now + next_attempt_after(attempts)), attempts, str(exc)[:500]),
                )
                retrying += 1
            continue
        _record(store, row["id"], "sent_at = ?, last_error = ''", (stamp(now),))
        sent += 1
    return Outcome(0, sent, retrying, refused)


def run_pass(
    store: Store,
    settings: Settings,
    *,
    clock: Clock = system_clock,
    deliver: Deliver = delivery.deliver,
) -> Outcome:
    """One reminders pass: write today's reminders, then deliver what is due."""
    written = schedule_due(store, settings, clock=clock)
    outcome = send_due(store, settings, clock=clock, deliver=deliver)
    return Outcome(written, outcome.sent, outcome.retrying, outcome.refused)
