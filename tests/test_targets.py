"""Response targets from stored events: due-by on the queue, overdue first, the weekly
share answered within target and the median time to first contact. Fixed stamps in
December 2026 (Europe/London is on UTC then), so the expected times read plainly."""

from __future__ import annotations

import datetime as dt

from core import contact, journey, targets, working_time
from core.clock import stamp
from core.limits import UNLIMITED
from core.queue import fetch_queue
from core.reasons import URGENT_CODES
from core.settings import load_settings

URGENT = sorted(URGENT_CODES)[0]
SETTINGS = load_settings({})


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def place(store, rid, *, submitted, codes="", priority=0):
    """Move a shared reflection to another arrival, as a row queued before the deadline was
    stored: its `respond_by` is then filled the way start-up fills such rows."""
    with store.write() as conn:
        conn.execute(
            "UPDATE reflections SET submitted_at = ?, reason_codes = ?, priority = ?, "
            "respond_by = NULL WHERE id = ?",
            (submitted, codes, priority, rid),
        )
    targets.backfill_respond_by(store, SETTINGS)


def change(store, rid, to_status, when, consultant_id):
    with store.write() as conn:
        conn.execute(
            "INSERT INTO status_changes (reflection_id, consultant_id, from_status, to_status, at) "
            "VALUES (?, ?, 'new', ?, ?)",
            (rid, consultant_id, to_status, when),
        )


def annotated(store, now):
    return targets.annotate(store, fetch_queue(store, now=now).rows, now, SETTINGS)


def test_a_friday_evening_urgent_request_is_due_monday_at_closing_time(store, share_reflection):
    rid = share_reflection({"company": "Acme"})
    place(store, rid, submitted="2026-12-04T18:30:00+00:00", codes=URGENT)
    [row] = annotated(store, at("2026-12-04T19:00:00+00:00"))
    assert row["standing"].due == at("2026-12-07T17:00:00+00:00")
    assert row["due_text"] == "Mon 7 Dec, 17:00"
    assert not row["standing"].overdue


def test_overdue_unanswered_requests_come_first_and_answered_ones_say_when(
    store, share_reflection, make_consultant
):
    alice = make_consultant()
    overdue = share_reflection({"company": "Late Ltd"})
    answered = share_reflection({"company": "Done Ltd"})
    fresh = share_reflection({"company": "Fresh Ltd"})
    # Standard target (3 working days): Monday 09:00 is due Wednesday 17:00.
    place(store, overdue, submitted="2026-11-30T09:00:00+00:00")
    place(store, answered, submitted="2026-11-30T09:00:00+00:00")
    # Urgent and of higher priority: first in the stored order, but not late yet.
    place(store, fresh, submitted="2026-12-04T10:00:00+00:00", codes=URGENT, priority=9)
    change(store, answered, "contacted", "2026-12-01T10:00:00+00:00", alice)
    now = at("2026-12-04T12:00:00+00:00")

    before_anything_was_due = at("2026-11-30T09:00:00+00:00")
    assert [r["id"] for r in fetch_queue(store, now=before_anything_was_due).rows][0] == fresh
    rows = annotated(store, now)
    assert [r["id"] for r in rows] == [overdue, fresh, answered]
    by_id = {r["id"]: r for r in rows}
    # Wed 17:00 to Fri 12:00 is Thursday's 8 hours and Friday's 3: 1 working day and 3 hours.
    assert by_id[overdue]["due_text"] == (
        "Overdue by 1 working day and 3 hours (was due Wed 2 Dec, 17:00)"
    )
    assert by_id[answered]["due_text"] == "Answered Tue 1 Dec, 10:00 (within target)"
    assert by_id[fresh]["due_text"] == "Mon 7 Dec, 10:00"
    hours = targets.working_hours_of(SETTINGS)
    waiting = targets.waiting_sentence(by_id[overdue]["standing"], hours)
    assert waiting.startswith("Waiting 4 working days and 3 hours for a first contact")


def test_nothing_is_overdue_when_it_is_not(store, share_reflection):
    first = share_reflection({"company": "A"})
    second = share_reflection({"company": "B"})
    place(store, first, submitted="2026-12-07T09:00:00+00:00")
    place(store, second, submitted="2026-12-07T10:00:00+00:00")
    rows = annotated(store, at("2026-12-07T12:00:00+00:00"))
    assert [r["id"] for r in rows] == [first, second]
    assert not any(r["standing"].overdue for r in rows)


def test_weekly_share_within_target_and_median_from_status_changes(
    store, share_reflection, make_consultant
):
    alice = make_consultant()
    quick, slow, missed, pending = (share_reflection({"company": c}) for c in "QSMP")
    place(store, quick, submitted="2026-11-30T09:00:00+00:00")
    place(store, slow, submitted="2026-11-30T09:00:00+00:00", codes=URGENT)
    place(store, missed, submitted="2026-12-01T09:00:00+00:00")
    place(store, pending, submitted="2026-12-07T09:00:00+00:00")
    # Quick: contacted after 2 working hours; a second "contacted" later does not count.
    change(store, quick, "contacted", "2026-11-30T11:00:00+00:00", alice)
    change(store, quick, "new", "2026-11-30T12:00:00+00:00", alice)
    change(store, quick, "contacted", "2026-12-03T12:00:00+00:00", alice)
    # Slow: urgent (1 working day) but contacted after 30 working hours, Thursday 15:00.
    change(store, slow, "in_review", "2026-11-30T10:00:00+00:00", alice)
    change(store, slow, "contacted", "2026-12-03T15:00:00+00:00", alice)

    weeks = targets.weekly_response(store, at("2026-12-07T12:00:00+00:00"), SETTINGS)
    assert weeks == [
        # Settled: quick (within), slow (late), missed (past due, unanswered): 1 of 3.
        {
            "week": "2026-11-30",
            "requests": 3,
            "answered": 2,
            "within_target_pct": 33,
            "median_hours": 16,
        },
        # Still inside its target: not counted either way yet.
        {
            "week": "2026-12-07",
            "requests": 1,
            "answered": 0,
            "within_target_pct": None,
            "median_hours": None,
        },
    ]


