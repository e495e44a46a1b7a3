""" "How is this worked out": the score's rules, read straight from the questionnaire table.

Nothing here restates a weight or a target by hand, so the explanation cannot drift
from what `core.scoring` actually does.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.questionnaire import (
    BANDS,
    DIMENSION_LABELS,
    FIELDS_BY_KEY,
    MIN_DIMENSIONS_FOR_OVERALL,
    SCORE_ITEMS,
    ScoreItem,
)

NOT_A_DIAGNOSIS = (
    "This score is a reflection aid, not a diagnosis or a judgement of you. It only "
    "mirrors the answers you gave today, and it will move as you act on your plan."
)


@dataclass(frozen=True)
class ExplainerRow:
    item: str
    step: str
    counted: str
    keying: str
    weight: float


def _counted(item: ScoreItem) -> str:
    if item.kind == "likert":
        return "Your 1–5 answer: strongly disagree counts 0, strongly agree counts 1"
    if item.kind == "reverse":
        return "Your 1–5 answer, turned round: strongly agree counts 0, strongly disagree 1"
    if item.kind == "ordinal":
        field = FIELDS_BY_KEY.get(item.source)
        labels = dict(field.options) if field else {}
        parts = [f"{labels.get(k, k)} {v:g}" for k, v in item.option_values]
        return "Your choice: " + ", ".join(parts)
    if item.kind == "count":
        return f"Rows you've added, up to {item.target}, as a share of {item.target}"
    if item.kind == "fraction":
        return "The share of rows that qualify"
    return "The average 1–5 rating across rows, scaled to 0–1"


def _keying(item: ScoreItem) -> str:
    if item.kind == "reverse":
        return "Reverse-keyed (agreeing lowers it)"
    if item.kind == "likert":
        return "Agreeing raises it"
    if item.kind == "count":
        return f"Target {item.target}"
    if item.kind == "fraction" and item.where:
        return "Counts rows marked " + " or ".join(item.where[1])
    return "Higher is better"


def rows() -> list[ExplainerRow]:
    """One row per score item, in the same order scoring reads them."""
    return [
        ExplainerRow(
            item=item.label,
            step=DIMENSION_LABELS[item.dimension],
            counted=_counted(item),
            keying=_keying(item),
            weight=item.weight,
        )
        for item in SCORE_ITEMS
    ]


def band_lines() -> list[str]:
    """'70 and above: Strong footing' and so on, highest band first."""
    lines = []
    upper: float | None = None
    for lower, _key, label in BANDS:
        if upper is None:
            lines.append(f"{lower:g} and above: {label}")
        elif lower <= 0:
            lines.append(f"Below {upper:g}: {label}")
        else:
            lines.append(f"{lower:g} to {upper - 1:g}: {label}")
        upper = lower
    return lines


def method_lines() -> list[str]:
    return [
        "Each answer that feeds the score is turned into a number between 0 and 1.",
        "A step's score is 100 × the weighted average of the answers you've given in it. "
        "Questions you skipped are left out rather than counted as zero.",
        f"Your overall score is the average of the step scores, shown once at least "
        f"{MIN_DIMENSIONS_FOR_OVERALL} steps have one.",
    ]
