"""The reasons to suggest talking to a consultant, as a table of rows (SPEC §5).

Each row says everything about one reason, once: its code (stored with a shared
reflection, and the queue's filter), its priority (a reflection's reasons add up to the
number that orders the queue), the service it points to, the words the candidate reads,
the words a consultant reads (the summary line, and a short label for the queue, its
filter and the CSV), the flag it raises on a consultant's summary, and its test over the
answers and score. A new reason is one row in `REASONS` plus its row in
tests/test_reasons.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from core.questionnaire import (
    DIMENSION_LABELS,
    FIELDS_BY_KEY,
    FINAL_REJECTIONS,
    SCORE_ITEMS,
)
from core.scoring import ScoreResult, score, weighs_heavy

LOW_OVERALL = 40
LOW_STEP = 30
# Final-stage rejections in six months: answer → priority. Two is hard; three a pattern.
FINAL_REJECTION_PRIORITY = {"2": 15, "3+": 30}
# The worries that, agreed with, make a conversation worth offering, and how a
# consultant's summary names each. Which answer "weighs heavy" is the score's rule.
WORRIES: dict[str, str] = {
    "not_good_enough": "not good enough",
    "giving_up": "giving up",
    "avoid_applying": "holding back from applying",
}
_ITEMS = {item.key: item for item in SCORE_ITEMS}


@dataclass(frozen=True)
class Situation:
    """What a reason's test looks at."""

    result: ScoreResult
    answers: Mapping[str, Any]
    asked_to_talk: bool = False


@dataclass(frozen=True)
class Finding:
    """What a test found: the words its texts are filled in with, and a graver priority
    than the row's own where the answer calls for one."""

    words: Mapping[str, str] = field(default_factory=dict)
    priority: int | None = None


@dataclass(frozen=True)
class Reason:
    """One reason found for one reflection, as stored with it and shown from it."""

    code: str
    priority: int
    service: str
    text: str  # to the candidate, tied to their answers
    for_staff: str = ""  # the same reason in a consultant's words, for the summary line

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


ReasonTest = Callable[[Situation], Finding | None]


@dataclass(frozen=True)
class ReasonRow:
    code: str
    priority: int
    service: str
    candidate_words: str  # may name {words} the test found
    staff_words: str
    label: str  # a consultant's short name: the queue's filter and table, the CSV
    flag: str  # on a consultant's summary whenever the answers show it; "" for none
    test: ReasonTest
    # Answered within the urgent response target (one working day) instead of the
    # standard one (core/outbox.py, the queue's "respond by").
    urgent: bool = False

    def reason(self, finding: Finding | None = None) -> Reason:
        """The reason as found: its words filled in, at the finding's priority if graver."""
        finding = finding or Finding()
        words = finding.words
        return Reason(
            self.code,
            self.priority if finding.priority is None else finding.priority,
            self.service,
            self.candidate_words.format(**words),
            self.staff_words.format(**words),
        )


def _asked(s: Situation) -> Finding | None:
    return Finding() if s.asked_to_talk else None


def _low_overall(s: Situation) -> Finding | None:
    overall = s.result.overall
    if overall is None or overall >= LOW_OVERALL:
        return None
    return Finding({"overall": str(overall)})


def _final_rejections(s: Situation) -> Finding | None:
    answer = s.answers.get("final_rejections_6m")
    if answer not in FINAL_REJECTION_PRIORITY:
        return None
    count = dict(FINAL_REJECTIONS)[answer]
    return Finding({"count": count, "answer": answer}, FINAL_REJECTION_PRIORITY[answer])


def _heavy_worries(s: Situation) -> Finding | None:
    worries = [k for k in WORRIES if weighs_heavy(_ITEMS[k], s.answers.get(k))]
    if not worries:
        return None
    return Finding(
        {
            "first": f"\u201c{FIELDS_BY_KEY[worries[0]].label}\u201d",
            "statements": "; ".join(FIELDS_BY_KEY[k].label.rstrip(".") for k in worries),
            "worries": ", ".join(WORRIES[k] for k in worries),
        }
    )


def _no_live_options(s: Situation) -> Finding | None:
    return None if s.answers.get("pipeline") else Finding()


def _unsure_tailoring(s: Situation) -> Finding | None:
    # Disagreeing (1 or 2) with "I know how to tailor my CV" is that feeling weighing heavy.
    return Finding() if weighs_heavy(_ITEMS["can_tailor"], s.answers.get("can_tailor")) else None


def _low_step_test(dimension: str) -> ReasonTest:
    def test(s: Situation) -> Finding | None:
        value = s.result.dimensions.get(dimension)
        if value is None or value >= LOW_STEP:
            return None
        return Finding({"value": str(value)})

    return test


