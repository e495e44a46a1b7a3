"""The answer bank page and its offers on step 4 (AppTest)."""

from __future__ import annotations

import pytest
from sqlite_faults import write_lock_in_another_process
from test_step_pages import add_card, cell

from core import journey, store_base
from core.limits import UNLIMITED

BANK = "views/answer_bank.py"
STEP4 = "views/step4_approach.py"


def question(text, kind=None, ready=None, **star):
    return {"question": text, "kind": kind, "ready": ready, **star}


@pytest.fixture
def candidate(store, clock):
    """Two reflections a week apart, each with a question that caught them out; the
    session is on the second."""
    session = journey.start(store, client=UNLIMITED)
    first = session.reflection_id
    journey.save_answer(store, first, "company", "Acme")
    journey.save_answer(
        store,
        first,
        "tough_questions",
        [
            question(
                "Tell me about a conflict",
                "competency",
                "yes",
                situation="Client changed the brief",
                action="Weekly check-ins",
            )
        ],
    )
    clock.advance(days=7)
    second = journey.new_reflection(store, session.candidate_id, client=UNLIMITED)
    journey.save_answer(store, second, "company", "Beta")
    journey.save_answer(
        store, second, "tough_questions", [question("What are your salary expectations?", "salary")]
    )
    return journey.Session(session.candidate_id, second), first, second


def open_page(app, session, path):
    at = app
    at.session_state["candidate"] = session
    at.run()
    at.switch_page(path).run()
    assert not at.exception
    return at


def texts(at) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.success, *at.error, *at.warning]
    return "\n".join(str(p.value) for p in parts)


def test_the_bank_lists_both_reflections_questions(app, candidate):
    session, first, second = candidate
    at = open_page(app, session, BANK)
    shown = texts(at)
    assert shown.index("What are your salary expectations?") < shown.index(
        "Tell me about a conflict"
    )
    assert "after Acme" in shown and "after Beta" in shown
    assert "Competency" in shown and "Salary and terms" in shown
    assert at.text_area(key=f"bank_{first}_0_action").value == "Weekly check-ins"
    assert at.toggle(key=f"bank_{first}_0_ready").value is True
    assert at.toggle(key=f"bank_{second}_0_ready").value is False
    assert {b.key for b in at.get("download_button")} >= {"bank_download_md", "bank_download_html"}


def test_an_edit_saved_in_the_bank_lands_in_its_reflection(app, store, candidate):
    session, first, _ = candidate
    at = open_page(app, session, BANK)
    at.text_area(key=f"bank_{first}_0_result").input("Launched on the date").run()
    at.toggle(key=f"bank_{first}_0_ready").set_value(False).run()
    assert journey.load_answers(store, first)["tough_questions"][0]["result"] == ""  # not yet
    at.button(key=f"bank_save_{first}_0").click().run()
    assert not at.exception
    row = journey.load_answers(store, first)["tough_questions"][0]
    assert row["result"] == "Launched on the date" and row["ready"] == "no"
    assert row["action"] == "Weekly check-ins"
    assert "Saved." in texts(at)


def test_a_too_long_answer_is_refused_and_kept_on_screen(app, store, candidate):
    session, first, _ = candidate
    at = open_page(app, session, BANK)
    at.text_area(key=f"bank_{first}_0_task").input("t" * 501).run()
    at.button(key=f"bank_save_{first}_0").click().run()
    assert "Task is 501 characters long; the limit is 500" in " ".join(e.value for e in at.error)
    assert at.text_area(key=f"bank_{first}_0_task").value == "t" * 501
    assert journey.load_answers(store, first)["tough_questions"][0]["task"] == ""


def test_a_save_the_database_cannot_take_keeps_the_text_and_says_so(
    app, store, candidate, db_path, monkeypatch
):
    monkeypatch.setattr(store_base, "WRITE_WAIT_SECONDS", 0.3)
    session, first, _ = candidate
    at = open_page(app, session, BANK)
    at.text_area(key=f"bank_{first}_0_result").input("Kept through a lock").run()
    with write_lock_in_another_process(db_path):
        at.button(key=f"bank_save_{first}_0").click().run()
    assert not at.exception
    assert "couldn't save this just now" in " ".join(e.value for e in at.error)
    assert at.text_area(key=f"bank_{first}_0_result").value == "Kept through a lock"
    at.button(key=f"bank_save_{first}_0").click().run()
    assert (
        journey.load_answers(store, first)["tough_questions"][0]["result"] == "Kept through a lock"
    )


