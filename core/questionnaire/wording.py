"""How the questionnaire's answers and results are named on screen and in exports."""

from __future__ import annotations

from core.questionnaire.questions import STAGES, STEPS
from core.questionnaire.score_model import BANDS

DIMENSION_LABELS: dict[str, str] = {step.dimension: step.title for step in STEPS}
# How bands and stages read on consultant screens; NO_BAND where too few steps have a score.
BAND_LABELS: dict[str, str] = {key: label for _, key, label in BANDS}
NO_BAND = "Not enough answers"
STAGE_LABELS: dict[str, str] = dict(STAGES)


def step_heading(number: int) -> str:
    """Where a step sits in the journey: its number, out of however many steps there are."""
    return f"Step {number} of {len(STEPS)}"