# ---------------------------------------------------------------- the stored deadline


def respond_by(store, rid):
    with store.read() as conn:
        return conn.execute("SELECT respond_by FROM reflections WHERE id = ?", (rid,)).fetchone()[0]


def due(moment, target):
    return stamp(working_time.due_by(moment, target, targets.working_hours_of(SETTINGS)))


def ask_to_talk(store, rid):
    request = contact.validate("Maya", "maya@example.com", "", "email", "", True)
    contact.save_request(store, rid, request, client=UNLIMITED)


def test_the_deadline_is_stored_on_arrival_and_asking_to_talk_only_brings_it_forward(
    store, share_reflection, clock
):
    shared_at = clock()
    rid = share_reflection({"company": "Acme"})
    assert respond_by(store, rid) == due(shared_at, working_time.STANDARD_TARGET)

    clock.advance(hours=2)
    asked_at = clock()
    ask_to_talk(store, rid)  # urgent from now: sooner than the standard target
    assert respond_by(store, rid) == due(asked_at, working_time.URGENT_TARGET)
    assert respond_by(store, rid) < due(shared_at, working_time.STANDARD_TARGET)

    clock.advance(days=1)
    ask_to_talk(store, rid)  # a later request never pushes the promise back
    assert respond_by(store, rid) == due(asked_at, working_time.URGENT_TARGET)
    # Withdrawing the answers leaves the contact request waiting, with its deadline.
    journey.withdraw_review(store, rid)
    assert respond_by(store, rid) == due(asked_at, working_time.URGENT_TARGET)


def test_withdrawing_clears_the_deadline_and_sharing_again_starts_a_new_one(
    store, share_reflection, clock
):
    rid = share_reflection({"company": "Acme"})
    journey.withdraw_review(store, rid)
    assert respond_by(store, rid) is None
    clock.advance(days=10)
    again = clock()
    journey.submit_for_review(store, rid, journey.load_answers(store, rid))
    assert respond_by(store, rid) == due(again, working_time.STANDARD_TARGET)


def test_a_contact_request_alone_gets_the_urgent_target(store, clock):
    rid = journey.start(store, {}, client=UNLIMITED).reflection_id
    ask_to_talk(store, rid)
    assert respond_by(store, rid) == due(clock(), working_time.URGENT_TARGET)


def _forget_deadlines(store, rows):
    with store.write() as conn:
        for rid, submitted, codes in rows:
            conn.execute(
                "UPDATE reflections SET submitted_at = ?, reason_codes = ?, respond_by = NULL "
                "WHERE id = ?",
                (submitted, codes, rid),
            )


def test_backfill_gives_old_rows_their_deadline_in_batches_and_only_once(store, share_reflection):
    rids = [share_reflection({"company": c}) for c in "ABCDE"]
    draft = journey.start(store, {}, client=UNLIMITED).reflection_id
    # As rows queued before migration 0012: arrivals and reasons, no deadline.
    old = [
        (rids[0], "2026-11-30T09:00:00+00:00", ""),  # standard: Wed 2 Dec, 17:00
        (rids[1], "2026-12-04T18:30:00+00:00", URGENT),  # urgent, Friday evening: Monday
        (rids[2], "2026-12-01T10:00:00+00:00", ""),
        (rids[3], "2026-12-02T10:00:00+00:00", URGENT),
    ]
    _forget_deadlines(store, old)
    kept = respond_by(store, rids[4])

    assert targets.backfill_respond_by(store, SETTINGS, batch=3) == 4
    assert respond_by(store, rids[0]) == "2026-12-02T17:00:00+00:00"
    assert respond_by(store, rids[1]) == "2026-12-07T17:00:00+00:00"
    assert respond_by(store, rids[2]) == "2026-12-04T10:00:00+00:00"
    assert respond_by(store, rids[3]) == "2026-12-03T10:00:00+00:00"
    assert respond_by(store, rids[4]) == kept  # it had one: untouched
    assert respond_by(store, draft) is None  # not in the queue
    assert targets.backfill_respond_by(store, SETTINGS) == 0


def test_init_fills_the_deadlines_the_migration_left_empty(store, share_reflection, database):
    from core.cli import main

    rid = share_reflection({"company": "Acme"})
    _forget_deadlines(store, [(rid, "2026-11-30T09:00:00+00:00", "")])
    assert main(["--db", database, "init"]) == 0
    assert respond_by(store, rid) == "2026-12-02T17:00:00+00:00"
