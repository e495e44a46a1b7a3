"""AppTest of the five steps: they render, save as you go, refuse bad input kindly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import drafts, journey, step_hints
from core.limits import UNLIMITED
from core.questionnaire import FIELDS_BY_KEY, LINKEDIN_NOTE_LIMIT, LONG_TEXT, STEPS, STEPS_BY_KEY
from ui import step as step_ui

PAGES = {
    "feedback": "views/step1_feedback.py",
    "connections": "views/step2_connections.py",
    "options": "views/step3_options.py",
    "approach": "views/step4_approach.py",
    "learning": "views/step5_learning.py",
}


APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_step(app, store, step_key, answers=None):
    """A started candidate (with optional saved answers) looking at one step.

    `app` (the fixture) points the app at a fresh database; each call gets its own
    browser session.
    """
    session = journey.start(store, client=UNLIMITED)
    for key, value in (answers or {}).items():
        journey.save_answer(store, session.reflection_id, key, value)
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["candidate"] = session
    at.run()
    at.switch_page(PAGES[step_key]).run()
    assert not at.exception
    return at, session


def saved(store, session):
    return journey.load_answers(store, session.reflection_id)


def every_rating_of(step_key: str) -> dict[str, int]:
    """Every self-rating of the step answered (one half of what makes a step done)."""
    return {f.key: 3 for f in STEPS_BY_KEY[step_key].fields if f.kind == "likert"}


def copied_texts(at) -> list[str]:
    """What each "Copy message" button on the page would put on the clipboard."""
    return [step_ui.copied_text(frame.proto.srcdoc) for frame in at.get("iframe")]


def texts(elements):
    return " ".join(str(e.value) for e in elements)


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.key)
def test_each_step_renders_with_its_title_and_ratings(app, store, step):
    at, _ = open_step(app, store, step.key)
    assert at.title[0].value == step.title
    likerts = [f.key for f in step.fields if f.kind == "likert"]
    for key in likerts:
        assert at.segmented_control(key=f"answer_{key}").value is None
    assert any(b.label.startswith("Next:") for b in at.button)


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.key)
def test_step_before_welcome_shows_start_first(app, step):
    at = app.run()
    at.switch_page(PAGES[step.key]).run()
    assert not at.exception
    assert "Start on the Welcome page first" in texts(at.info)
    assert len(at.text_area) == 0 and len(at.segmented_control) == 0


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.key)
def test_every_self_rating_saves(app, store, step):
    at, session = open_step(app, store, step.key)
    likerts = [f for f in step.fields if f.kind == "likert"]
    for value, spec in enumerate(likerts, start=1):
        at.segmented_control(key=f"answer_{spec.key}").set_value(value % 5 + 1).run()
        assert not at.exception
    stored = saved(store, session)
    for value, spec in enumerate(likerts, start=1):
        assert stored[spec.key] == value % 5 + 1


def test_step1_choices_and_name_save_and_shape_the_draft(app, store):
    at, session = open_step(app, store, "feedback", {"company": "Acme", "role": "Analyst"})
    at.selectbox(key="answer_feedback_status").set_value("planning").run()
    at.selectbox(key="answer_feedback_contact").set_value("hiring_manager").run()
    at.text_input(key="answer_feedback_contact_name").input("Priya").run()
    assert not at.exception
    stored = saved(store, session)
    assert stored["feedback_status"] == "planning"
    assert stored["feedback_contact"] == "hiring_manager"
    assert stored["feedback_contact_name"] == "Priya"
    # The untouched draft follows the answers and is not saved as the candidate's own.
    request = at.text_area(key="answer_feedback_request").value
    assert request.startswith("Hi Priya,")
    assert "As you led the interviews" in request
    assert "feedback_request" not in stored
    expected = drafts.feedback_request(stored, "any")
    mail = [b for b in at.get("link_button") if b.proto.url.startswith("mailto:")]
    assert mail and mail[0].proto.url == drafts.mailto_link(expected)
    # The visible "Copy message" button copies exactly the message on screen.
    assert request in copied_texts(at)


def test_step1_edited_request_is_kept_and_can_start_again(app, store):
    at, session = open_step(app, store, "feedback", {"feedback_contact_name": "Sam"})
    at.text_area(key="answer_feedback_request").input("My own words 🙂").run()
    assert saved(store, session)["feedback_request"] == "My own words 🙂"
    # A later change of name must not overwrite the candidate's own version.
    at.text_input(key="answer_feedback_contact_name").input("Jo").run()
    assert at.text_area(key="answer_feedback_request").value == "My own words 🙂"
    at.button(key="reset_feedback_request").click().run()
    assert not at.exception
    assert at.text_area(key="answer_feedback_request").value.startswith("Hi Jo,")
    assert "feedback_request" not in saved(store, session)


def test_an_old_suggestion_sent_back_by_a_slow_browser_is_not_saved_as_an_edit(app, store):
    at, session = open_step(app, store, "feedback", {"feedback_contact_name": "Sam"})
    older = at.text_area(key="answer_feedback_request").value
    at.text_input(key="answer_feedback_contact_name").input("Jo").run()
    # The browser still showed the "Hi Sam" suggestion when the next change went out.
    at.text_area(key="answer_feedback_request").input(older).run()
    assert not at.exception
    assert "feedback_request" not in saved(store, session)
    assert at.text_area(key="answer_feedback_request").value.startswith("Hi Jo,")
    # A real edit is still the candidate's own.
    at.text_area(key="answer_feedback_request").input(older + " Thanks again.").run()
    assert saved(store, session)["feedback_request"] == older + " Thanks again."


def test_step1_over_long_answer_shows_message_and_keeps_previous(app, store):
    at, session = open_step(
        app, store, "feedback", {"feedback_status": "received", "feedback_received": "Kept"}
    )
    at.text_area(key="answer_feedback_received").input("z" * (LONG_TEXT + 1)).run()
    assert not at.exception
    assert f"the limit is {LONG_TEXT:,}" in texts(at.error)
    assert saved(store, session)["feedback_received"] == "Kept"
    # Fixing it clears the message and saves.
    at.text_area(key="answer_feedback_received").input("Shorter").run()
    assert "the limit" not in texts(at.error)
    assert saved(store, session)["feedback_received"] == "Shorter"


def test_step1_control_character_is_refused_next_to_the_field(app, store):
    at, session = open_step(app, store, "feedback", {"feedback_contact_name": "Sam"})
    at.text_input(key="answer_feedback_contact_name").input("Sam\x00").run()
    assert not at.exception
    assert "control character" in texts(at.error)
    assert saved(store, session)["feedback_contact_name"] == "Sam"


def test_step1_sections_follow_the_status_but_never_hide_saved_feedback(app, store):
    at, _ = open_step(app, store, "feedback", {"feedback_status": "received"})
    assert "What came back" in [s.value for s in at.header]
    at, _ = open_step(app, store, "feedback", {"feedback_status": "not_yet"})
    assert "What came back" not in [s.value for s in at.header]
    assert any("Already heard back" in e.label for e in at.expander)
    at, _ = open_step(
        app,
        store,
        "feedback",
        {"feedback_status": "not_yet", "feedback_received": "Be more concrete"},
    )
    assert "What came back" in [s.value for s in at.header]
    assert at.text_area(key="answer_feedback_received").value == "Be more concrete"


UNICODE = "Zoë 👩🏽‍💻 \u200fمرحبا\u200f e\u0301"


def test_unicode_round_trips_through_a_widget(app, store):
    at, session = open_step(app, store, "learning")
    at.text_area(key="answer_fit_learned").input(UNICODE).run()
    assert saved(store, session)["fit_learned"] == UNICODE
    # A fresh session resumed from the database shows it back exactly.
    app2 = AppTest.from_file(APP, default_timeout=30)
    app2.session_state["candidate"] = journey.Session(session.candidate_id, session.reflection_id)
    at2 = app2.run()
    at2.switch_page(PAGES["learning"]).run()
    assert at2.text_area(key="answer_fit_learned").value == UNICODE


def add_card(at, key):
    """Press "Add a…/Add another…" under a list and return the new card's id."""
    before = {b.key for b in at.button if b.key and b.key.startswith(f"remove_{key}_")}
    at.button(key=f"add_{key}").click().run()
    assert not at.exception
    after = {b.key for b in at.button if b.key and b.key.startswith(f"remove_{key}_")}
    (new,) = after - before
    return int(new.rsplit("_", 1)[1])


