"""AppTest of the cards every candidate list is drawn as: add, remove, undo, limits, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from test_step_pages import add_card, cell, open_step, saved, texts

from core.questionnaire import FIELDS_BY_KEY, SHORT_TEXT, STEPS
from core.validation import InvalidAnswer, clean_answer

LISTS = [f for step in STEPS for f in step.fields if f.kind == "table"]
STEP_OF = {f.key: step.key for step in STEPS for f in step.fields}


def widget(at, key):
    for kind in ("text_area", "text_input", "selectbox", "date_input"):
        found = [w for w in getattr(at, kind) if w.key == key]
        if found:
            return kind, found[0]
    raise AssertionError(f"no input {key}")


def remove_buttons(at, key):
    return [b for b in at.button if b.key and b.key.startswith(f"remove_{key}_")]


def test_no_data_editor_anywhere_in_the_journey(app, store):
    for step in STEPS:
        at, _ = open_step(app, store, step.key)
        assert not at.get("arrow_data_frame"), step.key
        assert not at.get("data_editor"), step.key


@pytest.mark.parametrize("spec", LISTS, ids=lambda f: f.key)
def test_each_list_draws_a_labelled_input_per_column(app, store, spec):
    at, _ = open_step(app, store, STEP_OF[spec.key])
    if spec.key == "action_points":  # folded away until feedback arrives
        at.selectbox(key="answer_feedback_status").set_value("received").run()
    card = add_card(at, spec.key)
    expected = {
        "date": "date_input",
        "choice": "selectbox",
        "rating": "selectbox",
        "url": "text_input",
    }
    for column in spec.columns:
        kind = expected.get(column.kind)
        if kind is None:  # text: a box for anything longer than a name
            kind = "text_area" if column.max_len > SHORT_TEXT else "text_input"
        assert widget(at, cell(spec.key, card, column.key))[0] == kind, column.key
    for column in spec.columns:
        label = widget(at, cell(spec.key, card, column.key))[1].label
        assert label == column.label


def test_add_counts_up_to_the_limit_then_stops(app, store):
    spec = FIELDS_BY_KEY["improvements"]
    at, _ = open_step(app, store, "approach")
    assert f"0 of {spec.max_rows}." in texts(at.caption)
    for _ in range(spec.max_rows):
        add_card(at, "improvements")
    assert f"{spec.max_rows} of {spec.max_rows}. That's the most" in texts(at.caption)
    assert at.button(key="add_improvements").disabled
    assert len(remove_buttons(at, "improvements")) == spec.max_rows


def test_remove_keeps_the_order_and_can_be_undone(app, store):
    rows = [{"strength": s} for s in ("Calm", "Clear", "Curious")]
    at, session = open_step(app, store, "learning", {"strengths": rows})
    at.button(key="remove_strengths_1").click().run()
    assert not at.exception
    assert [r["strength"] for r in saved(store, session)["strengths"]] == ["Calm", "Curious"]
    assert "You removed a strength" in texts(at.caption)
    at.button(key="undo_strengths").click().run()
    assert not at.exception
    assert [r["strength"] for r in saved(store, session)["strengths"]] == [
        "Calm",
        "Clear",
        "Curious",
    ]
    assert at.text_area(key=cell("strengths", 1, "strength")).value == "Clear"
    assert not [b for b in at.button if b.key == "undo_strengths"]


def test_the_undo_offer_goes_with_the_next_change(app, store):
    rows = [{"win": "Got an interview"}, {"win": "Reached the final"}]
    at, session = open_step(app, store, "learning", {"small_wins": rows})
    at.button(key="remove_small_wins_0").click().run()
    at.text_area(key=cell("small_wins", 1, "win")).input("Reached the final round").run()
    assert not [b for b in at.button if b.key == "undo_small_wins"]
    assert saved(store, session)["small_wins"] == [{"win": "Reached the final round"}]


def test_removing_the_last_card_leaves_an_empty_valid_step(app, store):
    at, session = open_step(app, store, "options", {"pipeline": [{"company": "Beta"}]})
    at.button(key="remove_pipeline_0").click().run()
    assert not at.exception
    assert "pipeline" not in saved(store, session)
    assert not at.error
    assert "0 of 15." in texts(at.caption)
    assert "Nothing else on the go yet" in texts(at.info)


def test_an_empty_new_card_is_not_saved_and_removes_without_undo(app, store):
    at, session = open_step(app, store, "learning")
    card = add_card(at, "strengths")
    assert "strengths" not in saved(store, session)
    at.button(key=f"remove_strengths_{card}").click().run()
    assert not [b for b in at.button if b.key == "undo_strengths"]


def test_text_over_the_limit_is_refused_next_to_the_box_and_kept_on_screen(app, store):
    at, session = open_step(app, store, "approach", {"tough_questions": [{"question": "Why?"}]})
    box = cell("tough_questions", 0, "situation")
    at.text_area(key=box).input("s" * 501).run()
    assert "Situation is 501 characters long; the limit is 500" in texts(at.error)
    assert at.text_area(key=box).value == "s" * 501
    assert saved(store, session)["tough_questions"][0]["situation"] == ""
    at.text_area(key=box).input("shorter").run()
    assert not at.error
    assert saved(store, session)["tough_questions"][0]["situation"] == "shorter"


def test_a_date_out_of_range_is_refused_next_to_the_field(app, store):
    at, session = open_step(app, store, "approach", {"improvements": [{"action": "Practise"}]})
    at.date_input(key=cell("improvements", 0, "target_date")).set_value(dt.date(1999, 5, 1)).run()
    assert "By when should be between 2000 and 2100." in texts(at.error)
    assert saved(store, session)["improvements"][0]["target_date"] is None


def test_more_rows_than_the_limit_are_refused_by_core():
    with pytest.raises(InvalidAnswer, match="up to 3 rows"):
        clean_answer("improvements", [{"action": str(i)} for i in range(4)])


def test_buttons_name_the_item_in_plain_words(app, store):
    at, _ = open_step(app, store, "options")
    assert at.button(key="add_pipeline").label == "Add an opportunity"
    add_card(at, "pipeline")
    assert at.button(key="add_pipeline").label == "Add another opportunity"
    assert at.button(key="remove_pipeline_0").label == "Remove opportunity 1"


def test_a_refusal_left_behind_goes_when_the_page_is_drawn_again(app, store):
    at, session = open_step(app, store, "connections", {"contacts": [{"name": "Sam"}]})
    at.text_input(key=cell("contacts", 0, "linkedin")).input("not a profile").run()
    assert "should be a LinkedIn profile address" in texts(at.error)
    at.switch_page("views/step3_options.py").run()
    at.switch_page("views/step2_connections.py").run()
    assert at.text_input(key=cell("contacts", 0, "linkedin")).value == ""
    assert "should be a LinkedIn profile address" not in texts(at.error)
    assert saved(store, session)["contacts"][0]["name"] == "Sam"
