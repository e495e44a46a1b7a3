"""Response targets as the queue, the reflection page and the overview show them.

A request's clock starts when it reaches the queue and stops at the first status change
to "contacted" (`status_changes`, already audited). The target is the urgent one (1
working day) when any reason is urgent, else the standard one; both counted in the
agency's working time (`core/working_time.py`), shown in its time zone.

The deadline is stored on the reflection (`respond_by`, migration 0012) by the event that
puts it in front of consultants, inside that event's write (`set_respond_by`): the first
share, or a contact request. Each such event's deadline runs from its own moment with the
reasons it brings, and a later event can only bring the stored one forward, never push it
back. Rows queued before the column existed get it from `backfill_respond_by`, run at
start. Everything else here is computed from stored events and a `now` the caller
passes, so a fixed clock gives fixed answers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core import working_time
from core.clock import stamp
from core.outbox import target_for
from core.settings import Settings, load_settings
from core.store import Store

CONTACTED = "contacted"
CLOSED = "closed"
# Rows `backfill_respond_by` fills per transaction: short writes, so a large queue never
# holds the database for long at start.
BACKFILL_BATCH = 500


def _moment(text: str) -> dt.datetime:
    """A stored stamp as an aware moment (stamps without a zone were written in UTC)."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def working_hours_of(settings: Settings) -> working_time.WorkingHours:
    return working_time.working_hours_from_text(
        settings.working_time_zone, settings.working_days, settings.working_hours
    )


def due_from(
    arrived: str, reason_codes: Sequence[str], hours: working_time.WorkingHours
) -> dt.datetime:
    """The deadline of a request that arrived at `arrived` (a stamp) with these reasons:
    the earliest target among them, counted in working time."""
    return working_time.due_by(_moment(arrived), target_for(reason_codes), hours)


def set_respond_by(
    conn: Any,
    reflection_id: int,
    *,
    arrived: str,
    reason_codes: Sequence[str],
    settings: Settings | None = None,
) -> None:
    """Inside the caller's write: store this event's deadline as the reflection's
    `respond_by`, unless the one stored is earlier (a promise already made stands)."""
    due = stamp(due_from(arrived, reason_codes, working_hours_of(settings or load_settings())))
    conn.execute(
        "UPDATE reflections SET respond_by = ? WHERE id = ? "
        "AND (respond_by IS NULL OR respond_by > ?)",
        (due, reflection_id, due),
    )


def backfill_respond_by(
    store: Store, settings: Settings | None = None, *, batch: int = BACKFILL_BATCH
) -> int:
    """Give `respond_by` to the requests in the queue that have none (queued before
    migration 0012), from their arrival and reasons, as the queue computed it then. In
    batches of short writes; a row that has one is never touched, so running it again
    (at every start, from several processes at once) changes nothing. How many it filled."""
    hours = working_hours_of(settings or load_settings())
    filled, last_id = 0, 0
    while True:
        with store.write() as conn:
            rows = conn.execute(
                "SELECT id, submitted_at, reason_codes FROM reflections "
                "WHERE submitted_at IS NOT NULL AND respond_by IS NULL AND id > ? "
                "ORDER BY id LIMIT ?",
                (last_id, batch),
            ).fetchall()
            if not rows:
                return filled
            updates = []
            for row in rows:
                try:
                    due = due_from(row["submitted_at"], (row["reason_codes"] or "").split(), hours)
                except ValueError:  # a stamp nobody can read: left as it is, not fatal
                    continue
                updates.append((stamp(due), row["id"]))
            conn.executemany(
                "UPDATE reflections SET respond_by = ? WHERE id = ? AND respond_by IS NULL",
                updates,
            )
        filled += len(updates)
        last_id = int(rows[-1]["id"])


def answered_at(store: Store, reflection_ids: Iterable[int]) -> dict[int, str]:
    """The first change to "contacted" of each reflection that has one (a stamp)."""
    ids = sorted({int(i) for i in reflection_ids})
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    with store.read() as conn:
        rows = conn.execute(
            "SELECT reflection_id, MIN(at) AS first_at FROM status_changes "
            f"WHERE to_status = ? AND kind = 'status' AND reflection_id IN ({marks}) "
            "GROUP BY reflection_id",
            [CONTACTED, *ids],
        ).fetchall()
    return {int(r["reflection_id"]): r["first_at"] for r in rows}