def cell(key, card_id, column):
    return f"card_{key}_{card_id}_{column}"


def test_step2_contacts_card_saves_labels_as_keys(app, store):
    at, session = open_step(app, store, "connections")
    card = add_card(at, "contacts")
    at.text_input(key=cell("contacts", card, "name")).input("Sam").run()
    at.text_input(key=cell("contacts", card, "linkedin")).input("linkedin.com/in/sam").run()
    at.selectbox(key=cell("contacts", card, "connected")).set_value("requested").run()
    at.date_input(key=cell("contacts", card, "next_check_in")).set_value(dt.date(2026, 12, 1)).run()
    assert not at.exception
    assert saved(store, session)["contacts"] == [
        {
            "name": "Sam",
            "role": "",
            "linkedin": "https://linkedin.com/in/sam",
            "connected": "requested",
            "next_check_in": "2026-12-01",
        }
    ]
    profile_links = [b.proto.url for b in at.get("link_button")]
    assert "https://linkedin.com/in/sam" in profile_links


def test_step2_bad_linkedin_url_shows_message_and_keeps_saved_rows(app, store):
    before = [{"name": "Sam", "connected": "yes"}]
    at, session = open_step(app, store, "connections", {"contacts": before})
    box = at.text_input(key=cell("contacts", 0, "linkedin"))
    box.input("javascript:alert(1)").run()
    assert not at.exception
    assert "should be a LinkedIn profile address" in texts(at.error)
    # The refused text stays in the box so it can be corrected.
    assert at.text_input(key=cell("contacts", 0, "linkedin")).value == "javascript:alert(1)"
    assert saved(store, session)["contacts"][0]["linkedin"] == ""


