"""The confidence score: pure functions from answers to numbers and reasons.

Each score item in `core.questionnaire.SCORE_ITEMS` is turned into a component value
between 0 and 1 (or None when unanswered). A dimension is 100 × the weighted mean of
its answered components; the overall score is the mean of the scored dimensions once
enough of them have a score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.questionnaire import (
    DIMENSION_LABELS,
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
    dimensions: dict[str, float | None]
    overall: float | None
    band: str | None
    band_label: str | None
    contributions: tuple[Contribution, ...]

    def scored_dimensions(self) -> dict[str, float]:
        return {k: v for k, v in self.dimensions.items() if v is not None}


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


def score_from_components(contribs: tuple[Contribution, ...]) -> ScoreResult:
    dimensions: dict[str, float | None] = {}
    for dimension in DIMENSIONS:
        mine = [c for c in contribs if c.item.dimension == dimension]
        total_weight = sum(c.item.weight for c in mine)
        if not mine or total_weight <= 0:
            dimensions[dimension] = None
            continue
        mean = sum(c.value * c.item.weight for c in mine) / total_weight
        dimensions[dimension] = round(100 * mean, 1)
    scored = [v for v in dimensions.values() if v is not None]
    overall = None
    band = band_label = None
    if len(scored) >= MIN_DIMENSIONS_FOR_OVERALL:
        overall = round(sum(scored) / len(scored), 1)
        band, band_label = band_for(overall)
    return ScoreResult(dimensions, overall, band, band_label, contribs)


def score(answers: Mapping[str, Any]) -> ScoreResult:
    """Score a reflection's answers (a mapping of questionnaire key → saved value)."""
    return score_from_components(components(answers))


@dataclass(frozen=True)
class Explanation:
    raised: list[str]
    lowered: list[str]


def explain(result: ScoreResult, limit: int = 4) -> Explanation:
    """Plain sentences naming the answers that helped most and held the score back most."""
    strong = sorted(
        (c for c in result.contributions if c.value >= 0.75),
        key=lambda c: (-c.value * c.item.weight, c.item.key),
    )
    weak = sorted(
        (c for c in result.contributions if c.value <= 0.25),
        key=lambda c: (c.value - c.item.weight, c.item.key),
    )
    raised = [f"{DIMENSION_LABELS[c.item.dimension]}: {_describe(c)}" for c in strong[:limit]]
    lowered = [f"{DIMENSION_LABELS[c.item.dimension]}: {_describe(c)}" for c in weak[:limit]]
    return Explanation(raised, lowered)


def _describe(c: Contribution) -> str:
    if c.item.kind in ("likert", "reverse"):
        agreed = "You agreed" if c.item.kind == "likert" else "You disagreed"
        if c.value <= 0.25:
            agreed = "You disagreed" if c.item.kind == "likert" else "You agreed"
        return f"{agreed} that \u201c{c.item.label}\u201d"
    return f"{c.item.label} ({round(c.value * 100)}%)"