def local_text(moment: dt.datetime, hours: working_time.WorkingHours) -> str:
    """ "Tue 8 Dec, 10:00" in the agency's time zone."""
    local = moment.astimezone(hours.zone)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def duration_text(span: dt.timedelta, hours: working_time.WorkingHours) -> str:
    """Working time in words: "45 working minutes", "2 working hours",
    "1 working day and 3 hours" (a working day being the length of the agency's day)."""
    minutes = int(span.total_seconds() // 60)
    day_minutes = int(hours.day_length.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} working minute{'s' if minutes != 1 else ''}"
    if minutes < day_minutes:
        whole_hours = minutes // 60
        return f"{whole_hours} working hour{'s' if whole_hours != 1 else ''}"
    days, rest = divmod(minutes, day_minutes)
    text = f"{days} working day{'s' if days != 1 else ''}"
    rest_hours = rest // 60
    if rest_hours:
        text += f" and {rest_hours} hour{'s' if rest_hours != 1 else ''}"
    return text


@dataclass(frozen=True)
class Standing:
    """Where one request stands against its target."""

    due: dt.datetime
    answered: dt.datetime | None
    waited: dt.timedelta  # working time from arrival to the answer, or to now
    overdue: bool  # unanswered and past due
    within_target: bool | None  # None while unanswered and not yet due
    target: working_time.Target


def standing(
    submitted_at: str,
    reason_codes: Sequence[str],
    answered: str | None,
    now: dt.datetime,
    hours: working_time.WorkingHours,
    *,
    respond_by: str | None = None,
) -> Standing:
    """`respond_by` is the stored deadline (the reflection's column); without one (a row
    not yet backfilled) it is computed from the arrival and reasons."""
    arrived = _moment(submitted_at)
    target = target_for(reason_codes)
    due = _moment(respond_by) if respond_by else due_from(submitted_at, reason_codes, hours)
    answered_moment = _moment(answered) if answered else None
    end = answered_moment or now
    waited = working_time.working_time_between(arrived, end, hours)
    if answered_moment is not None:
        within: bool | None = answered_moment <= due
        overdue = False
    else:
        overdue = now > due
        within = False if overdue else None
    return Standing(due, answered_moment, waited, overdue, within, target)


def due_column(state: Standing, now: dt.datetime, hours: working_time.WorkingHours) -> str:
    """The queue's "Due by" cell."""
    if state.answered is not None:
        verdict = "within target" if state.within_target else "late"
        return f"Answered {local_text(state.answered, hours)} ({verdict})"
    if state.overdue:
        late = working_time.working_time_between(state.due, now, hours)
        return f"Overdue by {duration_text(late, hours)} (was due {local_text(state.due, hours)})"
    return local_text(state.due, hours)


def waiting_sentence(state: Standing, hours: working_time.WorkingHours) -> str:
    """The reflection page's line on time waiting or when it was answered."""
    if state.answered is not None:
        verdict = (
            f"within the target of {state.target}"
            if state.within_target
            else f"later than the target of {state.target}"
        )
        return (
            f"Answered {local_text(state.answered, hours)}, after "
            f"{duration_text(state.waited, hours)}: {verdict}."
        )
    due = local_text(state.due, hours)
    if state.overdue:
        return (
            f"Waiting {duration_text(state.waited, hours)} for a first contact; "
            f"it was due {due} ({state.target})."
        )
    return (
        f"Waiting {duration_text(state.waited, hours)} for a first contact; "
        f"due {due} ({state.target})."
    )


def annotate(
    store: Store, rows: list[dict[str, Any]], now: dt.datetime, settings: Settings
) -> list[dict[str, Any]]:
    """Queue rows with their `standing` and `due_text`, in the order given: the queue
    (`core.queue`) already puts the overdue unanswered ones first, across every page."""
    hours = working_hours_of(settings)
    answers = answered_at(store, [row["id"] for row in rows])
    annotated = []
    for row in rows:
        answered = answers.get(row["id"])
        state = standing(
            row["submitted_at"],
            row["reason_codes"],
            answered,
            now,
            hours,
            respond_by=row.get("respond_by"),
        )
        text = due_column(state, now, hours)
        if state.overdue and row.get("status") == CLOSED:
            # Nobody is waiting on a closed request, so the queue does not lift it.
            text = f"Closed before a first contact (was due {local_text(state.due, hours)})"
        annotated.append({**row, "standing": state, "due_text": text})
    return annotated


def _monday_of(moment: dt.datetime, hours: working_time.WorkingHours) -> dt.date:
    day = moment.astimezone(hours.zone).date()
    return day - dt.timedelta(days=day.weekday())


def weekly_response(
    store: Store, now: dt.datetime, settings: Settings, since: dt.date | None = None
) -> list[dict[str, Any]]:
    """Per week of arrival (Monday, agency time): requests, how many are settled (answered,
    or past due unanswered), the whole-number share of settled ones answered within
    target, and the median working hours to first contact of the answered ones."""
    hours = working_hours_of(settings)
    params: list[Any] = []
    extra = ""
    if since is not None:
        extra = " AND r.submitted_at >= ?"
        params.append(since.isoformat())
    with store.read() as conn:
        rows = conn.execute(
            "SELECT r.id, r.submitted_at, r.reason_codes, r.respond_by, "
            "(SELECT MIN(s.at) FROM status_changes s WHERE s.reflection_id = r.id "
            "AND s.to_status = ? AND s.kind = 'status') AS first_contact "
            f"FROM reflections r WHERE r.submitted_at IS NOT NULL{extra}",
            [CONTACTED, *params],
        ).fetchall()
    weeks: dict[dt.date, dict[str, Any]] = {}
    for row in rows:
        codes = (row["reason_codes"] or "").split()
        state = standing(
            row["submitted_at"],
            codes,
            row["first_contact"],
            now,
            hours,
            respond_by=row["respond_by"],
        )
        week = weeks.setdefault(
            _monday_of(_moment(row["submitted_at"]), hours),
            {"requests": 0, "settled": 0, "within": 0, "waits": []},
        )
        week["requests"] += 1
        if state.within_target is not None:
            week["settled"] += 1
            week["within"] += int(state.within_target)
        if state.answered is not None:
            week["waits"].append(state.waited.total_seconds() / 3600)
    result = []
    for monday in sorted(weeks):
        week = weeks[monday]
        result.append(
            {
                "week": monday.isoformat(),
                "requests": week["requests"],
                "answered": len(week["waits"]),
                "within_target_pct": (
                    round(100 * week["within"] / week["settled"]) if week["settled"] else None
                ),
                "median_hours": (
                    round(statistics.median(week["waits"])) if week["waits"] else None
                ),
            }
        )
    return result