def _low_step(dimension: str, service: str, offer: str) -> ReasonRow:
    title = DIMENSION_LABELS[dimension]
    return ReasonRow(
        code=f"low_{dimension}",
        priority=20,
        service=service,
        candidate_words=f"{title} is where you're starting from. {offer}",
        staff_words=f"Low: {title} ({{value}})",
        label=f"Low: {title}",
        flag="",
        test=_low_step_test(dimension),
    )


ASKED_TO_TALK = ReasonRow(
    code="asked_to_talk",
    priority=100,
    service="A conversation with a consultant",
    candidate_words="You asked to talk to someone.",
    staff_words="Asked to be contacted",
    label="Asked to talk",
    flag="",
    test=_asked,
    urgent=True,
)

REASONS: tuple[ReasonRow, ...] = (
    ASKED_TO_TALK,
    ReasonRow(
        code="low_overall",
        priority=40,
        service="A conversation with a consultant",
        candidate_words="Your answers suggest this one hit hard. You don't have to work "
        "through it alone.",
        staff_words="Low overall score ({overall})",
        label="Low overall score",
        flag="",
        test=_low_overall,
    ),
    ReasonRow(
        code="repeated_final_rejections",
        priority=15,
        service="Interview coaching",
        candidate_words="{count} final-stage rejections in six months is a lot to carry. A "
        "consultant can help spot what happens at the last hurdle.",
        staff_words="{answer} final-stage rejections in 6 months",
        label="Repeated final-stage rejections",
        flag="{answer} final-stage rejections in 6 months",
        test=_final_rejections,
    ),
    ReasonRow(
        code="heavy_feelings",
        priority=35,
        service="A confidence conversation",
        candidate_words="You said {first} That thought is common after a no, and talking it "
        "through with someone who sees many candidates can help put it in proportion.",
        staff_words="Agrees: {statements}",
        label="Heavy feelings",
        flag="heavy feelings ({worries})",
        test=_heavy_worries,
        urgent=True,
    ),
    ReasonRow(
        code="no_live_options",
        priority=25,
        service="Vacancies and a CV tailoring review",
        candidate_words="You have no other live opportunities yet. A consultant can match you "
        "with suitable vacancies.",
        staff_words="No other live options",
        label="No other live options",
        flag="",
        test=_no_live_options,
    ),
    ReasonRow(
        code="unsure_tailoring",
        priority=20,
        service="A CV review",
        candidate_words="You said you're not sure how to tailor your CV. A consultant can look "
        "at your CV for the roles you're targeting.",
        staff_words="Unsure how to tailor CV",
        label="Unsure how to tailor CV",
        flag="",
        test=_unsure_tailoring,
    ),
    _low_step(
        "feedback",
        "Feedback on your behalf",
        "A consultant can ask the employer for feedback on your behalf.",
    ),
    _low_step(
        "connections",
        "Networking and LinkedIn advice",
        "A consultant can help you keep in touch and make the most of LinkedIn.",
    ),
    _low_step(
        "options",
        "Vacancies and a CV tailoring review",
        "A consultant can show you suitable vacancies and review how you tailor your CV.",
    ),
    _low_step(
        "approach",
        "Interview coaching",
        "A consultant can coach you through the stages that felt weakest.",
    ),
    _low_step(
        "learning",
        "A confidence conversation",
        "Talking it through with a consultant can help you get your confidence back.",
    ),
)
BY_CODE: dict[str, ReasonRow] = {row.code: row for row in REASONS}
URGENT_CODES: frozenset[str] = frozenset(row.code for row in REASONS if row.urgent)
# Short names of each reason for the queue's filter and table, in a consultant's words.
REASON_LABELS: dict[str, str] = {row.code: row.label for row in REASONS}


def found(situation: Situation) -> list[Reason]:
    """Every reason whose test holds, highest priority first (ties by code)."""
    reasons = []
    for row in REASONS:
        finding = row.test(situation)
        if finding is not None:
            reasons.append(row.reason(finding))
    return sorted(reasons, key=lambda r: (-r.priority, r.code))


def flags(answers: Mapping[str, Any]) -> list[str]:
    """The flags a consultant's summary raises for these answers, in table order."""
    situation = Situation(score(answers), answers)
    out = []
    for row in REASONS:
        if row.flag:
            finding = row.test(situation)
            if finding is not None:
                out.append(row.flag.format(**finding.words))
    return out


def for_staff(reason: Mapping[str, Any]) -> str:
    """A stored reason (a dict from `Reason.as_dict`) in a consultant's words.

    Reasons stored before `for_staff` existed fall back to the reason's short label.
    """
    code = str(reason.get("code") or "")
    return str(reason.get("for_staff") or REASON_LABELS.get(code, code))
