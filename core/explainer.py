""" "How is this worked out": the score's rules, read straight from the questionnaire table.

Nothing here restates a weight or a target by hand, so the explanation cannot drift
from what `core.scoring` actually does.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.questionnaire import (
    BANDS,
    BEHAVIOUR_WEIGHT,
    DIMENSION_LABELS,
    FIELDS_BY_KEY,
    MIN_DIMENSIONS_FOR_OVERALL,
    SCORE_ITEMS,
    ScoreItem,
)
from core.scoring import Lift

NOT_A_DIAGNOSIS = (
    "This score is a reflection aid, not a diagnosis or a judgement of you. It only "
    "mirrors the answers you gave today, and it will move as you act on your plan."
)


MIN_STEPS = MIN_DIMENSIONS_FOR_OVERALL
COUNTS_AS_LABELS = {"behaviour": "What you did", "feeling": "How you feel"}


@dataclass(frozen=True)
class ExplainerRow:
    item: str
    step: str
    counts_as: str  # "What you did" or "How you feel"
    weight: int
    counted: str


def _percent(value: float) -> str:
    return f"{round(value * 100)}"


def _accepted(item: ScoreItem) -> str:
    """'yes', 'done': how the answers a fraction counts are labelled on screen."""
    field = FIELDS_BY_KEY.get(item.source)
    column, accepted = item.where or ("", ())
    options = next((c.options for c in field.columns if c.key == column), ()) if field else ()
    labels = dict(options)
    return " or ".join(labels.get(value, value).lower() for value in accepted)


def _counted(item: ScoreItem) -> str:
    if item.kind == "likert":
        return (
            "Your answer on the scale: strongly agree counts in full, strongly disagree not at all"
        )
    if item.kind == "reverse":
        return (
            "Your answer on the scale, turned round: strongly disagree counts in full, "
            "strongly agree not at all"
        )
    if item.kind == "ordinal":
        field = FIELDS_BY_KEY.get(item.source)
        labels = dict(field.options) if field else {}
        parts = [f"{labels.get(k, k)}: {_percent(v)}" for k, v in item.option_values]
        return "Your choice, out of 100: " + "; ".join(parts)
    if item.kind == "count":
        return f"Each row you add counts, up to {item.target}"
    if item.kind == "fraction":
        return f"The share of your rows marked {_accepted(item)}"
    return "Your average 1 to 5 rating across the stages"


def rows() -> list[ExplainerRow]:
    """One row per score item, in the same order scoring reads them."""
    return [
        ExplainerRow(
            item=item.label,
            step=DIMENSION_LABELS[item.dimension],
            counts_as=COUNTS_AS_LABELS[item.counts_as],
            weight=item.weight,
            counted=_counted(item),
        )
        for item in SCORE_ITEMS
    ]


def band_lines() -> list[str]:
    """'70 and above: Strong footing' and so on, highest band first."""
    lines = []
    upper: int | None = None
    for lower, _key, label in BANDS:
        if upper is None:
            lines.append(f"{lower} and above: {label}")
        elif lower <= 0:
            lines.append(f"Below {upper}: {label}")
        else:
            lines.append(f"{lower} to {upper - 1}: {label}")
        upper = lower
    return lines


def method_lines() -> list[str]:
    """The whole method in plain sentences, before any table."""
    return [
        "Each step gets a score out of 100 from the answers you gave in it.",
        f"What you did counts {BEHAVIOUR_WEIGHT} times as much as how you feel. Asking for "
        "feedback, replying, connecting, keeping other options open and writing down what "
        "you'll do differently are the things that move you forward, so they carry the "
        "most weight. Feelings count a little, because they matter, but a hard day never "
        "outweighs what you've done.",
        "Questions you skipped are left out rather than counted as zero.",
        f"Your overall score is the average of the step scores, shown once at least "
        f"{MIN_STEPS} steps have one. Every score is rounded to a whole number.",
        "What would lift it next is worked out by trying each thing you haven't finished "
        "yet and seeing which would raise your score the most.",
    ]


def lift_sentence(lift: Lift) -> str:
    """'Send your reply to the rejection (step 2): about 6 more points overall.'"""
    where = "overall" if lift.of_overall else f"on {DIMENSION_LABELS[lift.item.dimension]}"
    points = "point" if lift.gain == 1 else "points"
    return f"{lift.text}: about {lift.gain} more {points} {where}."
