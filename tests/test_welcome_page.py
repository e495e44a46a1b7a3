"""AppTest of Welcome: start, resume by code or link, bad codes, a new reflection."""

from __future__ import annotations

from core import codes, journey
from core.consent import STORE_ANSWERS
from core.limits import UNLIMITED


def texts(elements):
    return " ".join(str(e.value) for e in elements)


def type_code(at, code):
    # Inside a form a typed value travels with the submit, in the same run.
    at.text_input[0].input(code)
    at.button(key="FormSubmitter:resume_form-Resume").click().run()


def start(at):
    at.run()
    at.checkbox(key="consent_store").check().run()
    [b for b in at.button if b.label == "Start my reflection"][0].click().run()
    assert not at.exception
    return at


def test_start_needs_consent_and_records_it(app, store):
    at = app.run()
    button = [b for b in at.button if b.label == "Start my reflection"][0]
    assert button.disabled
    start(at)
    session = at.session_state["candidate"]
    row = journey.reflection(store, session.reflection_id)
    assert row["consent_store_version"] == STORE_ANSWERS.version
    assert row["consent_store_at"]
    assert "You're all set" in texts(at.success)
    # The code is shown, and the same code resumes this candidate.
    shown = at.session_state["resume_code"]
    assert shown in [c.value for c in at.code]
    assert journey.resume(store, shown).candidate_id == session.candidate_id


def test_full_resume_link_uses_the_browser_address(app, store):
    app.context = {"url": "https://jobs.example.com/bounce/welcome?utm_source=blog"}
    at = start(app)
    code = at.session_state["resume_code"]
    assert f"https://jobs.example.com/bounce/?resume={code}" in [c.value for c in at.code]


def test_resume_link_falls_back_to_relative_without_an_address(app, store):
    at = start(app)
    code = at.session_state["resume_code"]
    assert f"?resume={code}" in [c.value for c in at.code]


def test_resume_by_typed_code(app, store):
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "company", "Acme")
    at = app.run()
    type_code(at, session.code.lower().replace("-", " "))
    assert not at.exception
    assert at.session_state["candidate"].reflection_id == session.reflection_id
    assert "Welcome back" in texts(at.success)
    assert at.text_input(key="answer_company").value == "Acme"


def open_link(app, code):
    """Arrive from a `?resume=` link and answer the question it asks with Open."""
    app.query_params["resume"] = code
    at = app.run()
    assert "candidate" not in at.session_state  # never attached before the visitor says so
    at.button(key="resume_open").click().run()
    return at


def test_resume_by_link_parameter(app, store):
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "role", "Analyst")
    at = open_link(app, session.code)
    assert not at.exception
    assert at.session_state["candidate"].candidate_id == session.candidate_id
    assert at.text_input(key="answer_role").value == "Analyst"


def test_resumed_candidate_can_open_any_step(app, store):
    session = journey.start(store, client=UNLIMITED)
    at = open_link(app, session.code)
    at.switch_page("views/step3_options.py").run()
    assert not at.exception
    assert at.title[0].value == "Keep your options open"
    assert "Start on the Welcome page first" not in texts(at.info)
    assert at.session_state["candidate"].candidate_id == session.candidate_id


def test_malformed_code_gives_a_message(app, store):
    at = app.run()
    type_code(at, "not-a-code")
    assert not at.exception
    assert "doesn't look like a resume code" in texts(at.error)
    assert "candidate" not in at.session_state


def test_unknown_code_gives_a_message(app, store):
    at = app.run()
    type_code(at, codes.new_code())
    assert not at.exception
    assert "couldn't find any answers" in texts(at.error)
    assert "candidate" not in at.session_state


def test_bad_code_in_the_link_gives_a_message(app, store):
    app.query_params["resume"] = "<script>alert(1)</script>"
    at = app.run()
    assert not at.exception
    assert "doesn't look like a resume code" in texts(at.error)
    assert "candidate" not in at.session_state
    # And a start is still possible.
    start(at)
    assert at.session_state["candidate"] is not None


def test_new_reflection_under_the_same_code(app, store):
    first = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, first.reflection_id, "company", "Acme")
    at = open_link(app, first.code)
    assert at.text_input(key="answer_company").value == "Acme"
    at.button(key="new_reflection").click().run()
    assert not at.exception
    current = at.session_state["candidate"]
    assert current.candidate_id == first.candidate_id
    assert current.reflection_id != first.reflection_id
    assert "fresh reflection" in texts(at.success)
    # The new reflection starts empty and saves separately; the old one is untouched.
    assert at.text_input(key="answer_company").value == ""
    at.text_input(key="answer_company").input("Beta").run()
    assert journey.load_answers(store, current.reflection_id)["company"] == "Beta"
    assert journey.load_answers(store, first.reflection_id)["company"] == "Acme"
    # The code now opens the newest reflection, and the history holds both.
    assert journey.resume(store, first.code).reflection_id == current.reflection_id
    assert len(journey.history(store, first.candidate_id)) == 2


def test_context_questions_save(app, store):
    at = start(app)
    at.text_input(key="answer_role").input("Data Analyst").run()
    at.selectbox(key="answer_stage_reached").set_value("final_interview").run()
    at.selectbox(key="answer_news_channel").set_value("email").run()
    rid = at.session_state["candidate"].reflection_id
    stored = journey.load_answers(store, rid)
    assert stored["role"] == "Data Analyst"
    assert stored["stage_reached"] == "final_interview"
    assert stored["news_channel"] == "email"
    assert journey.reflection(store, rid)["stage_reached"] == "final_interview"


def test_honest_time_estimate_and_optional_own_name_signs_the_drafts(app, store):
    at = start(app)
    intro = texts(at.markdown)
    assert "15 to 20 minutes" in intro and "ten minutes" not in intro
    name = at.text_input(key="answer_own_name")
    assert "optional" in name.label
    name.input("Maya Patel").run()
    assert not at.exception
    session = at.session_state["candidate"]
    answers = journey.load_answers(store, session.reflection_id)
    assert answers["own_name"] == "Maya Patel"
    from core import drafts

    assert drafts.rejection_reply(answers).body.endswith("\nMaya Patel")


def test_a_resume_link_asks_first_and_shows_only_the_start_of_the_code(app, store):
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "company", "Acme")
    app.query_params["resume"] = session.code
    at = app.run()
    assert not at.exception
    assert "candidate" not in at.session_state
    shown = " ".join(str(m.value) for m in at.markdown)
    assert f"Open the reflection saved under {session.code[:4]}-…?" in shown
    assert session.code not in shown
    # The code leaves the address bar at once.
    assert "resume" not in at.query_params
    # Nothing of the reflection is drawn while the question is open.
    assert not [t for t in at.text_input if t.value == "Acme"]


def test_start_my_own_leaves_the_linked_reflection_alone(app, store):
    session = journey.start(store, client=UNLIMITED)
    app.query_params["resume"] = session.code
    at = app.run()
    at.button(key="resume_decline").click().run()
    assert not at.exception
    assert "candidate" not in at.session_state
    start(at)
    assert at.session_state["candidate"].candidate_id != session.candidate_id
