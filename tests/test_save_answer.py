"""`journey.store_answer` validates, saves, and says when nothing changed; "blank" and
"edited draft" mean one thing everywhere."""

from __future__ import annotations

import pytest

from core import drafts, journey, progress
from core.limits import UNLIMITED
from core.questionnaire import STEPS_BY_KEY
from core.validation import InvalidAnswer, is_blank


def updated_at(store, reflection_id):
    return journey.reflection(store, reflection_id)["updated_at"]


def test_saving_the_same_answer_again_writes_nothing(store, clock):
    rid = journey.start(store, client=UNLIMITED).reflection_id
    rows = [{"strength": "Calm"}]
    first = journey.store_answer(store, rid, "strengths", rows)
    assert first.changed and first.value == rows
    saved_at = updated_at(store, rid)
    clock.advance(days=2)
    again = journey.store_answer(store, rid, "strengths", [{"strength": "Calm"}, {}])
    assert not again.changed and again.value == rows
    assert updated_at(store, rid) == saved_at
    changed = journey.store_answer(store, rid, "strengths", [{"strength": "Calmer"}])
    assert changed.changed
    assert updated_at(store, rid)[:10] == clock.days_from_today(0) > saved_at[:10]


def test_a_blank_answer_removes_the_saved_one_once(store):
    rid = journey.start(store, client=UNLIMITED).reflection_id
    journey.save_answer(store, rid, "fit_learned", "A team that ships")
    assert journey.store_answer(store, rid, "fit_learned", "   ").changed
    assert "fit_learned" not in journey.load_answers(store, rid)
    assert not journey.store_answer(store, rid, "fit_learned", "").changed


def test_a_refused_answer_raises_and_keeps_the_saved_one(store):
    rid = journey.start(store, client=UNLIMITED).reflection_id
    journey.save_answer(store, rid, "improvements", [{"action": "Practise"}])
    with pytest.raises(InvalidAnswer):
        journey.store_answer(store, rid, "improvements", [{"action": str(i)} for i in range(4)])
    assert journey.load_answers(store, rid)["improvements"] == [
        {"action": "Practise", "target_date": None}
    ]


@pytest.mark.parametrize("value", [None, "", "  \n", [], float("nan")])
def test_blank_is_one_rule(value):
    assert is_blank(value)
    assert not drafts.is_edited(value)
    step = STEPS_BY_KEY["learning"]
    ratings = {f.key: 3 for f in step.fields if f.kind == "likert"}
    assert not progress.step_done(step, {**ratings, "fit_learned": value})
    assert progress.step_done(step, {**ratings, "fit_learned": "A team that ships"})


@pytest.mark.parametrize("value", ["x", [{"win": "y"}], 0, 3])
def test_anything_else_is_an_answer(value):
    assert not is_blank(value)
