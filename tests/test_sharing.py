"""What consultants read: a snapshot of what was shared, and contact requests that reach
them without sharing (contact details only), handled like any reflection."""

from __future__ import annotations

import datetime as dt

import pytest

from core import accounts, contact, journey, password_login, queue_export, review
from core.limits import LOCAL_CLIENT, UNLIMITED
from core.queue import QueueFilter, fetch_queue
from core.settings import Settings

PASSWORD = "harbour lights at dusk"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def alice(store):
    accounts.add_consultant(store, "alice", PASSWORD, display_name="Alice")
    return password_login.authenticate(
        store, "alice", PASSWORD, Settings(), lambda: NOW, client=LOCAL_CLIENT
    ).session


def draft(store, **answers) -> int:
    rid = journey.start(store, client=UNLIMITED).reflection_id
    for key, value in answers.items():
        journey.save_answer(store, rid, key, value)
    return rid


def share(store, rid, asked_to_talk=False):
    journey.submit_for_review(
        store, rid, journey.load_answers(store, rid), asked_to_talk=asked_to_talk
    )


def request(name="Zoë", message="Evenings, please"):
    return contact.validate(name, "zoe@example.com", "", "email", message, True)


def consultant_view(store, rid) -> dict:
    return journey.shared_answers(review.submitted_reflection(store, rid))


def test_consultants_read_what_was_shared_not_later_edits(store):
    rid = draft(store, company="Acme", role="Analyst", fit_learned="What I shared")
    share(store, rid)
    journey.save_answer(store, rid, "fit_learned", "A private note written afterwards")
    journey.save_answer(store, rid, "company", "Secret New Employer")
    assert consultant_view(store, rid)["fit_learned"] == "What I shared"
    (row,) = fetch_queue(store).rows
    assert (row["company"], row["role"], row["kind"]) == ("Acme", "Analyst", "Reflection")
    exported = queue_export.queue_csv(store)
    assert "Acme" in exported and "Secret New Employer" not in exported
    # The candidate's own view is live.
    assert journey.load_answers(store, rid)["company"] == "Secret New Employer"
    assert journey.history(store, journey.reflection(store, rid)["candidate_id"])[0]["company"] == (
        "Secret New Employer"
    )


def test_send_my_latest_answers_replaces_the_snapshot_and_is_in_the_history(store):
    rid = draft(store, company="Acme", fit_learned="First thoughts")
    share(store, rid)
    scored_before = review.submitted_reflection(store, rid)["score_feedback"]
    journey.save_answer(store, rid, "fit_learned", "Second thoughts")
    journey.save_answer(store, rid, "takes_criticism", 5)
    journey.save_answer(store, rid, "replaying", 1)
    share(store, rid)
    after = review.submitted_reflection(store, rid)
    assert journey.shared_answers(after)["fit_learned"] == "Second thoughts"
    assert after["score_feedback"] != scored_before
    history = review.status_history(store, rid)
    assert [h["kind"] for h in history] == ["shared", "updated"]
    assert history[1]["event"].startswith("The candidate sent their latest answers")


def test_withdrawing_removes_the_snapshot(store):
    rid = draft(store, company="Acme", fit_learned="Shared words")
    share(store, rid)
    journey.withdraw_review(store, rid)
    row = journey.reflection(store, rid)
    assert row["shared_answers_json"] is None and row["submitted_at"] is None
    assert (row["overall"], row["reasons_json"]) == (None, "[]")
    with pytest.raises(review.NotFound):
        review.submitted_reflection(store, rid)
    # Back to a private draft whose row mirrors the candidate's own answers again.
    assert row["company"] == "Acme"


def test_a_contact_request_reaches_the_queue_without_sharing(store):
    quiet = draft(store, company="Shared Co")
    share(store, quiet)
    talk = draft(store, company="Talk Co")
    share(store, talk, asked_to_talk=True)
    rid = draft(store, company="Private Employer", fit_learned="Private words")
    contact.save_request(store, rid, request(), client=UNLIMITED)
    rows = fetch_queue(store).rows
    by_id = {r["id"]: r for r in rows}
    mine = by_id[rid]
    assert mine["kind"] == "Contact request" and not mine["shared"]
    assert (mine["company"], mine["role"], mine["overall"]) == ("", "", None)
    assert mine["reason_codes"] == ["asked_to_talk"] and mine["contact_requested"]
    # Ranked like "asked to talk": above a shared reflection that did not ask.
    assert [r["id"] for r in rows].index(rid) < [r["id"] for r in rows].index(quiet)
    assert mine["priority"] >= contact.ASKED_TO_TALK.priority
    # No answers reach consultants; the contact details and message do.
    reflection = review.submitted_reflection(store, rid)
    assert journey.shared_answers(reflection) == {}
    (req,) = contact.requests_for(store, rid)
    assert (req["name"], req["message"]) == ("Zoë", "Evenings, please")
    assert "Private" not in queue_export.queue_csv(store).split("Talk Co")[-1]
    assert fetch_queue(store, QueueFilter(search="Zoë")).rows[0]["id"] == rid


