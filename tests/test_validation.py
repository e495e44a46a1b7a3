"""Validation in core: limits, URLs, dates, characters, tables. Messages are for people."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import journey
from core.limits import UNLIMITED
from core.questionnaire import FIELDS_BY_KEY, LINKEDIN_NOTE_LIMIT, MESSAGE_TEXT, SHORT_TEXT
from core.validation import (
    InvalidAnswer,
    clean_answer,
    clean_date,
    clean_linkedin,
    clean_table,
)

# --- length limits ----------------------------------------------------------------------


def test_text_at_the_limit_is_kept_and_one_over_is_refused_with_the_numbers():
    assert clean_answer("company", "x" * SHORT_TEXT) == "x" * SHORT_TEXT
    with pytest.raises(InvalidAnswer) as exc:
        clean_answer("company", "x" * (SHORT_TEXT + 1))
    message = str(exc.value)
    assert f"{SHORT_TEXT + 1}" in message and f"{SHORT_TEXT}" in message
    assert "last saved version is kept" in message


def test_linkedin_note_limit_is_enforced_in_core():
    assert clean_answer("linkedin_note", "n" * LINKEDIN_NOTE_LIMIT)
    with pytest.raises(InvalidAnswer):
        clean_answer("linkedin_note", "n" * (LINKEDIN_NOTE_LIMIT + 1))


def test_refused_answer_keeps_the_previous_saved_value(store):
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "feedback_request", "First version")
    with pytest.raises(InvalidAnswer):
        journey.save_answer(
            store, session.reflection_id, "feedback_request", "y" * (MESSAGE_TEXT + 1)
        )
    assert journey.load_answers(store, session.reflection_id)["feedback_request"] == (
        "First version"
    )


# --- characters -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85"])
def test_control_characters_are_refused_with_a_message(bad):
    with pytest.raises(InvalidAnswer) as exc:
        clean_answer("feedback_received", f"before{bad}after")
    assert "control character" in str(exc.value)


def test_lone_surrogate_is_refused_not_crashing():
    with pytest.raises(InvalidAnswer) as exc:
        clean_answer("company", "abc\ud800")
    assert "broken character" in str(exc.value)


KEEP_EXACTLY = [
    "Zoë 👩🏽‍💻 🎉",
    "\u202bשלום\u202c and \u200fمرحبا\u200f",  # RTL embedding and marks
    "e\u0301 a\u0308 n\u0303",  # combining accents, not precomposed
    "line one\nline two\ttabbed\r\n",
    "  leading and trailing spaces  ",
    "\u200d\ufe0f zero-width joiner and variation selector",
]


@pytest.mark.parametrize("text", KEEP_EXACTLY)
def test_unicode_is_stored_and_read_back_exactly(store, text):
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "fit_learned", text)
    assert journey.load_answers(store, session.reflection_id)["fit_learned"] == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=200))
def test_printable_unicode_is_always_accepted_unchanged(text):
    assert clean_answer("fit_learned", text) == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_either_kept_exactly_or_refused_with_a_message(text):
    try:
        assert clean_answer("company", text) == text
    except InvalidAnswer as exc:
        assert str(exc)


# --- LinkedIn URLs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("https://www.linkedin.com/in/sam-patel", "https://www.linkedin.com/in/sam-patel"),
        ("https://linkedin.com/in/sam-patel/", "https://linkedin.com/in/sam-patel/"),
        ("https://uk.linkedin.com/in/zoë", "https://uk.linkedin.com/in/zoë"),
        ("linkedin.com/in/sam", "https://linkedin.com/in/sam"),
        ("www.linkedin.com/in/sam", "https://www.linkedin.com/in/sam"),
        ("http://www.linkedin.com/in/sam", "https://www.linkedin.com/in/sam"),
        ("  https://www.linkedin.com/in/sam  ", "https://www.linkedin.com/in/sam"),
        ("", ""),
    ],
)
def test_good_linkedin_urls(typed, kept):
    assert clean_linkedin(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "javascript:alert(1)",
        "https://evil.com/in/sam",
        "https://linkedin.com.evil.com/in/sam",
        "https://www.linkedin.com/company/acme",
        "https://www.linkedin.com/in/",
        "https://www.linkedin.com/in/sam?trk=x",
        "https://www.linkedin.com/in/sam<script>",
        "data:text/html,hi",
        "sam patel",
    ],
)
def test_bad_linkedin_urls_are_refused_with_an_example(typed):
    with pytest.raises(InvalidAnswer) as exc:
        clean_linkedin(typed)
    assert "linkedin.com/in/" in str(exc.value)


# --- dates ------------------------------------------------------------------------------


def test_dates_accept_date_objects_and_iso_text():
    assert clean_date(dt.date(2026, 12, 1)) == "2026-12-01"
    assert clean_date(dt.datetime(2026, 12, 1, 9, 30)) == "2026-12-01"
    assert clean_date(" 2026-12-01 ") == "2026-12-01"
    assert clean_date("") is None and clean_date(None) is None


@pytest.mark.parametrize("bad", ["01/12/2026", "tomorrow", "2026-13-01", "2026-02-30", 20261201])
def test_bad_dates_are_refused_with_an_example(bad):
    with pytest.raises(InvalidAnswer) as exc:
        clean_date(bad)
    assert "2026-12-01" in str(exc.value)


@pytest.mark.parametrize("far", ["1999-12-31", "2101-01-01"])
def test_dates_far_outside_a_sensible_range_are_refused(far):
    with pytest.raises(InvalidAnswer) as exc:
        clean_date(far)
    assert "between 2000 and 2100" in str(exc.value)


# --- choices and ratings ----------------------------------------------------------------


def test_choice_accepts_key_or_label_and_stores_the_key():
    assert clean_answer("feedback_status", "received") == "received"
    assert clean_answer("feedback_status", "I've received feedback") == "received"
    with pytest.raises(InvalidAnswer):
        clean_answer("feedback_status", "<script>")


@pytest.mark.parametrize("bad", [0, 6, "3", 2.5, True])
def test_likert_refuses_anything_but_1_to_5(bad):
    with pytest.raises(InvalidAnswer):
        clean_answer("takes_criticism", bad)


# --- tables -----------------------------------------------------------------------------


def test_table_converts_labels_to_keys_and_drops_empty_rows():
    spec = FIELDS_BY_KEY["contacts"]
    rows = [
        {
            "name": "Sam",
            "role": "Head of Data",
            "linkedin": "linkedin.com/in/sam",
            "connected": "Requested",
            "next_check_in": "2026-12-01",
        },
        {"name": None, "role": float("nan"), "linkedin": "", "connected": None},
    ]
    assert clean_table(spec, rows) == [
        {
            "name": "Sam",
            "role": "Head of Data",
            "linkedin": "https://linkedin.com/in/sam",
            "connected": "requested",
            "next_check_in": "2026-12-01",
        }
    ]


def test_table_required_cell_message_names_the_row_and_column():
    spec = FIELDS_BY_KEY["contacts"]
    with pytest.raises(InvalidAnswer) as exc:
        clean_table(spec, [{"name": "Sam"}, {"name": "", "role": "Recruiter"}])
    assert str(exc.value) == "Row 2: please fill in Name."


def test_table_bad_cell_message_names_the_row_and_column():
    spec = FIELDS_BY_KEY["contacts"]
    with pytest.raises(InvalidAnswer) as exc:
        clean_table(spec, [{"name": "Sam", "linkedin": "https://evil.com/x"}])
    assert str(exc.value).startswith("Row 1, LinkedIn URL")


def test_table_row_limit():
    spec = FIELDS_BY_KEY["action_points"]
    assert len(clean_table(spec, [{"point": f"p{i}"} for i in range(3)])) == 3
    with pytest.raises(InvalidAnswer) as exc:
        clean_table(spec, [{"point": f"p{i}"} for i in range(4)])
    assert "up to 3 rows" in str(exc.value)


def test_table_ratings_must_be_whole_numbers_from_1_to_5():
    spec = FIELDS_BY_KEY["stage_ratings"]
    ok = clean_table(spec, [{"stage": "First interview", "confidence": 4.0}])
    assert ok == [{"stage": "first_interview", "confidence": 4, "notes": ""}]
    for bad in (0, 6, 2.5, "lots"):
        with pytest.raises(InvalidAnswer):
            clean_table(spec, [{"stage": "first_interview", "confidence": bad}])


def test_table_cell_length_limit():
    spec = FIELDS_BY_KEY["action_points"]
    with pytest.raises(InvalidAnswer) as exc:
        clean_table(spec, [{"point": "p" * 201}])
    assert "Row 1, Action point" in str(exc.value)


def test_table_that_is_not_a_list_of_rows_is_refused():
    with pytest.raises(InvalidAnswer):
        clean_table(FIELDS_BY_KEY["pipeline"], "not a table")
    with pytest.raises(InvalidAnswer):
        clean_table(FIELDS_BY_KEY["pipeline"], ["row"])
