"""The answer bank in core: read across reflections, searched, edited in place, offered
on a new reflection, and taken away as Markdown that keeps candidate text as text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import answer_bank, journey
from core.answer_bank import EntryGone
from core.limits import UNLIMITED
from core.safe_html import render_markdown
from core.validation import InvalidAnswer


def question(text, kind=None, ready=None, **star):
    return {"question": text, "kind": kind, "ready": ready, **star}


@pytest.fixture
def two_reflections(store, clock):
    """A candidate's first reflection (Acme) and, a week later, a second one (Beta)."""
    session = journey.start(store, client=UNLIMITED)
    first = session.reflection_id
    journey.save_answer(store, first, "company", "Acme")
    journey.save_answer(store, first, "role", "Analyst")
    journey.save_answer(
        store,
        first,
        "tough_questions",
        [
            question(
                "Why do you want to work here?", "motivation", "no", situation="Read the report"
            ),
            question("Tell me about a conflict", "competency", "yes", action="Weekly check-ins"),
        ],
    )
    clock.advance(days=7)
    second = journey.new_reflection(store, session.candidate_id, client=UNLIMITED)
    journey.save_answer(store, second, "company", "Beta")
    journey.save_answer(
        store,
        second,
        "tough_questions",
        [question("Describe a time you disagreed", "competency", result="We shipped")],
    )
    return session.candidate_id, first, second


def test_entries_gather_every_reflection_newest_first(store, two_reflections):
    candidate_id, first, second = two_reflections
    bank = answer_bank.entries(store, candidate_id)
    assert [(e.reflection_id, e.index) for e in bank] == [(second, 0), (first, 0), (first, 1)]
    assert [e.question for e in bank] == [
        "Describe a time you disagreed",
        "Why do you want to work here?",
        "Tell me about a conflict",
    ]
    conflict = bank[2]
    assert (conflict.company, conflict.role, conflict.kind) == ("Acme", "Analyst", "competency")
    assert conflict.is_ready and conflict.action == "Weekly check-ins"
    assert bank[0].started > bank[1].started  # a week apart, from the test clock
    assert bank[0].company == "Beta" and bank[0].ready is None


def test_another_candidate_sees_none_of_it(store, two_reflections):
    other = journey.start(store, client=UNLIMITED)
    assert answer_bank.entries(store, other.candidate_id) == []


def test_search_any_case_over_question_and_star_parts(store, two_reflections):
    bank = answer_bank.entries(store, two_reflections[0])
    assert [e.question for e in answer_bank.search(bank, "CHECK-INS")] == [
        "Tell me about a conflict"
    ]
    assert [e.question for e in answer_bank.search(bank, "shipped")] == [
        "Describe a time you disagreed"
    ]
    assert [e.question for e in answer_bank.search(bank, "work report")] == [
        "Why do you want to work here?"
    ]
    assert answer_bank.search(bank, "salary") == []
    assert answer_bank.search(bank, "   ") == bank


@given(st.text(max_size=12))
def test_search_only_ever_narrows(text):
    bank = [
        answer_bank.BankEntry(1, i, None, "", "", q, None, "s", "", "", "", None)
        for i, q in enumerate(["Why us?", "Salary expectations", "A time you failed"])
    ]
    found = answer_bank.search(bank, text)
    assert all(e in bank for e in found)
    assert answer_bank.search(found, text) == found


def test_update_lands_in_its_own_reflection_and_row(store, two_reflections):
    candidate_id, first, second = two_reflections
    conflict = answer_bank.entries(store, candidate_id)[2]
    saved = answer_bank.update(store, conflict, {"result": "Launched on time", "ready": False})
    assert saved.result == "Launched on time" and saved.ready == "no"
    rows = journey.load_answers(store, first)["tough_questions"]
    assert rows[1]["result"] == "Launched on time" and rows[1]["action"] == "Weekly check-ins"
    assert rows[0]["question"] == "Why do you want to work here?"  # the other row untouched
    assert journey.load_answers(store, second)["tough_questions"][0]["result"] == "We shipped"


def test_an_unanswered_ready_stays_unanswered_until_ticked(store, two_reflections):
    candidate_id, _, second = two_reflections
    newest = answer_bank.entries(store, candidate_id)[0]
    assert answer_bank.update(store, newest, {"ready": False}).ready is None
    newest = answer_bank.entries(store, candidate_id)[0]
    assert answer_bank.update(store, newest, {"ready": True}).ready == "yes"


def test_a_too_long_part_is_refused_with_its_label(store, two_reflections):
    candidate_id, first, _ = two_reflections
    conflict = answer_bank.entries(store, candidate_id)[2]
    with pytest.raises(InvalidAnswer, match="^Situation is 501 characters long"):
        answer_bank.update(store, conflict, {"situation": "x" * 501})
    assert journey.load_answers(store, first)["tough_questions"][1]["situation"] == ""