def test_a_question_removed_meanwhile_is_not_saved_over(app, store, candidate):
    session, first, _ = candidate
    at = open_page(app, session, BANK)
    at.text_area(key=f"bank_{first}_0_result").input("My new result").run()
    journey.save_answer(store, first, "tough_questions", [question("Another question")])
    at.button(key=f"bank_save_{first}_0").click().run()
    assert not at.exception
    assert "has changed or been removed" in " ".join(w.value for w in at.warning)
    assert "My new result" in [c.value for c in at.code]  # what they typed, to copy
    assert journey.load_answers(store, first)["tough_questions"] == [
        question("Another question") | {"situation": "", "task": "", "action": "", "result": ""}
    ]


def test_search_and_ready_only_filter_the_list(app, candidate):
    session, first, second = candidate
    at = open_page(app, session, BANK)
    at.text_input(key="bank_search").input("check-ins").run()
    shown = texts(at)
    assert "Tell me about a conflict" in shown and "salary expectations" not in shown
    assert "Showing 1 of 2 questions." in shown
    at.text_input(key="bank_search").input("nothing like this").run()
    assert "Nothing matches that" in texts(at)
    at.text_input(key="bank_search").input("").run()
    at.toggle(key="bank_ready_only").set_value(True).run()
    shown = texts(at)
    assert "Tell me about a conflict" in shown and "salary expectations" not in shown


def test_an_empty_bank_explains_and_points_to_step_4(app, store):
    session = journey.start(store, client=UNLIMITED)
    at = open_page(app, session, BANK)
    assert "Nothing here yet" in texts(at)
    assert [link.label for link in at.get("page_link")] == ["Go to step 4"]
    assert not at.get("download_button")


def test_the_bank_asks_for_a_start_first(app):
    at = app.run()
    at.switch_page(BANK).run()
    assert not at.exception
    assert "Start on the Welcome page first" in texts(at)


def test_step4_offers_an_earlier_answer_of_the_same_kind_and_use_fills_the_card(
    app, store, candidate
):
    session, first, second = candidate
    at = open_page(app, session, STEP4)
    assert not at.get("expander") or all("answer bank" not in e.label for e in at.expander)
    card = add_card(at, "tough_questions")  # question 2 (the salary one is question 1)
    at.text_area(key=cell("tough_questions", card, "question")).input(
        "Describe a disagreement"
    ).run()
    at.text_area(key=cell("tough_questions", card, "action")).input("My own action").run()
    at.selectbox(key=cell("tough_questions", card, "kind")).set_value("competency").run()
    offers = [e for e in at.expander if "answer bank" in e.label]
    assert [e.label for e in offers] == [
        "Your answer bank has 1 earlier answer to “Competency” questions"
    ]
    assert "Client changed the brief" in texts(at)
    at.button(key=f"bank_use_{first}_0_{card}").click().run()
    assert not at.exception
    assert (
        at.text_area(key=cell("tough_questions", card, "situation")).value
        == "Client changed the brief"
    )
    assert at.text_area(key=cell("tough_questions", card, "action")).value == "My own action"
    assert "Kept what you had already written in Action" in texts(at)
    rows = journey.load_answers(store, second)["tough_questions"]
    assert (
        rows[1]["situation"] == "Client changed the brief" and rows[1]["action"] == "My own action"
    )
    # The earlier reflection is left as it was.
    assert journey.load_answers(store, first)["tough_questions"][0]["action"] == "Weekly check-ins"


def test_an_edit_in_the_bank_shows_on_step_4_of_the_open_reflection(app, store, candidate):
    session, _, second = candidate
    at = open_page(app, session, STEP4)
    at.switch_page(BANK).run()
    at.text_area(key=f"bank_{second}_0_result").input("A range, researched").run()
    at.button(key=f"bank_save_{second}_0").click().run()
    at.switch_page(STEP4).run()
    assert not at.exception
    assert at.text_area(key=cell("tough_questions", 0, "result")).value == "A range, researched"
    # A later edit on step 4 keeps the bank's edit rather than saving the old card back.
    at.text_area(key=cell("tough_questions", 0, "task")).input("Name a number").run()
    row = journey.load_answers(store, second)["tough_questions"][0]
    assert row["result"] == "A range, researched" and row["task"] == "Name a number"
