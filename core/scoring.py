"""The confidence score: pure functions from answers to numbers and reasons.

Each score item in `core.questionnaire.SCORE_ITEMS` is turned into a component value
between 0 and 1 (or None when unanswered). A dimension is 100 × the weighted mean of
its answered components, where what the candidate did weighs more than how they feel;
the overall score is the mean of the scored dimensions once enough of them have a
score. Every number is a whole number, as the candidate sees it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.questionnaire import (
    DIMENSIONS,
    MIN_DIMENSIONS_FOR_OVERALL,
    SCORE_ITEMS,
    ScoreItem,
    band_for,
)


@dataclass(frozen=True)
class Contribution:
    item: ScoreItem
    value: float  # 0–1


@dataclass(frozen=True)
class ScoreResult:
    dimensions: dict[str, int | None]
    overall: int | None
    band: str | None
    band_label: str | None
    contributions: tuple[Contribution, ...]


def _matches(row: Mapping[str, Any], where: tuple[str, tuple[str, ...]] | None) -> bool:
    if where is None:
        return True
    column, accepted = where
    value = row.get(column)
    if accepted == ("*",):
        return (
            isinstance(value, str)
            and bool(value.strip())
            or (value is not None and not isinstance(value, str))
        )
    return value in accepted


def component_value(item: ScoreItem, answer: Any) -> float | None:
    """The item's 0–1 value for this answer, or None when it tells us nothing yet."""
    if answer is None or answer == "":
        return None
    if item.kind == "likert":
        return (int(answer) - 1) / 4
    if item.kind == "reverse":
        return (5 - int(answer)) / 4
    if item.kind == "ordinal":
        return dict(item.option_values).get(answer)
    rows = [r for r in answer if isinstance(r, Mapping)] if isinstance(answer, list) else []
    if item.kind == "count":
        n = sum(1 for r in rows if _matches(r, item.where))
        return min(n, item.target) / item.target
    if item.kind == "fraction":
        if not rows:
            return None
        return sum(1 for r in rows if _matches(r, item.where)) / len(rows)
    ratings = [r.get(item.column) for r in rows]
    numbers = [int(v) for v in ratings if isinstance(v, int | float) and 1 <= v <= 5]
    if not numbers:
        return None
    return (sum(numbers) / len(numbers) - 1) / 4


def components(answers: Mapping[str, Any]) -> tuple[Contribution, ...]:
    out = []
    for item in SCORE_ITEMS:
        value = component_value(item, answers.get(item.source))
        if value is not None:
            out.append(Contribution(item, value))
    return tuple(out)


def whole(value: float) -> int:
    """Round half up (Python's round() sends 62.5 to 62), so 0.5 always counts for."""
    return int(math.floor(value + 0.5))


def score_from_components(contribs: tuple[Contribution, ...]) -> ScoreResult:
    dimensions: dict[str, int | None] = {}
    for dimension in DIMENSIONS:
        mine = [c for c in contribs if c.item.dimension == dimension]
        total_weight = sum(c.item.weight for c in mine)
        if not mine or total_weight <= 0:
            dimensions[dimension] = None
            continue
        mean = sum(c.value * c.item.weight for c in mine) / total_weight
        dimensions[dimension] = whole(100 * mean)
    scored = [v for v in dimensions.values() if v is not None]
    overall = None
    band = band_label = None
    if len(scored) >= MIN_DIMENSIONS_FOR_OVERALL:
        overall = whole(sum(scored) / len(scored))
        band, band_label = band_for(overall)
    return ScoreResult(dimensions, overall, band, band_label, contribs)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Score a reflection's answers (a mapping of questionnaire key → saved value)."""
    return score_from_components(components(answers))


@dataclass(frozen=True)
class Lift:
    """One action that would raise the score, and by how many whole points."""

    item: ScoreItem
    text: str
    gain: int
    of_overall: bool  # the gain is to the overall score (else to the item's own step)


@dataclass(frozen=True)
class Explanation:
    done: list[str]  # what the candidate has done that counts for them
    lift: list[Lift]  # the one or two actions with the largest gain
    feelings: list[str]  # acknowledging lines for feelings that weigh heavy right now


DONE_AT = 0.75  # a rating or choice counts as done from "Agree" / "I've asked" up
# A feeling at or below this weighs heavy: agreeing 4 or 5 with a worry, disagreeing 1 or
# 2 with a hopeful line. My plan acknowledges it; for some, a consultant is offered.
HEAVY_AT = 0.25


def weighs_heavy(item: ScoreItem, answer: Any) -> bool:
    """This feeling, answered so, weighs heavy (the one rule for "heavy" everywhere)."""
    return _heavy(item, component_value(item, answer))


def _heavy(item: ScoreItem, value: float | None) -> bool:
    return item.counts_as == "feeling" and value is not None and value <= HEAVY_AT


def _with_best(contribs: tuple[Contribution, ...], item: ScoreItem) -> tuple[Contribution, ...]:
    others = tuple(c for c in contribs if c.item.key != item.key)
    return (*others, Contribution(item, 1.0))


def lifts(result: ScoreResult, limit: int = 2) -> list[Lift]:
    """The behaviours whose full completion would raise the score most, largest first.

    Only things a candidate can do are offered; a feeling is never a task. The gain is
    to the overall score once there is one, else to the item's own step.
    """
    found = {c.item.key: c.value for c in result.contributions}
    out = []
    for item in SCORE_ITEMS:
        if item.counts_as != "behaviour" or found.get(item.key, 0.0) >= 1.0:
            continue
        if item.lift_once_answered and item.key not in found:
            continue
        if result.overall is None and result.dimensions[item.dimension] is None:
            # No overall yet: a step not started has no score to lift, so gains are
            # only counted within the steps that have one.
            continue
        after = score_from_components(_with_best(result.contributions, item))
        if result.overall is not None and after.overall is not None:
            gain, of_overall = after.overall - result.overall, True
        else:
            # Before an overall score, what counts is what it adds to its own step.
            before = result.dimensions[item.dimension] or 0
            gain, of_overall = (after.dimensions[item.dimension] or 0) - before, False
        if gain >= 1:
            out.append(Lift(item, item.lift, gain, of_overall))
    out.sort(key=lambda lift: -lift.gain)  # stable: questionnaire order breaks ties
    return out[:limit]


def _is_done(c: Contribution) -> bool:
    # One row in a list is already something done; a rating needs to lean to yes.
    if c.item.kind in ("count", "fraction"):
        return c.value > 0
    return c.value >= DONE_AT


def explain(result: ScoreResult, limit: int = 2) -> Explanation:
    """What you've done, what would lift it next, and a kind word for heavy feelings."""
    done = [
        c.item.done for c in result.contributions if c.item.counts_as == "behaviour" and _is_done(c)
    ]
    feelings = [item.support for item in heavy_feelings(result)]
    return Explanation(done, lifts(result, limit), feelings)


def heavy_feelings(result: ScoreResult) -> list[ScoreItem]:
    """The feeling items answered at the heavy end, in questionnaire order."""
    return [c.item for c in result.contributions if _heavy(c.item, c.value)]
