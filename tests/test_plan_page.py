"""My plan page (AppTest): checklist, taking forward, score, the offer of help, sharing,
withdrawing, deleting."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import contact, journey
from core.limits import UNLIMITED
from core.scoring import score

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def seeded(clock):
    """A reflection heard about five days ago, dated around today."""
    return {
        "company": "Acme Ltd",
        "role": "Analyst",
        "feedback_status": "asked",
        "news_date": clock.days_from_today(-5),
        "takes_criticism": 4,
        "replaying": 2,
        "contacts": [
            {"name": "Priya Shah", "connected": "yes", "next_check_in": clock.days_from_today(15)}
        ],
        "keeps_in_touch": 4,
        "actively_searching": 2,
        "same_cv": 4,
        "improvements": [
            {"action": "Practise the case study", "target_date": clock.days_from_today(6)}
        ],
    }


def _seed(store, answers, session=None):
    session = session or journey.start(store, client=UNLIMITED)
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


def test_shows_checklist_forward_score_and_drafts_in_that_order(app, store, seeded):
    session = _seed(
        store,
        seeded
        | {
            "strengths": [{"strength": "Clear storytelling"}],
            "small_wins": [{"win": "Reached the final"}],
        },
    )
    at = _open_plan(app, session)
    headers = [h.value for h in at.header]
    assert headers[:4] == [
        "This week",
        "What you're taking forward",
        "Where you are now",
        "Messages ready to send",
    ]
    expected = score(journey.load_answers(store, session.reflection_id))
    assert expected.overall is not None
    assert at.metric[0].value == f"{expected.overall} / 100"
    assert f"**{expected.band_label}**" in _texts(at)
    # One checkbox per thing to do, soonest first, dated like a diary.
    ticks = [c for c in at.checkbox if c.key and c.key.startswith("check_")]
    labels = [c.label for c in ticks]
    assert "Send your reply to the rejection" in labels[0]
    assert any("Chase your feedback" in label for label in labels)
    practise = dt.date.fromisoformat(seeded["improvements"][0]["target_date"])
    diary_day = f"**{practise:%a} {practise.day} {practise:%b}"  # a year only if not this one
    assert any(
        label.startswith(diary_day) and "** · Practise the case study" in label for label in labels
    )
    assert "Clear storytelling" in _texts(at) and "Reached the final" in _texts(at)
    code_blocks = "\n".join(c.value for c in at.code)
    assert "Acme Ltd" in code_blocks  # a generated draft mentions the company
    assert any(e.label == "How is this worked out?" for e in at.expander)
    assert "What held it back" not in _texts(at)
    labels = {b.label for b in at.get("download_button")}
    assert labels == {
        "Plan (document)",
        "Add dates to my calendar",
        "Printable page",
        "All my data (JSON)",
    }


def test_ticking_an_item_saves_and_moves_it_down(app, store, seeded):
    session = _seed(store, seeded)
    at = _open_plan(app, session)
    first = next(c for c in at.checkbox if c.key and c.key.startswith("check_"))
    assert "Send your reply to the rejection" in first.label
    first.check().run()
    assert not at.exception
    stored = journey.load_answers(store, session.reflection_id)["checklist"]
    assert stored == [{"item": "rejection_reply", "due": None, "done": "yes"}]
    ticks = [c for c in at.checkbox if c.key and c.key.startswith("check_")]
    assert "Send your reply to the rejection" in ticks[-1].label and ticks[-1].value
    assert "~~" in ticks[-1].label
    # Still ticked on a later visit.
    at.session_state["answers"] = journey.load_answers(store, session.reflection_id)
    at.run()
    ticks = [c for c in at.checkbox if c.key and c.key.startswith("check_")]
    assert ticks[-1].value


def test_changing_a_suggested_date(app, store, seeded):
    session = _seed(store, seeded)
    at = _open_plan(app, session)
    at.selectbox(key="redate_item").set_value("rejection_reply").run()
    (day,) = [d for d in at.date_input if d.label == "New date"]
    day.set_value(dt.date(2030, 1, 9)).run()
    at.button(key="redate_save").click().run()
    assert not at.exception
    stored = journey.load_answers(store, session.reflection_id)["checklist"]
    assert stored == [{"item": "rejection_reply", "due": "2030-01-09", "done": None}]
    ticks = [c for c in at.checkbox if c.key and c.key.startswith("check_")]
    assert ticks[-1].label.startswith("**Wed 9 Jan 2030** · Send your reply")


def test_heavy_feelings_get_a_kind_word_and_a_reason_to_talk(app, store, seeded):
    session = _seed(
        store,
        seeded
        | {"not_good_enough": 5, "can_tailor": 2, "final_rejections_6m": "2", "pipeline": []},
    )
    at = _open_plan(app, session)
    kind = [i.value for i in at.info]
    assert any("That thought is common after a no" in k for k in kind)
    offer = _texts(at).replace("\\", "")  # as read on screen, Markdown escapes dropped
    assert "I keep thinking I'm not good enough." in offer
    assert "look at your CV for the roles you're targeting" in offer
    assert "Two final-stage rejections" in offer
    assert "Whenever you're ready" not in offer


def test_fewer_than_three_steps_gives_a_kind_message(app, store):
    session = _seed(store, {"takes_criticism": 4, "keeps_in_touch": 3})
    at = _open_plan(app, session)
    assert len(at.metric) == 0
    message = at.info[0].value
    assert "at least 3 steps" in message
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


def test_contact_form_refuses_bad_email_then_stores_a_good_request(app, store, seeded):
    session = _seed(store, seeded)
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
    # A status outside any expander says what was sent, and how they'll be contacted.
    (status,) = [s.value.replace("\\", "") for s in at.success]
    assert "your contact details and your message." in status
    assert "by e-mail at zoe@example.com" in status
    assert "Only your contact details and message were sent" in _texts(at)
    # The request reaches consultants without sharing: contact details only, no answers.
    row = journey.reflection(store, session.reflection_id)
    assert row["submitted_at"] and row["shared_answers_json"] is None
    assert (row["company"], row["overall"], row["reason_codes"]) == (None, None, "asked_to_talk")
    # The form has gone: nothing to send twice by accident.
    assert not [b for b in at.button if b.key == "contact_submit"]
    # The status stays on a later visit (it is read from the store).
    at2 = _open_plan(AppTest.from_file(str(ROOT / "app.py"), default_timeout=30), session)
    assert any("Sent on" in s.value for s in at2.success)


def test_one_form_can_also_share_the_reflection(app, store, seeded):
    session = _seed(store, seeded | {"own_name": "Maya Patel"})
    at = _open_plan(app, session)
    assert at.text_input(key="contact_name").value == "Maya Patel"  # asked once, on Welcome
    at.text_input(key="contact_time").input("weekday mornings")
    at.checkbox(key="contact_share").check()
    _fill_contact(at, "maya@example.com")
    row = journey.reflection(store, session.reflection_id)
    assert row["submitted_at"] and row["contact_requested"] == 1
    (request,) = contact.requests_for(store, session.reflection_id)
    assert request["preferred_time"] == "weekday mornings"
    (status,) = [s.value.replace("\\", "") for s in at.success]
    assert "your reflection is with them too" in status
    assert "weekday mornings" in status


def test_contact_request_after_sharing_moves_the_reflection_up(app, store, seeded):
    session = _seed(store, seeded)
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
    assert any("and your reflection" in s.value for s in at.success)


def test_share_stores_scores_and_reasons_then_withdraw(app, store, seeded):
    session = _seed(store, seeded)
    contact.save_request(
        store,
        session.reflection_id,
        contact.validate("Zoë", "zoe@example.com", "", "email", "", True),
        client=UNLIMITED,
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
    assert "Your reflection is shared with our consultants" in _texts(at)

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
    assert "Your reflection is shared with our consultants" not in _texts(at)
    assert at.button(key="submit_review").label == "Share my reflection"


def test_trend_appears_with_more_than_one_scored_reflection(app, store, seeded):
    session = _seed(store, seeded)
    at = _open_plan(app, session)
    assert "Your confidence over time" not in [h.value for h in at.header]
    second = journey.new_reflection(store, session.candidate_id, client=UNLIMITED)
    _seed(store, seeded | {"takes_criticism": 5}, journey.Session(session.candidate_id, second))
    at.session_state["candidate"] = journey.Session(session.candidate_id, second)
    at.session_state["answers"] = journey.load_answers(store, second)
    at.run()
    assert "Your confidence over time" in [h.value for h in at.header]


def test_delete_my_data_asks_first_then_erases_and_forgets(app, store, seeded):
    session = _seed(store, seeded)
    contact.save_request(
        store,
        session.reflection_id,
        contact.validate("Zoë", "zoe@example.com", "", "email", "", True),
        client=UNLIMITED,
    )
    at = _open_plan(app, session)
    _button(at, "delete_data").click().run()
    assert "can't be undone" in _texts(at)
    # Changing their mind keeps everything.
    _button(at, "delete_cancel").click().run()
    assert journey.reflection(store, session.reflection_id) is not None

    at.checkbox(key="consent_review").check().run()  # a consent left half-given
    _button(at, "delete_data").click().run()
    _button(at, "delete_confirm").click().run()
    assert not at.exception
    assert "have been deleted" in _texts(at)
    # Nothing of theirs stays in the session: answers, ticks, the contact form, consents.
    left = [
        key
        for key in at.session_state.to_dict()
        if key in ("candidate", "answers", "confirm_delete", "consent_review")
        or str(key).startswith(("answer_", "check_", "contact_", "draft_seed_"))
    ]
    assert left == []
    with store.read() as conn:
        for table in ("candidates", "reflections", "answers", "contact_requests"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table

    # Any later run treats them as a new visitor.
    at.run()
    assert not at.exception, "\n".join(at.exception[0].stack_trace)
    assert "Start on the Welcome page" in at.info[0].value


def test_deleted_code_is_refused_on_welcome(app, store, seeded):
    session = _seed(store, seeded)
    journey.delete_candidate(store, session.candidate_id)
    with pytest.raises(journey.UnknownCode):
        journey.resume(store, session.code)
    at = app.run()
    next(t for t in at.text_input if t.label == "Your resume code").input(session.code)
    next(b for b in at.button if b.label == "Resume").click().run()
    assert not at.exception
    assert "candidate" not in at.session_state
    assert any("couldn't find" in e.value for e in at.error)


def test_a_stale_contact_form_past_the_cap_stores_nothing_more(app, store, seeded):
    session = _seed(store, seeded)
    at = _open_plan(app, session)
    # Requests sent meanwhile from other tabs fill the cap; this tab still shows the form.
    for _ in range(contact.MAX_REQUESTS_PER_REFLECTION):
        contact.save_request(
            store,
            session.reflection_id,
            contact.validate("Zoë", "zoe@example.com", "", "email", "", True),
            client=UNLIMITED,
        )
    _fill_contact(at, "zoe@example.com")
    # No sixth request is stored; the page shows what was already sent instead of the form.
    assert len(contact.requests_for(store, session.reflection_id)) == 5
    assert any("Sent on" in s.value for s in at.success)
    assert not [b for b in at.button if b.key == "contact_submit"]


def test_a_candidate_can_change_their_details_after_sending(app, store, seeded):
    session = _seed(store, seeded)
    at = _open_plan(app, session)
    _fill_contact(at, "zoe@gmial.com")
    assert any("zoe@gmial.com" in s.value.replace("\\", "") for s in at.success)
    at.button(key="contact_change").click().run()
    assert not at.exception
    # The form comes back filled in from the last request; consent is asked again.
    assert at.text_area(key="contact_message").value == "Evenings, please 🙂"
    assert not at.checkbox(key="contact_consent").value
    at.text_input(key="contact_email").input("zoe@gmail.com")
    at.checkbox(key="contact_consent").check()
    _button(at, "contact_submit").click().run()
    assert not at.exception
    requests = contact.requests_for(store, session.reflection_id)
    assert [r["email"] for r in requests] == ["zoe@gmial.com", "zoe@gmail.com"]
    (status,) = [s.value.replace("\\", "") for s in at.success]
    assert "by e-mail at zoe@gmail.com" in status