def test_step2_linkedin_note_counts_and_flags_a_note_at_the_limit(app, store):
    at, session = open_step(app, store, "connections", {"company": "Acme", "role": "Analyst"})
    note = at.text_area(key="answer_linkedin_note").value
    assert len(note) <= LINKEDIN_NOTE_LIMIT
    assert f"{len(note)} of {LINKEDIN_NOTE_LIMIT} characters." in texts(at.caption)
    # The widget stops at the limit and the server cuts anything longer that gets
    # through, so an over-long note is saved cut short, and the page says so.
    at.text_area(key="answer_linkedin_note").set_value("n" * (LINKEDIN_NOTE_LIMIT + 50)).run()
    assert not at.exception
    assert len(saved(store, session)["linkedin_note"]) == LINKEDIN_NOTE_LIMIT
    assert "was cut off" in texts(at.warning)


def test_step2_reply_choice_saves(app, store):
    at, session = open_step(app, store, "connections")
    at.selectbox(key="answer_replied_to_rejection").set_value("drafting").run()
    assert saved(store, session)["replied_to_rejection"] == "drafting"
    assert at.text_area(key="answer_rejection_reply").value.startswith("Hello,")


def test_step3_nudge_with_an_empty_pipeline(app, store):
    at, _ = open_step(app, store, "options")
    assert "Nothing else on the go yet" in texts(at.info)
    vacancy = [b for b in at.get("link_button") if "vacancies" in b.proto.label.lower()]
    assert vacancy and vacancy[0].proto.url == "https://example.com/vacancies"


def test_step3_pipeline_card_removes_nudge_and_untailored_cvs_warn(app, store):
    at, session = open_step(app, store, "options")
    first = add_card(at, "pipeline")
    at.text_input(key=cell("pipeline", first, "company")).input("Beta").run()
    at.selectbox(key=cell("pipeline", first, "cv_tailored")).set_value("no").run()
    at.date_input(key=cell("pipeline", first, "next_step")).set_value(dt.date(2026, 12, 1)).run()
    second = add_card(at, "pipeline")
    at.text_input(key=cell("pipeline", second, "company")).input("Gamma").run()
    at.selectbox(key=cell("pipeline", second, "cv_tailored")).set_value("no").run()
    at.selectbox(key=cell("pipeline", second, "stage")).set_value("applied").run()
    assert not at.exception
    assert "Nothing else on the go yet" not in texts(at.info)
    assert "2 of your 2 applications" in texts(at.warning)
    rows = saved(store, session)["pipeline"]
    assert rows[0]["next_step"] == "2026-12-01"
    assert rows[1]["stage"] == "applied"


def test_step4_cards_and_star_parts_save(app, store):
    at, session = open_step(app, store, "approach")
    stage = add_card(at, "stage_ratings")
    at.selectbox(key=cell("stage_ratings", stage, "stage")).set_value("final_interview").run()
    at.selectbox(key=cell("stage_ratings", stage, "confidence")).set_value(2).run()
    question = add_card(at, "tough_questions")
    for part, text in (("question", "Why us?"), ("situation", "S"), ("action", "A")):
        at.text_area(key=cell("tough_questions", question, part)).input(text).run()
    at.text_area(key=cell("tough_questions", question, "result")).input("R").run()
    better = add_card(at, "improvements")
    at.text_area(key=cell("improvements", better, "action")).input("Mock interview").run()
    at.date_input(key=cell("improvements", better, "target_date")).set_value(
        dt.date(2026, 12, 10)
    ).run()
    assert not at.exception
    stored = saved(store, session)
    assert stored["stage_ratings"] == [{"stage": "final_interview", "confidence": 2, "notes": ""}]
    assert stored["tough_questions"] == [
        {
            "question": "Why us?",
            "kind": None,
            "situation": "S",
            "task": "",
            "action": "A",
            "result": "R",
            "ready": None,
        }
    ]
    assert stored["improvements"] == [{"action": "Mock interview", "target_date": "2026-12-10"}]


