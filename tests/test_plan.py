"""My plan's other parts: building it once, taking forward, charts, drafts, the contact
status, and the explainer. The checklist has its own file, tests/test_checklist.py."""

from __future__ import annotations

import datetime as dt
import re

from core import explainer
from core.checklist import checklist
from core.contact_status import sent_status
from core.drafts import current_drafts
from core.plan import build_plan
from core.questionnaire import BANDS, SCORE_ITEMS
from core.score_charts import dimension_rows, trend_rows, unscored_steps
from core.scoring import explain, score
from core.taking_forward import taking_forward

TODAY = dt.date(2026, 11, 25)


def test_taking_forward_gathers_strengths_wins_fit_questions_and_star_answers():
    answers = {
        "strengths": [{"strength": "Calm under pressure"}, {"strength": " "}],
        "small_wins": [{"win": "Reached the final"}],
        "fit_learned": "  A smaller team suits me.  ",
        "questions_next_time": "How is success measured?",
        "tough_questions": [
            {"question": "A time you failed?", "situation": "Q3 launch", "action": "Owned it"},
            {"question": "Why us?"},  # no STAR parts yet: not an answer to take forward
        ],
    }
    forward = taking_forward(answers)
    assert forward.strengths == ["Calm under pressure"]
    assert forward.wins == ["Reached the final"]
    assert forward.fit == "A smaller team suits me."
    assert forward.questions == "How is success measured?"
    assert [(s.question, s.situation, s.action) for s in forward.star] == [
        ("A time you failed?", "Q3 launch", "Owned it")
    ]
    assert not forward.empty and taking_forward({}).empty


def test_build_plan_is_the_one_source_for_everything():
    answers = {
        "role": "Senior Data Analyst",
        "company": "Northwind",
        "stage_reached": "final_interview",
    }
    plan = build_plan(answers, "Harbour", today=TODAY, asked_to_talk=True)
    assert plan.about == "Senior Data Analyst at Northwind" and plan.stage == "Final interview"
    assert plan.reasons[0].code == "asked_to_talk"
    assert plan.checklist == checklist(answers, TODAY)
    assert [d.key for d in plan.drafts] == ["feedback_request", "rejection_reply", "linkedin_note"]


def test_sent_status_says_what_when_and_how():
    request = {
        "created_at": "2026-11-25T14:05:00+00:00",
        "email": "maya@example.com",
        "phone": None,
        "channel": "email",
        "preferred_time": "weekday mornings",
    }
    text = sent_status(request, False, TODAY)
    assert text.startswith(
        "Sent on Wed 25 Nov at 14:05 UTC: your contact details and your message."
    )
    assert "by e-mail at maya@example.com (weekday mornings, if they can)" in text
    shared = sent_status({**request, "channel": "phone", "phone": "07700 900123"}, True, TODAY)
    assert "your reflection is with them too" in shared and "by phone on 07700 900123" in shared


def test_dimension_rows_and_unscored_steps():
    result = score({"takes_criticism": 5, "keeps_in_touch": 1})
    rows = dimension_rows(result)
    assert [(r["step"], r["score"]) for r in rows] == [
        ("Ask for feedback", 100),
        ("Keep connections open", 0),
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
        assert row.weight == item.weight and isinstance(row.weight, int)
        assert row.counts_as == (
            "What you did" if item.counts_as == "behaviour" else "How you feel"
        )
        if item.kind == "reverse":
            assert "turned round" in row.counted
        if item.kind == "count":
            assert str(item.target) in row.counted
        # Whole numbers only: no decimals anywhere in what a candidate reads.
        assert not re.search(r"\d\.\d", row.counted)
    bands = explainer.band_lines()
    assert len(bands) == len(BANDS)
    assert bands[0].startswith("70 and above") and BANDS[0][2] in bands[0]
    assert bands[-1].startswith("Below 40")
    assert "not a diagnosis" in explainer.NOT_A_DIAGNOSIS


def test_how_it_is_worked_out_in_plain_sentences_first():
    text = " ".join(explainer.method_lines())
    assert "What you did counts 3 times as much as how you feel" in text
    assert "left out rather than counted as zero" in text
    assert "at least 3 steps" in text
    assert "whole number" in text
    assert "raise your score the most" in text


def test_lift_sentence_is_plain_and_whole():
    result = score({"feedback_status": "planning", "replied_to_rejection": "no", "pipeline": []})
    why = explain(result)
    sentences = [explainer.lift_sentence(lift) for lift in why.lift]
    # Three steps scored (40, 0, 0 → 13 overall): gains are to the overall score, and
    # of two equal gains the one earlier in the journey comes first.
    assert result.overall == 13
    assert sentences == [
        "Send your reply to the rejection (step 2): about 34 more points overall.",
        "Add one or two other openings you could go for (step 3): about 34 more points overall.",
    ]
    # Before there is an overall score, the gain is to the item's own step.
    early = explain(score({"feedback_status": "planning", "replied_to_rejection": "yes"}))
    assert explainer.lift_sentence(early.lift[0]) == (
        "Send your feedback request (step 1): about 60 more points on Ask for feedback."
    )
