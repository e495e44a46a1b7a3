"""Consultants hear of every request: notifications through a transactional outbox.

The event that causes a notification (a contact request, a first share) writes one row
per channel (the team's mailbox, the chat webhook) in its own transaction, so a request
that is saved is never left unannounced and one that rolled back never announces
anything. `send_due` delivers due rows: it claims each row with a conditional UPDATE
(`claimed_until`), which only one process can win on either engine, delivers outside
any transaction, then records the outcome: sent, a retry with growing back-off
(`core/retry_schedule.py`), or a permanent refusal. A process that dies after delivering
but before recording sends that row again once the claim runs out: at least once, with
the same Message-ID, so mail clients show one message.

What a notification carries: the kind of event, the reasons in consultants' words, the
response target and a link to the reflection behind login. Never a candidate's answers,
name or contact details (SPEC: e-mail and webhooks carry a link instead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from core import delivery, mail, webhook, working_time
from core.clock import Clock, parse_stamp, stamp, system_clock
from core.reasons import BY_CODE, URGENT_CODES
from core.retry_schedule import next_attempt_after, should_give_up
from core.settings import Settings, load_settings
from core.store import Store

MAIL = "mail"
WEBHOOK = "webhook"

CONTACT_REQUEST = "contact_request"
SHARED = "shared"
# The event in a consultant's words: the subject line and the webhook's `summary`.
EVENT_WORDS = {
    CONTACT_REQUEST: "A candidate asked to talk to a consultant",
    SHARED: "A candidate shared a reflection for review",
}

# A claimed row nobody recorded an outcome for goes back to the pile after this long
# (a sender that died mid-delivery); longer than any SMTP or webhook timeout.
CLAIM_SECONDS = 300
# Rows still unsent this long after they were written are "waiting" on the queue page.
WAITING_ALERT_MINUTES = 15
# How many rows one pass of the sender takes at most.
BATCH = 50


@dataclass(frozen=True)
class Outcome:
    sent: int = 0
    retrying: int = 0
    refused: int = 0


def channels(settings: Settings) -> list[tuple[str, str]]:
    """Where staff notifications go: (channel, target) pairs; none when neither is set."""
    found = []
    if settings.notify_team_email:
        found.append((MAIL, settings.notify_team_email))
    if settings.notify_webhook_url:
        found.append((WEBHOOK, settings.notify_webhook_url))
    return found


def enqueue(
    conn: Any,
    *,
    event: str,
    reflection_id: int,
    reason_codes: Sequence[str],
    now: str,
    settings: Settings | None = None,
) -> int:
    """Write this event's notifications inside the caller's write; how many rows."""
    if event not in EVENT_WORDS:
        raise ValueError(f"unknown notification event {event!r}")
    rows = channels(settings or load_settings())
    for channel, target in rows:
        conn.execute(
            "INSERT INTO outbox (event, channel, target, reflection_id, reason_codes, "
            "created_at, due_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
            (event, channel, target, reflection_id, " ".join(reason_codes), now, now),
        )
    return len(rows)


def target_for(reason_codes: Sequence[str]) -> working_time.Target:
    """The response target: the urgent one when any reason is urgent."""
    if any(code in URGENT_CODES for code in reason_codes):
        return working_time.URGENT_TARGET
    return working_time.STANDARD_TARGET


def respond_by(created_at: str, reason_codes: Sequence[str], settings: Settings) -> dt.datetime:
    hours = working_time.working_hours_from_text(
        settings.working_time_zone, settings.working_days, settings.working_hours
    )
    return working_time.due_by(parse_stamp(created_at), target_for(reason_codes), hours)


def reflection_link(settings: Settings, reflection_id: int) -> str:
    return f"{settings.public_url.rstrip('/')}/reflection?id={int(reflection_id)}"


def _labels(reason_codes: Sequence[str]) -> list[str]:
    return [BY_CODE[code].label for code in reason_codes if code in BY_CODE]


def describe(row: Any, settings: Settings) -> dict[str, Any]:
    """What a notification says, from the row alone: nothing a candidate wrote."""
    codes = (row["reason_codes"] or "").split()
    due = respond_by(row["created_at"], codes, settings)
    return {
        "event": row["event"],
        "summary": EVENT_WORDS[row["event"]],
        "reasons": _labels(codes),
        "respond_by": stamp(due),
        "link": reflection_link(settings, row["reflection_id"]),
    }


def mail_text(facts: dict[str, Any], settings: Settings, zone: str) -> str:
    local_due = parse_stamp(facts["respond_by"]).astimezone(ZoneInfo(zone))
    reasons = "\n".join(f"- {label}" for label in facts["reasons"]) or "- (none given)"
    return (
        f"{facts['summary']}.\n\n"
        f"Why it reached the queue:\n{reasons}\n\n"
        f"Please respond by {local_due:%A %d %B, %H:%M} ({zone}).\n\n"
        f"Open it here (you will be asked to log in):\n{facts['link']}\n\n"
        "This message carries nothing the candidate wrote; their details are behind "
        "the link.\n"
        f"{settings.agency_name}\n"
    )


def build_mail(row: Any, settings: Settings, written_at: dt.datetime) -> mail.EmailMessage:
    facts = describe(row, settings)
    return mail.build_message(
        sender=mail.Sender(f"{settings.agency_name} (Bounce Back)", settings.notify_from),
        to=row["target"],
        subject=f"{settings.agency_name}: {facts['summary'].lower()}",
        body=mail_text(facts, settings, settings.working_time_zone),
        written_at=written_at,
        message_key=f"bounce-back.outbox.{int(row['id'])}",
    )


Deliver = Callable[[Any, Settings, dt.datetime], None]


def _deliver(row: Any, settings: Settings, now: dt.datetime) -> None:
    if row["channel"] == MAIL:
        delivery.deliver(build_mail(row, settings, now), settings.notify_mail_url)
    else:
        webhook.post(
            row["target"], describe(row, settings), settings.notify_webhook_secret, now=now
        )


def _claim(store: Store, row_id: int, now: dt.datetime) -> str | None:
    """Claim the row until CLAIM_SECONDS from now; the claim's stamp, or None when
    another sender holds it (or it is no longer due)."""
    until = stamp(now + dt.timedelta(seconds=CLAIM_SECONDS))
    with store.write() as conn:
        cur = conn.execute(
            "UPDATE outbox SET claimed_until = ? WHERE id = ? AND sent_at IS NULL "
            "AND refused_at IS NULL AND due_at <= ? "
            "AND (claimed_until IS NULL OR claimed_until < ?)",
            (until, row_id, stamp(now), stamp(now)),
        )
        return until if cur.rowcount == 1 else None


def due_rows(store: Store, now: dt.datetime, limit: int = BATCH) -> list[Any]:
    with store.read() as conn:
        return conn.execute(
            "SELECT id, event, channel, target, reflection_id, reason_codes, created_at, "
            "attempts FROM outbox WHERE sent_at IS NULL AND refused_at IS NULL "
            "AND due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
            "ORDER BY due_at, id LIMIT ?",
            (stamp(now), stamp(now), limit),
        ).fetchall()


def send_due(
    store: Store,
    settings: Settings,
    *,
    clock: Clock = system_clock,
    deliver: Deliver = _deliver,
) -> Outcome:
    """Deliver every due row this process can claim; what became of them."""
    sent = retrying = refused = 0
    for row in due_rows(store, clock()):
        now = clock()
        claim = _claim(store, row["id"], now)
        if claim is None:
            continue  # another sender took it
        mine = {"row_id": row["id"], "claim": claim}
        try:
            deliver(row, settings, now)
        except delivery.DeliveryRefused as exc:
            _record(store, **mine, refused_at=now, error=str(exc))
            refused += 1
            continue
        except Exception as exc:  # deferred, the network, or a setting that is wrong
            # (a webhook without its secret): kept, retried with back-off, the reason
            # recorded, and the rest of the pass goes on.
            attempts = row["attempts"] + 1
            error = str(exc) or type(exc).__name__
            if should_give_up(attempts):
                _record(store, **mine, refused_at=now, error=f"gave up: {error}")
                refused += 1
            else:
                retry_at = now + next_attempt_after(attempts)
                _record(store, **mine, retry_at=retry_at, attempts=attempts, error=error)
                retrying += 1
            continue
        _record(store, **mine, sent_at=now)
        sent += 1
    return Outcome(sent, retrying, refused)


def _record(
    store: Store,
    row_id: int,
    claim: str,
    *,
    sent_at: dt.datetime | None = None,
    refused_at: dt.datetime | None = None,
    retry_at: dt.datetime | None = None,
    attempts: int | None = None,
    error: str = "",
) -> None:
    with store.write() as conn:
        if sent_at is not None:
            conn.execute(
                "UPDATE outbox SET sent_at = ?, claimed_until = NULL, last_error = '' "
                "WHERE id = ? AND claimed_until = ?",
                (stamp(sent_at), row_id, claim),
            )
        elif refused_at is not None:
            conn.execute(
                "UPDATE outbox SET refused_at = ?, claimed_until = NULL, last_error = ? "
                "WHERE id = ? AND claimed_until = ?",
                (stamp(refused_at), error[:500], row_id, claim),
            )
        else:
            conn.execute(
                "UPDATE outbox SET due_at = ?, attempts = ?, claimed_until = NULL, "
                "last_error = ? WHERE id = ? AND claimed_until = ?",
                (stamp(retry_at), attempts, error[:500], row_id, claim),
            )


def waiting(store: Store, now: dt.datetime) -> int:
    """Notifications written over `WAITING_ALERT_MINUTES` ago and still not delivered."""
    cutoff = stamp(now - dt.timedelta(minutes=WAITING_ALERT_MINUTES))
    with store.read() as conn:
        return int(
            conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND refused_at IS NULL "
                "AND created_at <= ?",
                (cutoff,),
            ).fetchone()[0]
        )


def refused_count(store: Store) -> int:
    with store.read() as conn:
        return int(
            conn.execute("SELECT COUNT(*) FROM outbox WHERE refused_at IS NOT NULL").fetchone()[0]
        )
