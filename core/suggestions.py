"""When to suggest talking to a consultant, and why (SPEC §5). Pure rules.

Each reason carries a priority and the service it points to. A submitted reflection
stores its reasons and the sum of their priorities, which orders the consultant queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from core.questionnaire import DIMENSION_LABELS, FIELDS_BY_KEY
from core.scoring import ScoreResult

LOW_OVERALL = 40
LOW_DIMENSION = 30
# Final-stage rejections in six months: answer → priority. Two is hard; three a pattern.
FINAL_REJECTION_PRIORITY = {"2": 15, "3+": 30}
# Worries that, agreed with (4 or 5 on the scale), make a conversation worth offering.
HEAVY_WORRIES = ("not_good_enough", "giving_up", "avoid_applying")
AGREED = 4
# "I know how to tailor my CV": disagreeing (1 or 2) points to a CV review.
UNSURE_AT_MOST = 2


# Short names of each reason for the queue's filter and table, in a consultant's words.
REASON_LABELS: dict[str, str] = {
    "asked_to_talk": "Asked to talk",
    "low_overall": "Low overall score",
    **{f"low_{dim}": f"Low: {label}" for dim, label in DIMENSION_LABELS.items()},
    "repeated_final_rejections": "Repeated final-stage rejections",
    "no_live_options": "No other live options",
    "heavy_feelings": "Heavy feelings",
    "unsure_tailoring": "Unsure how to tailor CV",
}


@dataclass(frozen=True)
class Reason:
    code: str
    priority: int
    service: str
    text: str  # to the candidate, tied to their answers
    for_staff: str = ""  # the same reason in a consultant's words, for the summary line

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


def _quote(key: str) -> str:
    return f"\u201c{FIELDS_BY_KEY[key].label}\u201d"


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
                "Asked to be contacted",
            )
        )
    if result.overall is not None and result.overall < LOW_OVERALL:
        reasons.append(
            Reason(
                "low_overall",
                40,
                "A conversation with a consultant",
                "Your answers suggest this one hit hard. You don't have to work through it alone.",
                f"Low overall score ({result.overall})",
            )
        )
    worries = [k for k in HEAVY_WORRIES if _rating(answers.get(k)) >= AGREED]
    if worries:
        reasons.append(
            Reason(
                "heavy_feelings",
                35,
                "A confidence conversation",
                f"You said {_quote(worries[0])} That thought is common after a no, and "
                "talking it through with someone who sees many candidates can help put it "
                "in proportion.",
                "Agrees: " + "; ".join(FIELDS_BY_KEY[k].label.rstrip(".") for k in worries),
            )
        )
    finals = answers.get("final_rejections_6m")
    if finals in FINAL_REJECTION_PRIORITY:
        count = "Three or more" if finals == "3+" else "Two"
        reasons.append(
            Reason(
                "repeated_final_rejections",
                FINAL_REJECTION_PRIORITY[finals],
                "Interview coaching",
                f"{count} final-stage rejections in six months is a lot to carry. A "
                "consultant can help spot what happens at the last hurdle.",
                f"{finals} final-stage rejections in 6 months",
            )
        )
    if not answers.get("pipeline"):
        reasons.append(
            Reason(
                "no_live_options",
                25,
                "Vacancies and a CV tailoring review",
                "You have no other live opportunities yet. A consultant can match you "
                "with suitable vacancies.",
                "No other live options",
            )
        )
    if 1 <= _rating(answers.get("can_tailor")) <= UNSURE_AT_MOST:
        reasons.append(
            Reason(
                "unsure_tailoring",
                20,
                "A CV review",
                "You said you're not sure how to tailor your CV. A consultant can look at "
                "your CV for the roles you're targeting.",
                "Unsure how to tailor CV",
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
                    f"{DIMENSION_LABELS[dimension]} is where you're starting from. {text}",
                    f"Low: {DIMENSION_LABELS[dimension]} ({value})",
                )
            )
    return sorted(reasons, key=lambda r: (-r.priority, r.code))


def _rating(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def priority_of(reasons: list[Reason]) -> int:
    return sum(r.priority for r in reasons)


def for_staff(reason: Mapping[str, Any]) -> str:
    """A stored reason (a dict from `Reason.as_dict`) in a consultant's words.

    Reasons stored before `for_staff` existed fall back to the reason's short label.
    """
    code = str(reason.get("code") or "")
    return str(reason.get("for_staff") or REASON_LABELS.get(code, code))
