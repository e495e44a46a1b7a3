"""My plan page (AppTest): score, actions, contact form, sharing, withdrawing, deleting."""

from __future__ import annotations

import json

import pytest

from core import contact, journey
from core.scoring import score

SEEDED = {
    "company": "Acme Ltd",
    "role": "Analyst",
    "feedback_status": "asked",
    "news_date": "2026-11-20",
    "takes_criticism": 4,
    "replaying": 2,
    "contacts": [{"name": "Priya Shah", "connected": "yes", "next_check_in": "2026-12-10"}],
    "keeps_in_touch": 4,
    "actively_searching": 2,
    "same_cv": 4,
    "improvements": [{"action": "Practise the case study", "target_date": "2026-12-01"}],
}


def _seed(store, answers, session=None):
    session = session or journey.start(store)
    for key, value in answers.items():
        journey.save_answer(store, session.reflection_id, key, value)
    return session


def _open_plan(app, session):
    at = app
    at.session_state["candidate"] = session
    at.run()
    at.switch_page("views/plan.py").run()
    assert not at.exception
    return at


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info]
    parts += [s.value for s in at.success] + [w.value for w in at.warning]
    parts += [e.value for e in at.error] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def _button(at, key):
    return at.button(key=key)


def test_shows_score_band_actions_and_drafts(app, store):
    session = _seed(store, SEEDED)
    at = _open_plan(app, session)
    expected = score(journey.load_answers(store, session.reflection_id))
    assert expected.overall is not None
    assert at.metric[0].value == f"{expected.overall:g} / 100"
    assert f"**{expected.band_label}**" in _texts(at)
    actions = next(d.value for d in at.dataframe if "What" in d.value.columns)
    assert list(actions["What"])[:3] == [
        "Chase your feedback",
        "Practise the case study",
        "Check in with Priya Shah",
    ]
    code_blocks = "\n".join(c.value for c in at.code)
    assert "Acme Ltd" in code_blocks  # a generated draft mentions the company
    assert any(e.label == "How is this worked out?" for e in at.expander)


def test_fewer_than_three_steps_gives_a_kind_message(app, store):
    session = _seed(store, {"takes_criticism": 4, "keeps_in_touch": 3})
    at = _open_plan(app, session)
    assert len(at.metric) == 0
    message = at.info[0].value
    assert "at least three steps" in message
    assert "Step 3: Keep your options open" in message
    assert "Step 1" not in message


def test_without_a_reflection_points_to_welcome(app):
    at = app.run()
    at.switch_page("views/plan.py").run()
    assert not at.exception
    assert "Start on the Welcome page" in at.info[0].value
    assert len(at.button) == 0


def _fill_contact(at, email):
    at.text_input(key="contact_name").input("Zoë")
    at.text_input(key="contact_email").input(email)
    at.selectbox(key="contact_channel").set_value("email")
    at.text_area(key="contact_message").input("Evenings, please 🙂")
    at.checkbox(key="contact_consent").check()
    _button(at, "contact_submit").click().run()
    assert not at.exception
    return at


def test_contact_form_refuses_bad_email_then_stores_a_good_request(app, store):
    session = _seed(store, SEEDED)
    at = _open_plan(app, session)
    _fill_contact(at, "zoe@nowhere")
    assert any("e-mail address doesn't look complete" in e.value for e in at.error)
    assert contact.requests_for(store, session.reflection_id) == []
    # What they typed is still there to correct.
    assert at.text_input(key="contact_name").value == "Zoë"

    at.text_input(key="contact_email").input("zoe@example.com")
    _button(at, "contact_submit").click().run()
    assert not at.exception
    (request,) = contact.requests_for(store, session.reflection_id)
    assert request["email"] == "zoe@example.com"
    assert request["message"] == "Evenings, please 🙂"
    assert not at.error
    # The request reaches consultants without sharing: contact details only, no answers.
    assert "We have your request" in _texts(at)
    row = journey.reflection(store, session.reflection_id)
    assert row["submitted_at"] and row["shared_answers_json"] is None
    assert (row["company"], row["overall"], row["reason_codes"]) == (None, None, "asked_to_talk")
    # The suggestion now leads with their own request.
    assert "You asked to talk to someone." in _texts(at)


def test_contact_request_after_sharing_moves_the_reflection_up(app, store):
    session = _seed(store, SEEDED)
    at = _open_plan(app, session)
    at.checkbox(key="consent_review").check().run()
    _button(at, "submit_review").click().run()
    before = journey.reflection(store, session.reflection_id)
    assert before["contact_requested"] == 0
    _fill_contact(at, "zoe@example.com")
    after = journey.reflection(store, session.reflection_id)
    assert after["contact_requested"] == 1
    assert after["reason_codes"].split()[0] == "asked_to_talk"
    assert after["priority"] == before["priority"] + 100
    assert "We have your request" in _texts(at)


