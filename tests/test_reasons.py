"""The reasons table, one test row per reason: a new reason in core/reasons.py is one row
there and one row in CASES here (the first test fails until it has one).

Each case gives answers (and step scores) that raise the reason, and the nearest answers
that do not; the row's words, priority and label are checked as the candidate, the
consultant and the queue see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from core import queue, reasons
from core.questionnaire import DIMENSIONS
from core.queue_export import rows_csv
from core.scoring import ScoreResult
from core.suggestions import reasons_for


@dataclass(frozen=True)
class Case:
    code: str
    raised_by: dict[str, Any]  # answers that raise the reason
    not_by: dict[str, Any]  # the nearest answers that do not
    priority: int
    candidate_says: str  # a phrase of the candidate's words
    staff_reads: str  # the consultant's words in full
    label: str  # the short label on the queue, its filter and the CSV
    flag: str = ""  # on the consultant's summary
    overall: int | None = None  # the score the case needs (None: no overall yet)
    steps: dict[str, int] = field(default_factory=dict)
    asked: bool = False


LIVE = {"pipeline": [{"company": "Globex"}]}  # so "no live options" stays out of the way

CASES: list[Case] = [
    Case(
        "asked_to_talk",
        {**LIVE},
        {**LIVE},
        100,
        "You asked to talk",
        "Asked to be contacted",
        "Asked to talk",
        asked=True,
    ),
    Case(
        "low_overall",
        {**LIVE},
        {**LIVE},
        40,
        "this one hit hard",
        "Low overall score (39)",
        "Low overall score",
        overall=39,
    ),
    Case(
        "repeated_final_rejections",
        {**LIVE, "final_rejections_6m": "3+"},
        {**LIVE, "final_rejections_6m": "1"},
        30,
        "Three or more final-stage rejections in six months",
        "3+ final-stage rejections in 6 months",
        "Repeated final-stage rejections",
        flag="3+ final-stage rejections in 6 months",
    ),
    Case(
        "heavy_feelings",
        {**LIVE, "giving_up": 4, "avoid_applying": 5},
        {**LIVE, "giving_up": 3, "avoid_applying": 3},
        35,
        "You said \u201cI feel like giving up on roles at this level.\u201d",
        "Agrees: I feel like giving up on roles at this level; "
        "I hold back from applying in case this happens again",
        "Heavy feelings",
        flag="heavy feelings (giving up, holding back from applying)",
    ),
    Case(
        "no_live_options",
        {"pipeline": []},
        {**LIVE},
        25,
        "no other live opportunities",
        "No other live options",
        "No other live options",
    ),
    Case(
        "unsure_tailoring",
        {**LIVE, "can_tailor": 2},
        {**LIVE, "can_tailor": 3},
        20,
        "not sure how to tailor your CV",
        "Unsure how to tailor CV",
        "Unsure how to tailor CV",
    ),
    Case(
        "low_feedback",
        {**LIVE},
        {**LIVE},
        20,
        "ask the employer for feedback on your behalf",
        "Low: Ask for feedback (29)",
        "Low: Ask for feedback",
        steps={"feedback": 29},
    ),
    Case(
        "low_connections",
        {**LIVE},
        {**LIVE},
        20,
        "make the most of LinkedIn",
        "Low: Keep connections open (0)",
        "Low: Keep connections open",
        steps={"connections": 0},
    ),
    Case(
        "low_options",
        {**LIVE},
        {**LIVE},
        20,
        "show you suitable vacancies",
        "Low: Keep your options open (10)",
        "Low: Keep your options open",
        steps={"options": 10},
    ),
    Case(
        "low_approach",
        {**LIVE},
        {**LIVE},
        20,
        "coach you through the stages",
        "Low: Review your approach (29)",
        "Low: Review your approach",
        steps={"approach": 29},
    ),
    Case(
        "low_learning",
        {**LIVE},
        {**LIVE},
        20,
        "get your confidence back",
        "Low: Learn from every interview (5)",
        "Low: Learn from every interview",
        steps={"learning": 5},
    ),
]


def result(overall: int | None, steps: dict[str, int]) -> ScoreResult:
    dims: dict[str, int | None] = {d: None for d in DIMENSIONS}
    dims.update(steps)
    return ScoreResult(dims, overall, None, None, ())


def raised(case: Case) -> list[reasons.Reason]:
    return reasons_for(result(case.overall, case.steps), case.raised_by, case.asked)


def test_every_reason_has_exactly_one_test_row():
    assert sorted(case.code for case in CASES) == sorted(row.code for row in reasons.REASONS)


def test_every_step_has_its_low_reason():
    assert {f"low_{d}" for d in DIMENSIONS} <= set(reasons.BY_CODE)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_the_reason_is_raised_with_its_words_and_priority(case):
    (reason,) = raised(case)
    assert (reason.code, reason.priority) == (case.code, case.priority)
    assert case.candidate_says in reason.text
    assert reason.for_staff == case.staff_reads
    assert reason.service
    # Stored as a dict, it reads the same to a consultant.
    assert reasons.for_staff(reason.as_dict()) == case.staff_reads


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_the_nearest_answers_do_not_raise_it(case):
    # Scores one point past the threshold, or no score at all.
    overall = None if case.overall is None else reasons.LOW_OVERALL
    steps = {d: reasons.LOW_STEP for d in case.steps}
    assert reasons_for(result(overall, steps), case.not_by, asked_to_talk=False) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_the_label_is_what_the_queue_filter_and_csv_show(case):
    assert queue.REASON_LABELS[case.code] == case.label
    # A stored reason from before consultant wording existed falls back to the label.
    assert reasons.for_staff({"code": case.code, "text": "old words"}) == case.label
    csv_text = rows_csv([{"id": 1, "reasons": [queue.REASON_LABELS[case.code]]}])
    assert f'"{case.label}"' in csv_text


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_the_flag_on_the_consultant_summary(case):
    expected = [case.flag] if case.flag else []
    assert reasons.flags(case.raised_by) == expected
    assert reasons.flags(case.not_by) == []
