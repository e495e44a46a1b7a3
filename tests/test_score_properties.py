"""Properties the confidence score must keep (SPEC §4), checked with hypothesis.

Answers are generated from the questionnaire itself (`SCORE_ITEMS` and the fields they
read) and passed through validation, so they have the shape the store really holds.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.questionnaire import (
    DIMENSIONS,
    FIELDS_BY_KEY,
    MIN_DIMENSIONS_FOR_OVERALL,
    SCORE_ITEMS,
    Column,
    Field,
    ScoreItem,
    band_for,
)
from core.scoring import explain, score, whole
from core.validation import clean_answer

SOURCES: tuple[str, ...] = tuple(dict.fromkeys(item.source for item in SCORE_ITEMS))
ITEMS_BY_SOURCE: dict[str, list[ScoreItem]] = {
    source: [i for i in SCORE_ITEMS if i.source == source] for source in SOURCES
}
PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
WORDS = st.text(alphabet="abcdefghij KLMNOP", min_size=1, max_size=12).filter(str.strip)


def _cell(column: Column) -> st.SearchStrategy[Any]:
    if column.kind == "choice":
        value = st.sampled_from([key for key, _ in column.options])
    elif column.kind == "rating":
        value = st.integers(1, 5)
    elif column.kind == "date":
        value = st.sampled_from(["2026-12-01", "2027-01-15"])
    elif column.kind == "url":
        value = st.just("https://www.linkedin.com/in/sam-jones")
    else:
        value = WORDS
    if column.required:
        return value
    blank = "" if column.kind in ("text", "url") else None
    return st.one_of(st.just(blank), value)


def _row(field: Field) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({c.key: _cell(c) for c in field.columns})


def _answer(field: Field) -> st.SearchStrategy[Any]:
    if field.kind == "likert":
        return st.integers(1, 5)
    if field.kind == "choice":
        return st.sampled_from([key for key, _ in field.options])
    return st.lists(_row(field), min_size=1, max_size=field.max_rows)


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, Any]:
    """Any mix of answered and unanswered score sources, validated like a real save."""
    answers: dict[str, Any] = {}
    for source in SOURCES:
        if draw(st.booleans()):
            cleaned = clean_answer(source, draw(_answer(FIELDS_BY_KEY[source])))
            if cleaned not in (None, "", []):
                answers[source] = cleaned
    return answers


def _matching_row(field: Field, items: list[ScoreItem], rating: int) -> dict[str, Any]:
    """A row that every item reading this table counts in its favour."""
    row: dict[str, Any] = {}
    for column in field.columns:
        if column.kind == "choice":
            row[column.key] = column.options[0][0] if column.required else None
        elif column.kind == "rating":
            row[column.key] = rating
        else:
            row[column.key] = "text" if column.required else ""
    for item in items:
        if item.where is not None:
            column_key, accepted = item.where
            row[column_key] = "A better answer" if accepted == ("*",) else accepted[0]
    return row


def improvements(answers: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every single-answer change that is plainly better, for answers already given."""
    for source, value in answers.items():
        field = FIELDS_BY_KEY[source]
        items = ITEMS_BY_SOURCE[source]
        kinds = {i.kind for i in items}
        if "likert" in kinds and value < 5:
            yield source, f"{source} {value}→{value + 1}", {**answers, source: value + 1}
        if "reverse" in kinds and value > 1:
            yield source, f"{source} {value}→{value - 1}", {**answers, source: value - 1}
        if "ordinal" in kinds:
            (item,) = items
            values = dict(item.option_values)
            for option, better in item.option_values:
                if better > values[value]:
                    yield source, f"{source} {value}→{option}", {**answers, source: option}
        if field.kind != "table":
            continue
        if len(value) < field.max_rows:
            row = _matching_row(field, items, rating=5)
            yield source, f"{source} + matching row", {**answers, source: [*value, row]}
        for index, row in enumerate(value):
            for item in items:
                if item.where is not None:
                    column_key, accepted = item.where
                    good = "A better answer" if accepted == ("*",) else accepted[0]
                    if row.get(column_key) != good:
                        rows = copy.deepcopy(value)
                        rows[index][column_key] = good
                        yield (
                            source,
                            f"{source}[{index}].{column_key}→{good}",
                            {**answers, source: rows},
                        )
                if item.kind == "mean_rating" and row[item.column] < 5:
                    rows = copy.deepcopy(value)
                    rows[index][item.column] += 1
                    yield source, f"{source}[{index}].{item.column} +1", {**answers, source: rows}


