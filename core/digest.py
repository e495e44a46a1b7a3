"""The consultants' daily digest: follow-ups due and response targets missed, one e-mail a
day to the team address at `digest_hour` in the agency's time zone.

Once a day however many senders run: the first pass after the hour writes the day's row
(`digests`, keyed by the local date, so a second insert does nothing), then a pass
claims it with a conditional UPDATE (as the outbox does), delivers, and records sent,
a retry with back-off, or a refusal. Like every staff notification it carries numbers
and links only: reflection numbers, dates and counts, never a candidate's name,
answers, company, role or contact details.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core import delivery, mail, targets
from core.clock import Clock, stamp, system_clock
from core.outbox import CLAIM_SECONDS, Outcome, reflection_link
from core.queue import follow_ups_due
from core.retry_schedule import next_attempt_after, should_give_up
from core.settings import Settings
from core.store import Store

# How many reflection numbers each list shows; the counts are always whole.
LISTED = 20


@dataclass(frozen=True)
class Contents:
    day: dt.date
    follow_ups: list[dict[str, Any]]  # id and follow_up_on only
    missed: list[dict[str, Any]]  # id and due (aware, UTC)
    missed_total: int


def digest_day(now: dt.datetime, settings: Settings) -> dt.date | None:
    """The local day whose digest is due at `now`, or None (before the hour, turned off,
    or no team address to send it to)."""
    if settings.digest_hour < 0 or not settings.notify_team_email:
        return None
    local = now.astimezone(targets.working_hours_of(settings).zone)
    return local.date() if local.hour >= settings.digest_hour else None


def missed_targets(store: Store, now: dt.datetime, settings: Settings) -> list[dict[str, Any]]:
    """Requests not yet answered (no change to contacted, not closed) and past their
    target, the longest overdue first."""
    hours = targets.working_hours_of(settings)
    with store.read() as conn:
        rows = conn.execute(
            "SELECT r.id, r.submitted_at, r.reason_codes, r.respond_by FROM reflections r "
            "WHERE r.submitted_at IS NOT NULL AND r.review_status <> 'closed' "
            "AND NOT EXISTS (SELECT 1 FROM status_changes s WHERE s.reflection_id = r.id "
            "AND s.to_status = ? AND s.kind = 'status')",
            (targets.CONTACTED,),
        ).fetchall()
    missed = []
    for row in rows:
        state = targets.standing(
            row["submitted_at"],
            (row["reason_codes"] or "").split(),
            None,
            now,
            hours,
            respond_by=row["respond_by"],
        )
        if state.overdue:
            missed.append({"id": int(row["id"]), "due": state.due})
    return sorted(missed, key=lambda item: (item["due"], item["id"]))


def contents(store: Store, day: dt.date, now: dt.datetime, settings: Settings) -> Contents:
    follow_ups = [
        {"id": int(row["id"]), "follow_up_on": row["follow_up_on"]}
        for row in follow_ups_due(store, day, limit=LISTED)
    ]
    missed = missed_targets(store, now, settings)
    return Contents(day, follow_ups, missed[:LISTED], len(missed))


def mail_text(facts: Contents, settings: Settings) -> str:
    hours = targets.working_hours_of(settings)
    lines = [f"Good morning. Where the queue stands on {facts.day:%A %d %B %Y}.", ""]
    if facts.follow_ups:
        lines.append(f"Follow-ups due: {len(facts.follow_ups)}")
        lines += [
            f"- #{item['id']}, follow up on {item['follow_up_on']}: "
            f"{reflection_link(settings, item['id'])}"
            for item in facts.follow_ups
        ]
    else:
        lines.append("Follow-ups due: none.")
    lines.append("")
    if facts.missed_total:
        lines.append(f"Response targets missed and still unanswered: {facts.missed_total}")
        lines += [
            f"- #{item['id']}, was due {targets.local_text(item['due'], hours)}: "
            f"{reflection_link(settings, item['id'])}"
            for item in facts.missed
        ]
        if facts.missed_total > len(facts.missed):
            lines.append(f"- and {facts.missed_total - len(facts.missed)} more in the queue")
    else:
        lines.append("Response targets missed: none. Every request is within its target.")
    lines += [
        "",
        f"Times are in {settings.working_time_zone}. The links ask you to log in; this "
        "message carries nothing a candidate wrote.",
        settings.agency_name,
        "",
    ]
    return "\n".join(lines)


def build_mail(facts: Contents, settings: Settings, now: dt.datetime) -> mail.EmailMessage:
    return mail.build_message(
        sender=mail.Sender(f"{settings.agency_name} (Bounce Back)", settings.notify_from),
        to=settings.notify_team_email,
        subject=f"{settings.agency_name}: daily digest for {facts.day:%a %d %b}",
        body=mail_text(facts, settings),
        written_at=now,
    )


def _deliver(message: mail.EmailMessage, settings: Settings) -> None:
    delivery.deliver(message, settings.notify_mail_url)


def _open_day(store: Store, day: dt.date, now: dt.datetime) -> None:
    # The day's key makes this idempotent across processes: a second insert does nothing.
    with store.write() as conn:
        conn.execute(
            "INSERT INTO digests (day, created_at, due_at, attempts) VALUES (?, ?, ?, 0) "
            "ON CONFLICT (day) DO NOTHING",
            (day.isoformat(), stamp(now), stamp(now)),
        )


def _claim(store: Store, day: dt.date, now: dt.datetime) -> Any:
    with store.write() as conn:
        won = conn.execute(
            "UPDATE digests SET claimed_until = ? WHERE day = ? AND sent_at IS NULL "
            "AND refused_at IS NULL AND due_at <= ? "
            "AND (claimed_until IS NULL OR claimed_until < ?)",
            (
                stamp(now + dt.timedelta(seconds=CLAIM_SECONDS)),
                day.isoformat(),
                stamp(now),
                stamp(now),
            ),
        ).rowcount
        if won != 1:
            return None
        return conn.execute(
            "SELECT attempts FROM digests WHERE day = ?", (day.isoformat(),)
        ).fetchone()


def run_pass(
    store: Store,
    settings: Settings,
    *,
    clock: Clock = system_clock,
    deliver: Any = _deliver,
) -> Outcome:
    """Send today's digest if it is due and this process wins it; what became of it."""
    now = clock()
    day = digest_day(now, settings)
    if day is None:
        return Outcome()
    _open_day(store, day, now)
    claimed = _claim(store, day, now)
    if claimed is None:
        return Outcome()  # sent already, waiting for a retry, or another sender has it
    key = day.isoformat()
    try:
        deliver(build_mail(contents(store, day, now, settings), settings, now), settings)
    except delivery.DeliveryRefused as exc:
        _record(store, key, "refused_at = ?, last_error = ?", [stamp(now), str(exc)[:500]])
        return Outcome(refused=1)
    except (delivery.DeliveryDeferred, OSError) as exc:
        attempts = int(claimed["attempts"]) + 1
        if should_give_up(attempts):
            _record(store, key, "refused_at = ?, last_error = ?", [stamp(now), f"gave up: {exc}"])
            return Outcome(refused=1)
        retry_at = now + next_attempt_after(attempts)
        _record(
            store,
            key,
            "due_at = ?, attempts = ?, last_error = ?",
            [stamp(retry_at), attempts, str(exc)[:500]],
        )
        return Outcome(retrying=1)
    _record(store, key, "sent_at = ?, last_error = ''", [stamp(now)])
    return Outcome(sent=1)


def _record(store: Store, day: str, assignments: str, values: list[Any]) -> None:
    # `assignments` is one of the fixed strings above, never built from input.
    with store.write() as conn:
        conn.execute(
            f"UPDATE digests SET {assignments}, claimed_until = NULL WHERE day = ?",
            [*values, day],
        )
