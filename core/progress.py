"""Which steps count as done, for the progress indicator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.questionnaire import STEPS, Step
from core.validation import is_blank


def step_done(step: Step, answers: Mapping[str, Any]) -> bool:
    """Done once every self-rating is answered and at least one other question is."""
    ratings = [f for f in step.fields if f.kind == "likert"]
    others = [f for f in step.fields if f.kind != "likert"]
    return all(not is_blank(answers.get(f.key)) for f in ratings) and any(
        not is_blank(answers.get(f.key)) for f in others
    )


def progress(answers: Mapping[str, Any]) -> dict[str, bool]:
    """Step key → done, in journey order."""
    return {step.key: step_done(step, answers) for step in STEPS}