def _extreme(best: bool) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for source in SOURCES:
        field = FIELDS_BY_KEY[source]
        items = ITEMS_BY_SOURCE[source]
        kinds = {i.kind for i in items}
        if "likert" in kinds:
            answers[source] = 5 if best else 1
        elif "reverse" in kinds:
            answers[source] = 1 if best else 5
        elif "ordinal" in kinds:
            pick = max if best else min
            answers[source] = pick(items[0].option_values, key=lambda o: o[1])[0]
        elif best:
            n = max(i.target for i in items)
            answers[source] = [_matching_row(field, items, rating=5) for _ in range(n)]
        elif all(i.where is not None or i.kind == "mean_rating" for i in items):
            # The worst table still has rows; they just count for nothing.
            row = _matching_row(field, [], rating=1)
            for item in items:
                if item.where is not None:
                    column_key, accepted = item.where
                    column = next(c for c in field.columns if c.key == column_key)
                    row[column_key] = next((k for k, _ in column.options if k not in accepted), "")
            answers[source] = [row]
        # Otherwise any row at all counts in the candidate's favour: leave it empty.
    return {k: clean_answer(k, v) for k, v in answers.items()}


@PROPERTY_SETTINGS
@given(answer_sets())
def test_every_score_is_a_whole_number_between_0_and_100(answers):
    result = score(answers)
    for value in [*result.dimensions.values(), result.overall]:
        assert value is None or (isinstance(value, int) and 0 <= value <= 100)


BEHAVIOUR_SOURCES = {i.source for i in SCORE_ITEMS if i.counts_as == "behaviour"}
FEELING_SOURCES = {i.source for i in SCORE_ITEMS if i.counts_as == "feeling"}


@st.composite
def advice_followed(draw: st.DrawFn) -> dict[str, Any]:
    """Every behaviour done in full; every feeling anything at all, or unanswered."""
    best = _extreme(best=True)
    worst = _extreme(best=False)
    answers = {k: v for k, v in best.items() if k in BEHAVIOUR_SOURCES}
    for source in sorted(FEELING_SOURCES - BEHAVIOUR_SOURCES):
        choice = draw(st.sampled_from(["best", "worst", "any", "skip"]))
        if choice == "best" and source in best:
            answers[source] = best[source]
        elif choice == "worst" and source in worst:
            answers[source] = worst[source]
        elif choice == "any":
            value = clean_answer(source, draw(_answer(FIELDS_BY_KEY[source])))
            if value not in (None, "", []):
                answers[source] = value
    return answers


def test_behaviour_and_feeling_sources_do_not_overlap():
    # Otherwise "following the advice" could not be told apart from "feeling fine".
    assert not BEHAVIOUR_SOURCES & FEELING_SOURCES


@PROPERTY_SETTINGS
@given(advice_followed())
def test_following_every_steps_advice_gives_at_least_building_whatever_the_feelings(answers):
    result = score(answers)
    for dimension, value in result.dimensions.items():
        assert value is not None and band_for(value)[0] in ("building", "strong"), (
            dimension,
            value,
        )


FEELING_WORDS = [i.label for i in SCORE_ITEMS if i.counts_as == "feeling"] + [
    i.support for i in SCORE_ITEMS if i.counts_as == "feeling"
]


@PROPERTY_SETTINGS
@given(answer_sets())
def test_no_feeling_ever_appears_among_what_would_lift_the_score(answers):
    why = explain(score(answers))
    for lift in why.lift:
        assert lift.item.counts_as == "behaviour"
        assert lift.text not in FEELING_WORDS
        assert all(words not in lift.text for words in FEELING_WORDS)
    # Feelings only ever appear as the acknowledging lines, never as something "done".
    assert not set(why.done) & set(FEELING_WORDS)
    assert set(why.feelings) <= set(FEELING_WORDS)


