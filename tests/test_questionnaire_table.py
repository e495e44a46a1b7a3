"""The score's rules, written out by hand and checked against core/questionnaire.py.

The property tests read keying and weights from the questionnaire itself, so flipping
an item's keying there would leave them green. This table is the independent record:
change a rule on purpose, and change it here too.
"""

from __future__ import annotations

import pytest

from core.questionnaire import (
    BEHAVIOUR_WEIGHT,
    FEELING_WEIGHT,
    SCORE_ITEMS,
    STEPS,
    band_for,
)
from core.scoring import score

# key: (step, kind, counts as) — "reverse" means agreeing lowers the score.
EXPECTED: dict[str, tuple[str, str, str]] = {
    "asked_for_feedback": ("feedback", "ordinal", "behaviour"),
    "action_points_named": ("feedback", "count", "behaviour"),
    "takes_criticism": ("feedback", "likert", "feeling"),
    "replaying": ("feedback", "reverse", "feeling"),
    "replied_graciously": ("connections", "ordinal", "behaviour"),
    "contacts_connected": ("connections", "count", "behaviour"),
    "keeps_in_touch": ("connections", "likert", "behaviour"),
    "would_apply_again": ("connections", "likert", "feeling"),
    "live_options": ("options", "count", "behaviour"),
    "tailored_share": ("options", "fraction", "behaviour"),
    "actively_searching": ("options", "likert", "behaviour"),
    "same_cv": ("options", "reverse", "behaviour"),
    "can_tailor": ("options", "likert", "feeling"),
    "stage_confidence": ("approach", "mean_rating", "feeling"),
    "better_answers": ("approach", "count", "behaviour"),
    "improvements_planned": ("approach", "count", "behaviour"),
    "knew_what_to_expect": ("approach", "likert", "feeling"),
    "practised_answers": ("approach", "likert", "behaviour"),
    "researched_company": ("approach", "likert", "behaviour"),
    "strengths_named": ("learning", "count", "behaviour"),
    "wins_noted": ("learning", "count", "behaviour"),
    "last_plan_done": ("learning", "fraction", "behaviour"),
    "one_step": ("learning", "likert", "feeling"),
    "next_will_go_better": ("learning", "likert", "feeling"),
    "did_well": ("learning", "likert", "feeling"),
    "giving_up": ("learning", "reverse", "feeling"),
    "not_good_enough": ("learning", "reverse", "feeling"),
    "avoid_applying": ("learning", "reverse", "feeling"),
}

# Every question of every step, in page order: (key, step, kind, the part of the page
# that draws it). "" is drawn by the page itself: self-ratings under their heading, and
# messages with their draft. A new question is a row here as well as in the questionnaire.
QUESTIONS: list[tuple[str, str, str, str]] = [
    ("feedback_status", "feedback", "choice", "where"),
    ("feedback_contact", "feedback", "choice", "where"),
    ("feedback_contact_name", "feedback", "text", "where"),
    ("feedback_request", "feedback", "textarea", ""),
    ("feedback_received", "feedback", "textarea", "came_back"),
    ("action_points", "feedback", "table", "came_back"),
    ("takes_criticism", "feedback", "likert", ""),
    ("replaying", "feedback", "likert", ""),
    ("replied_to_rejection", "connections", "choice", "reply"),
    ("contacts", "connections", "table", "people"),
    ("rejection_reply", "connections", "textarea", ""),
    ("linkedin_note", "connections", "textarea", ""),
    ("keeps_in_touch", "connections", "likert", ""),
    ("would_apply_again", "connections", "likert", ""),
    ("pipeline", "options", "table", "pipeline"),
    ("actively_searching", "options", "likert", ""),
    ("same_cv", "options", "likert", ""),
    ("can_tailor", "options", "likert", ""),
    ("stage_ratings", "approach", "table", "stages"),
    ("tough_questions", "approach", "table", "questions"),
    ("improvements", "approach", "table", "improvements"),
    ("knew_what_to_expect", "approach", "likert", ""),
    ("practised_answers", "approach", "likert", ""),
    ("researched_company", "approach", "likert", ""),
    ("strengths", "learning", "table", "went_well"),
    ("small_wins", "learning", "table", "went_well"),
    ("fit_learned", "learning", "textarea", "next_time"),
    ("questions_next_time", "learning", "textarea", "next_time"),
    ("one_step", "learning", "likert", ""),
    ("next_will_go_better", "learning", "likert", ""),
    ("did_well", "learning", "likert", ""),
    ("giving_up", "learning", "likert", ""),
    ("not_good_enough", "learning", "likert", ""),
    ("avoid_applying", "learning", "likert", ""),
    ("final_rejections_6m", "learning", "choice", "ratings"),
]

TARGETS = {
    "action_points_named": 3,
    "contacts_connected": 2,
    "live_options": 2,
    "better_answers": 2,
    "improvements_planned": 2,
    "strengths_named": 3,
    "wins_noted": 2,
}


def test_every_score_item_matches_the_hand_written_table():
    actual = {i.key: (i.dimension, i.kind, i.counts_as) for i in SCORE_ITEMS}
    assert actual == EXPECTED


def test_every_question_matches_the_hand_written_table():
    actual = [(f.key, step.key, f.kind, f.section) for step in STEPS for f in step.fields]
    assert actual == QUESTIONS


def test_weights_behaviours_three_feelings_one():
    assert (BEHAVIOUR_WEIGHT, FEELING_WEIGHT) == (3, 1)
    for item in SCORE_ITEMS:
        assert item.weight == (3 if EXPECTED[item.key][2] == "behaviour" else 1), item.key


def test_count_targets():
    assert {i.key: i.target for i in SCORE_ITEMS if i.kind == "count"} == TARGETS


def test_every_behaviour_has_done_and_lift_words_and_every_feeling_a_kind_line():
    for item in SCORE_ITEMS:
        if item.counts_as == "behaviour":
            assert item.done and item.lift and not item.support, item.key
        else:
            assert item.support and not item.done and not item.lift, item.key


@pytest.mark.parametrize(
    ("key", "answer", "expected"),
    [
        # Reverse-keyed worries: strongly agreeing counts nothing, strongly disagreeing all.
        ("giving_up", 5, 0),
        ("giving_up", 1, 100),
        ("not_good_enough", 4, 25),
        ("avoid_applying", 2, 75),
        ("replaying", 5, 0),
        ("same_cv", 1, 100),
        # Plain keying.
        ("takes_criticism", 5, 100),
        ("can_tailor", 2, 25),
        ("did_well", 3, 50),
    ],
)
def test_keying_of_single_ratings(key, answer, expected):
    (item,) = [i for i in SCORE_ITEMS if i.key == key]
    assert score({key: answer}).dimensions[item.dimension] == expected


def test_feedback_status_values():
    values = {
        "not_yet": 0,
        "planning": 40,
        "asked": 80,
        "declined": 80,
        "received": 100,
    }
    for answer, expected in values.items():
        assert score({"feedback_status": answer}).dimensions["feedback"] == expected


def test_a_feeling_moves_its_step_far_less_than_a_behaviour():
    """The case from the issue: asked for feedback, replaying the interview a lot."""
    base = {"feedback_status": "asked", "replaying": 5}
    lighter = {**base, "replaying": 4}
    step = score(base).dimensions["feedback"]
    # asked 0.8 × 3 + replaying 0 × 1, out of 4 → 60; one notch lighter → 66.
    assert step == 60
    assert score(lighter).dimensions["feedback"] == 66
    assert band_for(step)[0] == "building"