def test_step4_a_card_missing_a_required_answer_waits_and_says_so(app, store):
    at, session = open_step(app, store, "approach")
    stage = add_card(at, "stage_ratings")
    at.selectbox(key=cell("stage_ratings", stage, "stage")).set_value("final_interview").run()
    assert "please fill in Confidence (1–5)" in texts(at.caption)
    assert "stage_ratings" not in saved(store, session)
    at.selectbox(key=cell("stage_ratings", stage, "confidence")).set_value(4).run()
    assert "please fill in" not in texts(at.caption)
    assert saved(store, session)["stage_ratings"][0]["confidence"] == 4


def test_step5_text_and_choice_save(app, store):
    at, session = open_step(app, store, "learning")
    at.text_area(key="answer_questions_next_time").input("What does success look like?").run()
    at.selectbox(key="answer_final_rejections_6m").set_value("3+").run()
    stored = saved(store, session)
    assert stored["questions_next_time"] == "What does success look like?"
    assert stored["final_rejections_6m"] == "3+"


def test_next_leads_on_and_progress_ticks(app, store):
    at, _ = open_step(
        app,
        store,
        "options",
        {"pipeline": [{"company": "Beta"}], **every_rating_of("options")},
    )
    assert "1 of 5 steps done" in at.sidebar.get("progress")[0].proto.text
    at.button(key="next_options").click().run()
    assert at.title[0].value == "Review your approach"


def test_saved_rows_show_in_their_cards(app, store):
    rows = [
        {
            "name": "Zoë",
            "role": "",
            "linkedin": "https://linkedin.com/in/zoe",
            "connected": "requested",
            "next_check_in": "2026-12-01",
        },
        {"name": "Al", "role": "CTO", "linkedin": "", "connected": None, "next_check_in": None},
    ]
    at, session = open_step(app, store, "connections", {"contacts": rows})
    assert at.text_input(key=cell("contacts", 0, "name")).value == "Zoë"
    assert at.selectbox(key=cell("contacts", 0, "connected")).value == "requested"
    assert at.date_input(key=cell("contacts", 0, "next_check_in")).value == dt.date(2026, 12, 1)
    assert at.text_input(key=cell("contacts", 1, "role")).value == "CTO"
    at.text_input(key=cell("contacts", 1, "role")).input("CEO").run()
    rows[1]["role"] = "CEO"
    assert saved(store, session)["contacts"] == rows


def _pipeline(*tailored):
    return {"pipeline": [{"company": f"C{i}", "cv_tailored": t} for i, t in enumerate(tailored)]}


def test_hints_nudge_only_when_the_pipeline_is_empty():
    assert step_hints.over_invested({}) is not None
    assert step_hints.over_invested({"pipeline": []}) is not None
    assert step_hints.over_invested(_pipeline(None)) is None


def test_hints_warn_when_many_applications_use_an_untailored_cv():
    assert step_hints.untailored_cvs(_pipeline("no")) is None  # one is not "many"
    assert step_hints.untailored_cvs(_pipeline("no", "no")) is not None
    assert step_hints.untailored_cvs(_pipeline("no", "no", "yes", "yes")) is not None
    assert step_hints.untailored_cvs(_pipeline("no", "no", "yes", "yes", "yes")) is None
    # Rows that don't say are not counted as untailored.
    assert step_hints.untailored_cvs(_pipeline("no", None, None)) is None
    kinds = [h.kind for h in step_hints.options_hints(_pipeline("no", "no"))]
    assert kinds == ["warning"]
    assert [h.kind for h in step_hints.options_hints({})] == ["nudge"]


def test_visiting_a_step_never_rewrites_saved_rows(app, store):
    """Rows the editor can't show exactly (say an option since retired) survive a visit."""
    at, session = open_step(app, store, "connections", {"contacts": [{"name": "Sam"}]})
    odd = '[{"name": "Sam", "connected": "retired-option", "next_check_in": null}]'
    with store.write() as conn:
        conn.execute(
            "UPDATE answers SET value = ? WHERE reflection_id = ? AND key = 'contacts'",
            (odd, session.reflection_id),
        )
    fresh = AppTest.from_file(APP, default_timeout=30)
    fresh.session_state["candidate"] = session
    fresh.run()
    fresh.switch_page(PAGES["connections"]).run()
    fresh.run()
    assert not fresh.exception
    assert saved(store, session)["contacts"][0]["connected"] == "retired-option"


