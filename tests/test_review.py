"""Working on a shared reflection: notes, status with history, assignment, audit log."""

from __future__ import annotations

import datetime as dt

import pytest

from core import accounts, journey, password_login, review
from core.limits import LOCAL_CLIENT, UNLIMITED
from core.settings import Settings

PASSWORD = "harbour lights at dusk"


@pytest.fixture
def clock(clock):
    """Each reading a minute after the last, so every action has a time of its own."""
    clock.step = dt.timedelta(minutes=1)
    return clock


def session_for(store, username, name, clock):
    accounts.add_consultant(store, username, PASSWORD, display_name=name)
    return password_login.authenticate(
        store, username, PASSWORD, Settings(), clock, client=LOCAL_CLIENT
    ).session


@pytest.fixture
def alice(store, clock):
    return session_for(store, "alice", "Alice", clock)


@pytest.fixture
def bob(store, clock):
    return session_for(store, "bob", "Bob", clock)


@pytest.fixture
def shared(share_reflection) -> int:
    return share_reflection({"feedback_received": "Very private words"})


def audit_for(store, rid):
    return [(r["actor"], r["action"], r["detail"]) for r in review.audit_trail(store, rid)]


def test_a_draft_is_not_visible_to_consultants(store, alice):
    draft = journey.start(store, client=UNLIMITED)
    with pytest.raises(review.NotFound):
        review.submitted_reflection(store, draft.reflection_id)
    with pytest.raises(review.NotFound):
        review.add_note(store, alice, draft.reflection_id, "hello")
    with pytest.raises(review.NotFound):
        review.change_status(store, alice, draft.reflection_id, "closed")


def test_notes_thread_with_author_and_time(store, alice, bob, shared, clock):
    review.add_note(store, alice, shared, "Called, left a voicemail.", clock)
    review.add_note(store, bob, shared, "She called back <b>today</b>.", clock)
    thread = review.notes(store, shared)
    assert [(n["author"], n["body"]) for n in thread] == [
        ("Alice", "Called, left a voicemail."),
        ("Bob", "She called back <b>today</b>."),
    ]
    assert thread[0]["created_at"] < thread[1]["created_at"]


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "empty"), ("   \n ", "empty"), ("x" * 4001, "limit"), ("bad\x00char", "control")],
)
def test_bad_notes_are_refused_and_nothing_is_saved(store, alice, shared, body, message):
    with pytest.raises(ValueError, match=message):
        review.add_note(store, alice, shared, body)
    assert review.notes(store, shared) == []


def test_status_changes_keep_history(store, alice, bob, shared, clock):
    assert review.submitted_reflection(store, shared)["review_status"] == "new"
    assert review.change_status(store, alice, shared, "in_progress", clock)
    assert review.change_status(store, bob, shared, "contacted", clock)
    assert not review.change_status(store, bob, shared, "contacted", clock)  # no-op
    assert review.change_status(store, alice, shared, "closed", clock)
    assert review.submitted_reflection(store, shared)["review_status"] == "closed"
    history = review.status_history(store, shared)
    assert [(h["from"], h["to"], h["by"]) for h in history] == [
        ("new", "new", "the candidate"),  # sharing it
        ("new", "in_progress", "Alice"),
        ("in_progress", "contacted", "Bob"),
        ("contacted", "closed", "Alice"),
    ]
    with pytest.raises(ValueError):
        review.change_status(store, alice, shared, "deleted", clock)


def test_the_database_accepts_exactly_the_review_statuses(store, alice, shared, clock):
    # The CHECK on reflections.review_status is written in migration 0001; it must list
    # the same statuses as review.REVIEW_STATUSES, whichever backend runs it.
    assert tuple(review.STATUS_LABELS) == review.REVIEW_STATUSES
    for status in review.REVIEW_STATUSES:
        with store.write() as conn:
            conn.execute("UPDATE reflections SET review_status = ? WHERE id = ?", (status, shared))
    with pytest.raises(Exception, match="(?i)check"), store.write() as conn:
        conn.execute("UPDATE reflections SET review_status = ? WHERE id = ?", ("lost", shared))


def test_assign_to_me_to_a_colleague_and_back(store, alice, bob, shared, clock):
    review.assign(store, alice, shared, alice.consultant_id, clock)
    assert review.submitted_reflection(store, shared)["assignee_id"] == alice.consultant_id
    review.assign(store, alice, shared, bob.consultant_id, clock)
    assert review.submitted_reflection(store, shared)["assignee_display"] == "Bob"
    review.assign(store, bob, shared, None, clock)
    assert review.submitted_reflection(store, shared)["assignee_id"] is None


def test_cannot_assign_to_a_disabled_or_unknown_consultant(store, alice, bob, shared):
    accounts.disable_consultant(store, "bob")
    with pytest.raises(ValueError, match="can't take"):
        review.assign(store, alice, shared, bob.consultant_id)
    with pytest.raises(ValueError, match="can't take"):
        review.assign(store, alice, shared, 9999)
    assert review.submitted_reflection(store, shared)["assignee_id"] is None
    assert [c["name"] for c in review.colleagues(store)] == ["Alice"]


def test_every_view_and_change_is_audited_without_candidate_text(store, alice, bob, shared, clock):
    review.record_view(store, alice, shared, clock)
    review.add_note(store, alice, shared, "Note with private detail", clock)
    review.change_status(store, alice, shared, "in_progress", clock)
    review.assign(store, alice, shared, bob.consultant_id, clock)
    review.record_export(store, alice, "reflection markdown", shared, clock)
    assert audit_for(store, shared) == [
        ("alice", "view", ""),
        ("alice", "note_added", ""),
        ("alice", "status_changed", "new -> in_progress"),
        ("alice", "assigned", "to bob"),
        ("alice", "export", "reflection markdown"),
    ]
    with store.read() as conn:
        dump = repr([tuple(r) for r in conn.execute("SELECT * FROM audit_log")])
    assert "Very private words" not in dump and "private detail" not in dump


def test_a_refused_change_leaves_no_audit_row(store, alice, shared):
    with pytest.raises(ValueError):
        review.add_note(store, alice, shared, "")
    assert audit_for(store, shared) == []


def test_age_text():
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
    assert review.age_text("2026-11-25T11:59:00+00:00", now) == "just now"
    assert review.age_text("2026-11-25T09:00:00+00:00", now) == "3 h ago"
    assert review.age_text("2026-11-24T11:00:00+00:00", now) == "yesterday"
    assert review.age_text("2026-11-20T12:00:00+00:00", now) == "5 days ago"


def test_a_download_from_an_ended_session_builds_and_audits_nothing(store, alice, shared, clock):
    from core import staff_sessions

    row_id, _ticket = staff_sessions.open_staff_session(store, alice.consultant_id, clock=clock)
    built = []
    produce = review.audited_download(
        store,
        alice,
        "reflection markdown",
        lambda: built.append(1) or b"data",
        shared,
        still_live=lambda: staff_sessions.require_live_staff_session(
            store, row_id, Settings(), clock=clock
        ),
    )
    assert produce() == b"data"
    accounts.disable_consultant(store, "alice")
    with pytest.raises(staff_sessions.SessionEnded) as ended:
        produce()
    assert ended.value.reason == "disabled"
    assert built == [1]
    assert [a for a in audit_for(store, shared) if a[1] == "export"] == [
        ("alice", "export", "reflection markdown")
    ]
