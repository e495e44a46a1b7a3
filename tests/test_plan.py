"""My plan's core: action items with dates, chart rows, drafts, and the explainer."""

from __future__ import annotations

import datetime as dt

from core import explainer
from core.plan import (
    action_items,
    current_drafts,
    dated_items,
    dimension_rows,
    trend_rows,
    unscored_steps,
)
from core.questionnaire import BANDS, SCORE_ITEMS
from core.scoring import score

TODAY = dt.date(2026, 11, 25)


def test_collects_every_kind_of_action_sorted_by_date_undated_last():
    answers = {
        "action_points": [{"point": "Give shorter answers"}, {"point": "Bring numbers"}],
        "contacts": [
            {"name": "Priya", "role": "Hiring manager", "next_check_in": "2026-12-10"},
            {"name": "Tom", "role": "", "next_check_in": None},
        ],
        "pipeline": [
            {"company": "Globex", "role": "Analyst", "next_step": "2026-12-01"},
            {"company": "Initech", "next_step": None},
        ],
        "improvements": [{"action": "Mock interview with a friend", "target_date": "2026-11-30"}],
    }
    items = action_items(answers, TODAY)
    titles = [i.title for i in items]
    assert titles[:3] == [
        "Mock interview with a friend",
        "Next step with Globex",
        "Check in with Priya",
    ]
    assert [i.due for i in items[:3]] == ["2026-11-30", "2026-12-01", "2026-12-10"]
    # Undated ones follow, in the order they were written.
    assert titles[3:] == [
        "Give shorter answers",
        "Bring numbers",
        "Check in with Tom",
        "Next step with Initech",
    ]
    assert all(i.due is None for i in items[3:])
    assert [i.title for i in dated_items(items)] == titles[:3]
    assert items[2].detail == "Hiring manager"


def test_chase_feedback_only_when_waiting():
    waiting = {"feedback_status": "asked", "news_date": "2026-11-20"}
    items = action_items(waiting, TODAY)
    assert [i.title for i in items] == ["Chase your feedback"]
    assert items[0].due == "2026-11-27"  # a week after the news
    for status in ("not_yet", "planning", "received", "declined"):
        assert action_items({"feedback_status": status, "news_date": "2026-11-20"}, TODAY) == []


def test_chase_date_never_in_the_past_and_names_the_person():
    answers = {
        "feedback_status": "asked",
        "news_date": "2026-09-01",
        "feedback_contact_name": "Sam",
    }
    (item,) = action_items(answers, TODAY)
    assert item.title == "Chase your feedback from Sam"
    assert item.due == TODAY.isoformat()
    (undated,) = action_items({"feedback_status": "asked"}, TODAY)
    assert undated.due is None


def test_blank_rows_and_broken_values_are_skipped_not_fatal():
    answers = {
        "contacts": [{"name": "  "}, "not a row", {"name": "Ana", "next_check_in": "31/12/2026"}],
        "pipeline": "oops",
        "improvements": None,
    }
    items = action_items(answers, TODAY)
    assert [(i.title, i.due) for i in items] == [("Check in with Ana", None)]


def test_dimension_rows_and_unscored_steps():
    result = score({"takes_criticism": 5, "keeps_in_touch": 1})
    rows = dimension_rows(result)
    assert [(r["step"], r["score"]) for r in rows] == [
        ("Ask for feedback", 100.0),
        ("Keep connections open", 0.0),
    ]
    assert unscored_steps(result) == [
        "Step 3: Keep your options open",
        "Step 4: Review your approach",
        "Step 5: Learn from every interview",
    ]


def test_trend_rows_skip_reflections_without_overall():
    history = [
        {"created_at": "2026-01-02T10:00:00+00:00", "company": "Acme", "overall": 35.0},
        {"created_at": "2026-03-02T10:00:00+00:00", "company": None, "overall": None},
        {"created_at": "2026-05-02T10:00:00+00:00", "company": None, "overall": 61.5},
    ]
    assert trend_rows(history) == [
        {"date": "2026-01-02", "reflection": "1. Acme", "overall": 35.0},
        {"date": "2026-05-02", "reflection": "3. Reflection 3", "overall": 61.5},
    ]


def test_drafts_prefer_the_saved_edit():
    answers = {"company": "Acme", "role": "Designer", "rejection_reply": "My own words 🙂"}
    drafts = {d.key: d for d in current_drafts(answers, "Harbour")}
    assert set(drafts) == {"feedback_request", "rejection_reply", "linkedin_note"}
    assert drafts["rejection_reply"].body == "My own words 🙂"
    assert drafts["rejection_reply"].edited
    assert not drafts["feedback_request"].edited
    assert drafts["feedback_request"].body.strip()
    assert drafts["feedback_request"].subject.strip()
    # A blank saved edit falls back to the generated draft rather than showing nothing.
    blank = {d.key: d for d in current_drafts({"linkedin_note": "   "}, "Harbour")}
    assert not blank["linkedin_note"].edited and blank["linkedin_note"].body.strip()


def test_explainer_has_one_row_per_score_item_from_the_table():
    rows = explainer.rows()
    assert len(rows) == len(SCORE_ITEMS)
    for row, item in zip(rows, SCORE_ITEMS, strict=True):
        assert row.item == item.label
        assert row.weight == item.weight
        if item.kind == "reverse":
            assert "Reverse" in row.keying
        if item.kind == "count":
            assert str(item.target) in row.keying
    bands = explainer.band_lines()
    assert len(bands) == len(BANDS)
    assert bands[0].startswith("70 and above") and BANDS[0][2] in bands[0]
    assert bands[-1].startswith("Below 40")
    assert "not a diagnosis" in explainer.NOT_A_DIAGNOSIS