def test_a_card_saved_in_this_run_already_counts_in_the_progress(app, store):
    at, _ = open_step(app, store, "options", every_rating_of("options"))
    assert "0 of 5 steps done" in at.sidebar.get("progress")[0].proto.text
    card = add_card(at, "pipeline")
    at.text_input(key=cell("pipeline", card, "company")).input("Beta").run()
    assert "1 of 5 steps done" in at.sidebar.get("progress")[0].proto.text


@pytest.mark.parametrize("index", range(len(STEPS)))
def test_every_step_has_a_next_button_leading_on(app, store, index):
    step = STEPS[index]
    at, _ = open_step(app, store, step.key)
    at.button(key=f"next_{step.key}").click().run()
    assert not at.exception
    following = STEPS[index + 1].title if index + 1 < len(STEPS) else "My plan"
    assert at.title[0].value == following


def test_clearing_a_draft_keeps_the_box_empty_until_the_candidate_leaves(app, store):
    at, session = open_step(app, store, "connections")
    assert at.text_area(key="answer_rejection_reply").value.startswith("Hello,")
    at.text_area(key="answer_rejection_reply").input("").run()
    at.selectbox(key="answer_replied_to_rejection").set_value("drafting").run()
    assert at.text_area(key="answer_rejection_reply").value == ""
    assert "rejection_reply" not in saved(store, session)
    # Coming back later, our suggestion is offered again.
    at.switch_page(PAGES["options"]).run()
    at.switch_page(PAGES["connections"]).run()
    assert at.text_area(key="answer_rejection_reply").value.startswith("Hello,")


def test_step1_a_message_too_long_for_an_email_link_is_copy_only(app, store):
    at, _ = open_step(app, store, "feedback", {"feedback_contact_name": "Sam"})
    long_message = "Thank you — " + "é" * 600
    at.text_area(key="answer_feedback_request").input(long_message).run()
    assert not at.exception
    assert not [b for b in at.get("link_button") if b.proto.url.startswith("mailto:")]
    assert "copy it with the button below instead" in texts(at.caption)
    assert long_message in copied_texts(at)


def test_step5_strengths_and_wins_start_with_examples(app, store):
    at, _ = open_step(app, store, "learning")
    captions = texts(at.caption)
    assert "For example: explaining technical work clearly" in captions
    assert "For example: getting an interview at all" in captions


def test_step1_action_points_take_a_date(app, store):
    columns = [c.key for c in FIELDS_BY_KEY["action_points"].columns]
    assert columns == ["point", "due"]
    at, session = open_step(
        app,
        store,
        "feedback",
        {
            "feedback_status": "received",
            "action_points": [{"point": "Bring numbers", "due": "2026-12-04"}],
        },
    )
    assert not at.exception
    assert saved(store, session)["action_points"] == [
        {"point": "Bring numbers", "due": "2026-12-04"}
    ]


def test_step1_feedback_received_offers_a_thank_you_not_a_request(app, store):
    at, _ = open_step(
        app,
        store,
        "feedback",
        {"feedback_status": "received", "feedback_contact_name": "Tom Reyes", "own_name": "Maya"},
    )
    thanks = at.text_area(key="answer_feedback_thanks").value
    assert thanks.startswith("Hi Tom,") and thanks.endswith("\nMaya")
    assert not [t for t in at.text_area if t.key == "answer_feedback_request"]
    assert thanks in copied_texts(at)


def test_draft_boxes_grow_to_fit_their_text():
    short, long = step_ui.fit_height("Hi"), step_ui.fit_height("word " * 400)
    assert short == step_ui.MIN_BOX_PX
    assert long > 500
    letter = drafts.rejection_reply({"company": "Acme", "role": "Analyst"}).body
    lines = sum(max(1, -(-len(x) // step_ui.CHARS_PER_LINE)) for x in letter.split("\n"))
    assert step_ui.fit_height(letter) >= lines * step_ui.LINE_PX


def test_copy_button_survives_script_breaking_text():
    hostile = 'Bye </script><script>alert(1)</script> \u2028 "quoted" & more'
    frame = step_ui.COPY_HTML % step_ui._script_literal(hostile)
    assert "</script><script>" not in frame.split("const text = ", 1)[1].split(";\n", 1)[0]
    assert step_ui.copied_text(frame) == hostile