def test_a_contact_request_is_handled_like_a_reflection(store, alice):
    rid = draft(store)
    contact.save_request(store, rid, request(), client=UNLIMITED)
    assert review.change_status(store, alice, rid, "in_progress")
    review.add_note(store, alice, rid, "Rang, left a message")
    review.assign(store, alice, rid, alice.consultant_id)
    row = review.submitted_reflection(store, rid)
    assert (row["review_status"], row["assignee_id"]) == ("in_progress", alice.consultant_id)
    assert [n["body"] for n in review.notes(store, rid)] == ["Rang, left a message"]


def test_sharing_after_a_contact_request_keeps_the_request_and_adds_answers(store):
    rid = draft(store, company="Acme")
    contact.save_request(store, rid, request(), client=UNLIMITED)
    share(store, rid, asked_to_talk=True)
    row = review.submitted_reflection(store, rid)
    assert journey.shared_answers(row)["company"] == "Acme"
    assert row["reason_codes"].split()[0] == "asked_to_talk"
    # Withdrawing the answers leaves the contact request with consultants.
    journey.withdraw_review(store, rid)
    (queued,) = fetch_queue(store).rows
    assert queued["kind"] == "Contact request" and queued["company"] == ""


def test_a_contact_request_after_sharing_leaves_the_snapshot_alone(store):
    rid = draft(store, company="Acme", fit_learned="Shared words")
    share(store, rid)
    journey.save_answer(store, rid, "fit_learned", "Written later")
    contact.save_request(store, rid, request(), client=UNLIMITED)
    row = review.submitted_reflection(store, rid)
    assert journey.shared_answers(row)["fit_learned"] == "Shared words"
    assert row["reason_codes"].split()[0] == "asked_to_talk" and row["contact_requested"]


def test_the_upgrade_snapshots_shared_answers_and_queues_stored_contact_requests(tmp_path):
    import sqlite3

    from core import migrations
    from core.store_sqlite import SqliteStore as Store

    path = tmp_path / "before.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.apply(conn, "sqlite", [], stop_before="0006_trust_fixes")
    stamp = "2026-11-01T09:00:00+00:00"
    conn.execute("INSERT INTO candidates (id, code_hash, created_at) VALUES (1, 'h', ?)", (stamp,))
    for rid, submitted in ((1, stamp), (2, None), (3, None)):
        conn.execute(
            "INSERT INTO reflections (id, candidate_id, created_at, updated_at, submitted_at, "
            "company) VALUES (?, 1, ?, ?, ?, 'Acme')",
            (rid, stamp, stamp, submitted),
        )
        conn.execute("INSERT INTO answers VALUES (?, 'fit_learned', '\"Words\"', ?)", (rid, stamp))
    conn.execute(
        "INSERT INTO contact_requests (reflection_id, name, email, channel, consent_version, "
        "consent_at, created_at) VALUES (2, 'Zoë', 'zoe@example.com', 'email', 'v1', ?, ?)",
        (stamp, stamp),
    )
    conn.close()

    store = Store(path)
    try:
        shared = review.submitted_reflection(store, 1)
        assert journey.shared_answers(shared) == {"fit_learned": "Words"}
        asked = review.submitted_reflection(store, 2)
        assert asked["submitted_at"] == stamp and asked["shared_answers_json"] is None
        assert (asked["reason_codes"], asked["company"]) == ("asked_to_talk", None)
        with pytest.raises(review.NotFound):
            review.submitted_reflection(store, 3)  # a plain draft stays private
        assert [r["kind"] for r in fetch_queue(store).rows] == ["Contact request", "Reflection"]
    finally:
        store.close()


def test_the_overview_counts_shared_reflections_not_contact_requests(store):
    from core.overview import overview

    share(store, draft(store, company="Acme"))
    contact.save_request(store, draft(store), request(), client=UNLIMITED)
    summary = overview(store)
    assert summary.total == 1
    assert sum(b["count"] for b in summary.bands) == 1
    assert sum(c["count"] for c in summary.per_campaign) == 1
