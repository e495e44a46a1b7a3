"""When to suggest talking to a consultant, and why (SPEC §5). Pure rules.

Each reason carries a priority and the service it points to. A submitted reflection
stores its reasons and the sum of their priorities, which orders the consultant queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from core.questionnaire import DIMENSION_LABELS
from core.scoring import ScoreResult

LOW_OVERALL = 40.0
LOW_DIMENSION = 30.0
MANY_FINAL_REJECTIONS = ("3+",)


@dataclass(frozen=True)
class Reason:
    code: str
    priority: int
    service: str
    text: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


DIMENSION_SERVICES: dict[str, tuple[str, str]] = {
    "feedback": (
        "Feedback on your behalf",
        "A consultant can ask the employer for feedback on your behalf.",
    ),
    "connections": (
        "Networking and LinkedIn advice",
        "A consultant can help you keep in touch and make the most of LinkedIn.",
    ),
    "options": (
        "Vacancies and a CV tailoring review",
        "A consultant can show you suitable vacancies and review how you tailor your CV.",
    ),
    "approach": (
        "Interview coaching",
        "A consultant can coach you through the stages that felt weakest.",
    ),
    "learning": (
        "A confidence conversation",
        "Talking it through with a consultant can help you get your confidence back.",
    ),
}


def reasons_for(
    result: ScoreResult, answers: Mapping[str, Any], asked_to_talk: bool = False
) -> list[Reason]:
    """The reasons to suggest a consultant, highest priority first. Empty means no nudge."""
    reasons: list[Reason] = []
    if asked_to_talk:
        reasons.append(
            Reason(
                "asked_to_talk",
                100,
                "A conversation with a consultant",
                "You asked to talk to someone.",
            )
        )
    if result.overall is not None and result.overall < LOW_OVERALL:
        reasons.append(
            Reason(
                "low_overall",
                40,
                "A conversation with a consultant",
                "Your overall score suggests this one hit hard. "
                "You don't have to work through it alone.",
            )
        )
    for dimension, value in result.dimensions.items():
        if value is not None and value < LOW_DIMENSION:
            service, text = DIMENSION_SERVICES[dimension]
            reasons.append(
                Reason(
                    f"low_{dimension}",
                    20,
                    service,
                    f"{DIMENSION_LABELS[dimension]} scored low. {text}",
                )
            )
    if answers.get("final_rejections_6m") in MANY_FINAL_REJECTIONS:
        reasons.append(
            Reason(
                "repeated_final_rejections",
                30,
                "Interview coaching",
                "Three or more final-stage rejections in six months is a lot. "
                "A consultant can help spot what keeps happening at the end.",
            )
        )
    if not answers.get("pipeline"):
        reasons.append(
            Reason(
                "no_live_options",
                25,
                "Vacancies and a CV tailoring review",
                "You have no other live opportunities yet. A consultant can "
                "match you with suitable vacancies.",
            )
        )
    return sorted(reasons, key=lambda r: (-r.priority, r.code))


def priority_of(reasons: list[Reason]) -> int:
    return sum(r.priority for r in reasons)
