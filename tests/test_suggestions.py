"""When My plan offers a consultant, and why: one case per rule, both edges of each
threshold, and the priority order pinned (these numbers order the consultant queue)."""

from __future__ import annotations

import pytest

from core.questionnaire import DIMENSIONS, FIELDS_BY_KEY
from core.scoring import ScoreResult
from core.suggestions import priority_of, reasons_for

LIVE = {"pipeline": [{"company": "Globex"}]}  # so "no live options" stays out of the way


def result(overall: int | None = None, **dimensions: int) -> ScoreResult:
    dims: dict[str, int | None] = {d: None for d in DIMENSIONS}
    dims.update(dimensions)
    return ScoreResult(dims, overall, None, None, ())


def codes(res: ScoreResult, answers: dict, asked: bool = False) -> list[str]:
    return [r.code for r in reasons_for(res, answers, asked_to_talk=asked)]


def test_nothing_to_suggest_gives_an_empty_list():
    assert reasons_for(result(70, feedback=70, options=70, learning=70), LIVE) == []


def test_asked_to_talk():
    (reason,) = reasons_for(result(), LIVE, asked_to_talk=True)
    assert (reason.code, reason.priority) == ("asked_to_talk", 100)
    assert codes(result(), LIVE, asked=False) == []


@pytest.mark.parametrize(("overall", "offered"), [(39, True), (40, False), (None, False)])
def test_low_overall_below_40(overall, offered):
    assert ("low_overall" in codes(result(overall), LIVE)) is offered


@pytest.mark.parametrize("dimension", DIMENSIONS)
@pytest.mark.parametrize(("value", "offered"), [(29, True), (30, False)])
def test_low_step_below_30(dimension, value, offered):
    reasons = reasons_for(result(**{dimension: value}), LIVE)
    assert ([r.code for r in reasons] == [f"low_{dimension}"]) is offered
    if offered:
        assert reasons[0].priority == 20


@pytest.mark.parametrize("worry", ["not_good_enough", "giving_up", "avoid_applying"])
@pytest.mark.parametrize(("rating", "offered"), [(3, False), (4, True), (5, True)])
def test_heavy_feelings_from_agreeing_with_a_worry(worry, rating, offered):
    reasons = reasons_for(result(), {**LIVE, worry: rating})
    assert ([r.code for r in reasons] == ["heavy_feelings"]) is offered
    if offered:
        (reason,) = reasons
        assert reason.priority == 35
        # In the candidate's own words: the statement they agreed with, quoted.
        assert FIELDS_BY_KEY[worry].label in reason.text
        assert "common" in reason.text


def test_heavy_feelings_quotes_the_first_worry_and_lists_all_for_staff():
    (reason,) = reasons_for(result(), {**LIVE, "giving_up": 5, "not_good_enough": 4})
    assert FIELDS_BY_KEY["not_good_enough"].label in reason.text
    assert "giving up" in reason.for_staff and "not good enough" in reason.for_staff


@pytest.mark.parametrize(
    ("answer", "priority"), [("0", None), ("1", None), ("2", 15), ("3+", 30), (None, None)]
)
def test_final_stage_rejections_from_two(answer, priority):
    reasons = [r for r in reasons_for(result(), {**LIVE, "final_rejections_6m": answer})]
    if priority is None:
        assert reasons == []
    else:
        (reason,) = reasons
        assert (reason.code, reason.priority) == ("repeated_final_rejections", priority)


@pytest.mark.parametrize(
    ("pipeline", "offered"), [(None, True), ([], True), ([{"company": "Globex"}], False)]
)
def test_no_live_options(pipeline, offered):
    answers = {} if pipeline is None else {"pipeline": pipeline}
    assert (codes(result(), answers) == ["no_live_options"]) is offered


@pytest.mark.parametrize(
    ("rating", "offered"), [(1, True), (2, True), (3, False), (5, False), (None, False)]
)
def test_unsure_how_to_tailor_a_cv(rating, offered):
    reasons = reasons_for(result(), {**LIVE, "can_tailor": rating})
    assert ([r.code for r in reasons] == ["unsure_tailoring"]) is offered
    if offered:
        assert "CV for the roles you're targeting" in reasons[0].text


def test_priority_order_is_pinned():
    answers = {
        "final_rejections_6m": "3+",
        "not_good_enough": 5,
        "can_tailor": 1,
    }
    reasons = reasons_for(result(20, feedback=10, learning=25), answers, asked_to_talk=True)
    assert [(r.code, r.priority) for r in reasons] == [
        ("asked_to_talk", 100),
        ("low_overall", 40),
        ("heavy_feelings", 35),
        ("repeated_final_rejections", 30),
        ("no_live_options", 25),
        ("low_feedback", 20),
        ("low_learning", 20),
        ("unsure_tailoring", 20),
    ]
    assert priority_of(reasons) == 100 + 40 + 35 + 30 + 25 + 20 + 20 + 20


def test_every_reason_has_words_for_the_candidate_and_for_staff():
    answers = {"final_rejections_6m": "2", "giving_up": 4, "can_tailor": 2}
    reasons = reasons_for(result(10, options=5), answers, asked_to_talk=True)
    assert len(reasons) == 7
    for reason in reasons:
        assert reason.text and reason.for_staff and reason.service
        assert reason.as_dict()["for_staff"] == reason.for_staff