def test_share_stores_scores_and_reasons_then_withdraw(app, store):
    session = _seed(store, SEEDED)
    contact.save_request(
        store,
        session.reflection_id,
        contact.validate("Zoë", "zoe@example.com", "", "email", "", True),
    )
    at = _open_plan(app, session)
    assert _button(at, "submit_review").disabled
    at.checkbox(key="consent_review").check().run()
    _button(at, "submit_review").click().run()
    assert not at.exception

    row = journey.reflection(store, session.reflection_id)
    expected = score(journey.load_answers(store, session.reflection_id))
    assert row["submitted_at"]
    assert row["overall"] == expected.overall
    assert row["band"] == expected.band
    reasons = json.loads(row["reasons_json"])
    assert reasons[0]["code"] == "asked_to_talk"
    assert row["priority"] == sum(r["priority"] for r in reasons)
    assert row["contact_requested"] == 1
    assert "Shared with our consultants" in _texts(at)

    # More edits, then "send my latest answers" refreshes what consultants see.
    journey.save_answer(
        store,
        session.reflection_id,
        "pipeline",
        [{"company": "Globex", "cv_tailored": "yes"}, {"company": "Initech", "cv_tailored": "yes"}],
    )
    at.session_state["answers"] = journey.load_answers(store, session.reflection_id)
    _button(at, "resubmit_review").click().run()
    refreshed = journey.reflection(store, session.reflection_id)
    assert refreshed["score_options"] > (row["score_options"] or 0)
    assert "no_live_options" not in refreshed["reason_codes"]

    _button(at, "withdraw_review").click().run()
    assert not at.exception
    withdrawn = journey.reflection(store, session.reflection_id)
    # The answers, scores and reasons are gone; the contact request stays with consultants.
    assert withdrawn["shared_answers_json"] is None and withdrawn["overall"] is None
    assert withdrawn["submitted_at"] and withdrawn["reason_codes"] == "asked_to_talk"
    assert "Shared with our consultants" not in _texts(at)
    assert at.button(key="submit_review").label == "Share my reflection"


def test_trend_appears_with_more_than_one_scored_reflection(app, store):
    session = _seed(store, SEEDED)
    at = _open_plan(app, session)
    assert "Your confidence over time" not in [h.value for h in at.header]
    second = journey.new_reflection(store, session.candidate_id)
    _seed(store, SEEDED | {"takes_criticism": 5}, journey.Session(session.candidate_id, second))
    at.session_state["candidate"] = journey.Session(session.candidate_id, second)
    at.session_state["answers"] = journey.load_answers(store, second)
    at.run()
    assert "Your confidence over time" in [h.value for h in at.header]


def test_delete_my_data_asks_first_then_erases_and_forgets(app, store):
    session = _seed(store, SEEDED)
    contact.save_request(
        store,
        session.reflection_id,
        contact.validate("Zoë", "zoe@example.com", "", "email", "", True),
    )
    at = _open_plan(app, session)
    _button(at, "delete_data").click().run()
    assert "can't be undone" in _texts(at)
    # Changing their mind keeps everything.
    _button(at, "delete_cancel").click().run()
    assert journey.reflection(store, session.reflection_id) is not None

    _button(at, "delete_data").click().run()
    _button(at, "delete_confirm").click().run()
    assert not at.exception
    assert "have been deleted" in _texts(at)
    assert "candidate" not in at.session_state
    assert "answers" not in at.session_state
    with store.read() as conn:
        for table in ("candidates", "reflections", "answers", "contact_requests"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table

    # Any later run treats them as a new visitor.
    at.run()
    assert not at.exception, "\n".join(at.exception[0].stack_trace)
    assert "Start on the Welcome page" in at.info[0].value


def test_deleted_code_is_refused_on_welcome(app, store):
    session = _seed(store, SEEDED)
    journey.delete_candidate(store, session.candidate_id)
    with pytest.raises(journey.UnknownCode):
        journey.resume(store, session.code)
    at = app.run()
    next(t for t in at.text_input if t.label == "Your resume code").input(session.code)
    next(b for b in at.button if b.label == "Resume").click().run()
    assert not at.exception
    assert "candidate" not in at.session_state
    assert any("couldn't find" in e.value for e in at.error)


def test_the_contact_form_says_so_when_the_cap_is_reached(app, store):
    session = _seed(store, SEEDED)
    for _ in range(contact.MAX_REQUESTS_PER_REFLECTION):
        contact.save_request(
            store,
            session.reflection_id,
            contact.validate("Zoë", "zoe@example.com", "", "email", "", True),
        )
    at = _open_plan(app, session)
    _fill_contact(at, "zoe@example.com")
    assert any("won't store another" in e.value for e in at.error)
    assert len(contact.requests_for(store, session.reflection_id)) == 5