def test_a_row_removed_meanwhile_is_not_saved_over(store, two_reflections):
    candidate_id, first, _ = two_reflections
    conflict = answer_bank.entries(store, candidate_id)[2]
    motivation = journey.load_answers(store, first)["tough_questions"][0]
    journey.save_answer(store, first, "tough_questions", [motivation])
    with pytest.raises(EntryGone, match="Tell me about a conflict"):
        answer_bank.update(store, conflict, {"result": "Mine"})
    assert journey.load_answers(store, first)["tough_questions"] == [motivation]


def test_a_row_edited_or_shifted_meanwhile_is_not_saved_over(store, two_reflections):
    candidate_id, first, _ = two_reflections
    bank = answer_bank.entries(store, candidate_id)
    motivation = bank[1]
    rows = journey.load_answers(store, first)["tough_questions"]
    journey.save_answer(store, first, "tough_questions", [rows[1], rows[0]])  # reordered
    with pytest.raises(EntryGone):
        answer_bank.update(store, motivation, {"task": "Mine"})
    edited = [rows[0] | {"task": "Edited on step 4"}, rows[1]]
    journey.save_answer(store, first, "tough_questions", edited)
    with pytest.raises(EntryGone):
        answer_bank.update(store, motivation, {"task": "Mine"})
    assert journey.load_answers(store, first)["tough_questions"] == edited


def test_an_edit_landing_between_the_read_and_the_save_is_kept(store, two_reflections, monkeypatch):
    """Step 4 saves the list after the bank read it but before the bank writes."""
    candidate_id, first, _ = two_reflections
    motivation = answer_bank.entries(store, candidate_id)[1]
    rows = journey.load_answers(store, first)["tough_questions"]
    edited = [rows[0] | {"task": "Typed on step 4 meanwhile"}, rows[1]]
    reads = journey.load_answers

    def read_then_step_4_saves(store_, reflection_id):
        answers = reads(store_, reflection_id)
        journey.save_answer(store, first, "tough_questions", edited)
        return answers

    monkeypatch.setattr(journey, "load_answers", read_then_step_4_saves)
    with pytest.raises(EntryGone):
        answer_bank.update(store, motivation, {"result": "Mine"})
    monkeypatch.undo()
    assert journey.load_answers(store, first)["tough_questions"] == edited


def test_a_conditional_save_refuses_when_the_answer_moved_on(store, two_reflections):
    _, first, _ = two_reflections
    journey.save_answer(store, first, "fit_learned", "Now")
    with pytest.raises(journey.AnswerChanged):
        journey.store_answer(store, first, "fit_learned", "Mine", if_still="Before")
    assert journey.store_answer(store, first, "fit_learned", "Mine", if_still="Now").changed
    assert journey.load_answers(store, first)["fit_learned"] == "Mine"


def test_offers_come_from_other_reflections_ready_first(store, two_reflections):
    candidate_id, first, second = two_reflections
    journey.save_answer(
        store,
        first,
        "tough_questions",
        [
            question("A time you led", "competency", "no", situation="Team of three"),
            question("Tell me about a conflict", "competency", "yes", action="Check-ins"),
            question("What went wrong once?", "competency", "yes"),  # nothing written to offer
            question("Why us?", "motivation", "yes", task="Research"),
        ],
    )
    bank = answer_bank.entries(store, candidate_id)
    offered = answer_bank.offers(bank, "competency", exclude_reflection=second)
    assert [e.question for e in offered] == ["Tell me about a conflict", "A time you led"]
    assert all(e.reflection_id == first for e in offered)
    assert answer_bank.offers(bank, "salary", exclude_reflection=second) == []
    # From the first reflection's side, the second's answer is the earlier one on offer.
    assert [
        e.reflection_id for e in answer_bank.offers(bank, "competency", exclude_reflection=first)
    ] == [second]


def test_markdown_keeps_candidate_text_as_text(store, clock):
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "company", "[Acme](https://evil.example)")
    journey.save_answer(
        store,
        session.reflection_id,
        "tough_questions",
        [
            question(
                "# Why *us*?",
                "motivation",
                "yes",
                situation="[click](https://evil.example) <b>bold</b>",
                action="**loud**\n# heading\n- a list",
            )
        ],
    )
    bank = answer_bank.entries(store, session.candidate_id)
    document = answer_bank.markdown(bank, "Harbour Recruitment", on=clock.today())
    html = render_markdown(document)
    assert "<a" not in html and "<b>" not in html
    assert "<em>us</em>" not in html and "<strong>loud</strong>" not in html
    assert "<h1>Why" not in html and "<h1> heading" not in html
    assert "*us*" in html and "# Why" in html and "[click](https://evil.example)" in html
    assert "<h2>Motivation</h2>" in html  # the kind is the app's own heading
    assert "1 question, 1 of them marked ready" in document
    printable = answer_bank.printable(bank, "Harbour Recruitment", on=clock.today())
    assert (
        "<a " not in printable
        and "<title>My answer bank — Harbour Recruitment</title>" in printable
    )


def test_an_empty_bank_document_points_to_step_4(clock):
    document = answer_bank.markdown([], "Harbour", on=clock.today())
    assert "Step 4" in document and "##" not in document