@PROPERTY_SETTINGS
@given(answer_sets())
def test_lifts_are_the_largest_gains_and_really_raise_the_score(answers):
    result = score(answers)
    why = explain(result)
    assert len(why.lift) <= 2
    gains = [lift.gain for lift in why.lift]
    assert gains == sorted(gains, reverse=True)
    assert all(gain >= 1 for gain in gains)


@PROPERTY_SETTINGS
@given(answer_sets())
def test_a_better_answer_never_lowers_any_score(answers):
    before = score(answers)
    for _, change, better_answers in improvements(answers):
        after = score(better_answers)
        for dimension, old in before.dimensions.items():
            if old is not None:
                new = after.dimensions[dimension]
                assert new is not None and new >= old, (change, dimension, old, new)
        if before.overall is not None:
            assert after.overall is not None and after.overall >= before.overall, change


def test_improvements_cover_every_kind_of_score_item():
    """Guard for the property above: it must exercise every score source, and each
    change must really raise its own dimension when starting from low answers."""
    answers = _extreme(best=False)
    for source in ("pipeline", "action_points", "improvements", "strengths", "small_wins"):
        answers[source] = [_matching_row(FIELDS_BY_KEY[source], [], rating=1)]
    answers["pipeline"][0]["cv_tailored"] = "no"
    base = score(answers)
    seen = set()
    for source, change, better in improvements(answers):
        seen.add(source)
        dimension = ITEMS_BY_SOURCE[source][0].dimension
        assert score(better).dimensions[dimension] > base.dimensions[dimension], change
    assert seen == set(SOURCES)


def test_all_best_answers_give_100_everywhere():
    result = score(_extreme(best=True))
    assert result.dimensions == {d: 100.0 for d in DIMENSIONS}
    assert result.overall == 100.0
    assert result.band == "strong"


def test_all_worst_answers_give_0_everywhere():
    result = score(_extreme(best=False))
    assert result.dimensions == {d: 0.0 for d in DIMENSIONS}
    assert result.overall == 0.0
    assert result.band == "low"


@PROPERTY_SETTINGS
@given(answer_sets(), st.randoms())
def test_the_same_answers_always_give_the_same_score(answers, rnd):
    first = score(answers)
    keys = list(answers)
    rnd.shuffle(keys)
    shuffled = {k: copy.deepcopy(answers[k]) for k in keys}
    assert score(shuffled) == first
    assert score(answers) == first


@PROPERTY_SETTINGS
@given(answer_sets())
def test_unanswered_items_are_left_out_not_counted_as_zero(answers):
    result = score(answers)
    blanks = {source: None for source in SOURCES if source not in answers}
    assert score({**answers, **blanks}) == result
    assert score({**answers, **{k: "" for k in blanks}}) == result
    answered_dimensions = {i.dimension for i in SCORE_ITEMS if i.source in answers}
    for dimension in DIMENSIONS:
        assert (result.dimensions[dimension] is not None) == (dimension in answered_dimensions)


@pytest.mark.parametrize("item", [i for i in SCORE_ITEMS if i.kind in ("likert", "reverse")])
def test_one_top_rating_alone_gives_its_dimension_full_marks(item):
    best, worst = (5, 1) if item.kind == "likert" else (1, 5)
    alone = score({item.source: best})
    assert alone.dimensions[item.dimension] == 100.0
    assert score({item.source: worst}).dimensions[item.dimension] == 0.0
    assert all(v is None for d, v in alone.dimensions.items() if d != item.dimension)
    assert alone.overall is None


@PROPERTY_SETTINGS
@given(answer_sets())
def test_overall_needs_three_scored_dimensions(answers):
    result = score(answers)
    scored = [v for v in result.dimensions.values() if v is not None]
    if len(scored) < MIN_DIMENSIONS_FOR_OVERALL:
        assert result.overall is None and result.band is None
    else:
        assert result.overall == whole(sum(scored) / len(scored))
        assert result.band == band_for(result.overall)[0]


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0.0, "low"),
        (39.9, "low"),
        (40.0, "building"),
        (69.9, "building"),
        (70.0, "strong"),
        (100.0, "strong"),
    ],
)
def test_band_edges(value, band):
    assert band_for(value)[0] == band
    assert band_for(value)[1]  # a friendly label, never blank
