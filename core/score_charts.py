"""The rows My plan's charts draw: the score per step, and the overall score over time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.answer_values import one_line
from core.questionnaire import DIMENSION_LABELS, DIMENSIONS, STEPS
from core.scoring import ScoreResult


def dimension_rows(result: ScoreResult) -> list[dict[str, Any]]:
    """One row per scored dimension, in journey order, for the breakdown chart."""
    return [
        {"step": DIMENSION_LABELS[d], "order": i + 1, "score": result.dimensions[d]}
        for i, d in enumerate(DIMENSIONS)
        if result.dimensions[d] is not None
    ]


def unscored_steps(result: ScoreResult) -> list[str]:
    """The steps the breakdown leaves out, as 'Step 2: Keep connections open'."""
    return [
        f"Step {step.number}: {step.title}"
        for step in STEPS
        if result.dimensions.get(step.dimension) is None
    ]


def trend_rows(history: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Overall score per reflection over time, skipping reflections with no overall yet."""
    rows = []
    for number, entry in enumerate(history, start=1):
        if entry.get("overall") is None:
            continue
        label = one_line(entry.get("company")) or f"Reflection {number}"
        rows.append(
            {
                "date": str(entry.get("created_at", ""))[:10],
                "reflection": f"{number}. {label}",
                "overall": entry["overall"],
            }
        )
    return rows
