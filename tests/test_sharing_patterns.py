""" "What keeps coming up" reaches consultants only when the candidate ticks to include it
with a share: its own consent, its own snapshot, taken back with the share."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import admin, answer_bank, candidate_exports, document, journey, pattern_history, patterns
from core.consent import PATTERNS_SHARE
from core.limits import UNLIMITED
from tests.test_consultant_pages import all_text, open_detail

ROOT = Path(__file__).resolve().parents[1]
ENDED_AT_FINAL = {
    "company": "Acme Ltd",
    "role": "Analyst",
    "stage_reached": "final_interview",
    "tough_questions": [{"question": "Tell me about a conflict", "kind": "competency"}],
}


@pytest.fixture
def alice(make_consultant) -> int:
    return make_consultant("alice", "Alice")


@pytest.fixture
def two_reflections(store, clock):
    """A candidate whose two reflections, a week apart, both ended at the final interview."""
    session = journey.start(store, client=UNLIMITED)
    for key, value in ENDED_AT_FINAL.items():
        journey.save_answer(store, session.reflection_id, key, value)
    clock.advance(days=7)
    second = journey.new_reflection(store, session.candidate_id, client=UNLIMITED)
    for key, value in {**ENDED_AT_FINAL, "company": "Globex"}.items():
        journey.save_answer(store, second, key, value)
    return journey.Session(session.candidate_id, second)


def _row(store, rid) -> dict:
    return journey.reflection(store, rid)


def _patterns_of(store, session):
    return patterns.find(
        pattern_history.load(store, session.candidate_id, up_to=session.reflection_id)
    )


def test_sharing_with_the_tick_keeps_a_copy_and_its_consent(store, two_reflections):
    session = two_reflections
    found = _patterns_of(store, session)
    assert not found.empty
    answers = journey.load_answers(store, session.reflection_id)
    journey.submit_for_review(store, session.reflection_id, answers, patterns=found.to_snapshot())
    row = _row(store, session.reflection_id)
    assert row["consent_patterns_version"] == PATTERNS_SHARE.version
    assert journey.shared_patterns(row) == found.to_snapshot()
    summary = " · ".join(document.summary(row, journey.shared_answers(row)))
    assert "Keeps coming up:" in summary
    assert "What keeps coming up" in document.reflection_markdown(row, answers)
    exported = candidate_exports.candidate_data(store, session.candidate_id)
    purposes = [c["purpose"] for r in exported["reflections"] for c in r["consents"]]
    assert "include what keeps coming up when sharing" in purposes
    assert exported["reflections"][1]["shared_patterns"] == found.to_snapshot()
    assert exported["what_keeps_coming_up"]["reflections"] == 2


def test_sharing_without_the_tick_sends_no_patterns_and_takes_an_old_copy_back(
    store, two_reflections
):
    session = two_reflections
    answers = journey.load_answers(store, session.reflection_id)
    snapshot = _patterns_of(store, session).to_snapshot()
    journey.submit_for_review(store, session.reflection_id, answers, patterns=snapshot)
    journey.submit_for_review(store, session.reflection_id, answers)
    row = _row(store, session.reflection_id)
    assert row["shared_patterns_json"] is None and row["consent_patterns_version"] is None
    summary = " · ".join(document.summary(row, journey.shared_answers(row)))
    assert "Keeps coming up" not in summary
    assert "What keeps coming up" not in document.reflection_markdown(row, answers)


def test_withdrawing_takes_the_patterns_back_too(store, two_reflections):
    session = two_reflections
    answers = journey.load_answers(store, session.reflection_id)
    snapshot = _patterns_of(store, session).to_snapshot()
    journey.submit_for_review(store, session.reflection_id, answers, patterns=snapshot)
    journey.withdraw_review(store, session.reflection_id)
    row = _row(store, session.reflection_id)
    assert row["shared_patterns_json"] is None and row["consent_patterns_at"] is None


def _open_plan(app, session):
    app.session_state["candidate"] = session
    app.run()
    return app.switch_page("views/plan.py").run()


def _share_from_plan(app, session, include: bool):
    at = _open_plan(app, session)
    assert not at.exception
    at.checkbox(key="consent_review").check().run()
    if include:
        at.checkbox(key="share_patterns").check().run()
    at.button(key="submit_review").click().run()
    assert not at.exception
    return at


def test_the_consultant_sees_the_patterns_only_when_the_candidate_ticked(
    app, store, alice, two_reflections
):
    session = two_reflections
    _share_from_plan(app, session, include=False)
    assert _row(store, session.reflection_id)["shared_patterns_json"] is None
    at = open_detail(app, session.reflection_id)
    assert not at.exception
    assert "What keeps coming up" not in all_text(at)
    assert "Keeps coming up" not in all_text(at)


def test_ticking_include_shows_them_on_the_consultants_page(app, store, alice, two_reflections):
    session = two_reflections
    _share_from_plan(app, session, include=True)
    stored = json.loads(_row(store, session.reflection_id)["shared_patterns_json"])
    assert stored["reflections"] == 2
    # The consultant reads it in a browser session of their own.
    at = open_detail(
        AppTest.from_file(str(ROOT / "app.py"), default_timeout=30), session.reflection_id
    )
    assert not at.exception
    text = all_text(at)
    assert "What keeps coming up" in text
    assert "Keeps coming up:" in text


def test_with_one_reflection_there_is_nothing_to_include(app, store):
    session = journey.start(store, client=UNLIMITED)
    for key, value in ENDED_AT_FINAL.items():
        journey.save_answer(store, session.reflection_id, key, value)
    at = _open_plan(app, session)
    assert not at.exception
    assert not [c for c in at.checkbox if c.key == "share_patterns"]


def test_a_reflection_purged_on_its_own_drops_out_of_the_patterns_and_the_bank(
    store, clock, two_reflections
):
    """The first reflection, a draft left alone past its retention, is purged; the second,
    still in use, stays, and with one reflection left there is no pattern to show."""
    session = two_reflections
    assert not _patterns_of(store, session).empty
    assert len(answer_bank.entries(store, session.candidate_id)) == 2
    journey.save_answer(store, session.reflection_id, "fit_learned", "Still working on it")
    later = clock.now + dt.timedelta(days=5)
    admin.purge(store, draft_days=10, submitted_days=365, now=later)
    remaining = pattern_history.load(store, session.candidate_id)
    assert [r.reflection_id for r in remaining] == [session.reflection_id]
    assert patterns.find(remaining).empty
    assert [e.reflection_id for e in answer_bank.entries(store, session.candidate_id)] == [
        session.reflection_id
    ]


def test_a_purged_reflection_takes_the_shared_copy_quoting_it_with_it(
    store, clock, two_reflections
):
    session = two_reflections
    answers = journey.load_answers(store, session.reflection_id)
    snapshot = _patterns_of(store, session).to_snapshot()
    journey.submit_for_review(store, session.reflection_id, answers, patterns=snapshot)
    admin.purge(store, draft_days=10, submitted_days=365, now=clock.now + dt.timedelta(days=5))
    row = _row(store, session.reflection_id)
    assert row is not None and journey.is_shared(row)  # the shared reflection stays
    assert row["shared_patterns_json"] is None and row["consent_patterns_version"] is None
    summary = " · ".join(document.summary(row, journey.shared_answers(row)))
    assert "Keeps coming up" not in summary
