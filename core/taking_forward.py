"""What the candidate takes forward: strengths, wins, fit, questions and STAR answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.answer_values import answer_rows, one_line


@dataclass(frozen=True)
class StarAnswer:
    question: str
    situation: str
    task: str
    action: str
    result: str

    def parts(self) -> list[tuple[str, str]]:
        """(Situation|Task|Action|Result, what they wrote) for each part they wrote."""
        named = (
            ("Situation", self.situation),
            ("Task", self.task),
            ("Action", self.action),
            ("Result", self.result),
        )
        return [(label, text) for label, text in named if text]


# The heading for what they planned last time and have since done, wherever it is drawn.
DONE_SINCE_TITLE = "Done since last time"


@dataclass(frozen=True)
class TakingForward:
    strengths: list[str]
    wins: list[str]
    fit: str
    questions: str
    star: list[StarAnswer]
    # What they planned last time and have since done (the `last_time` answer).
    done_since: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.strengths
            or self.wins
            or self.fit
            or self.questions
            or self.star
            or self.done_since
        )


def taking_forward(answers: Mapping[str, Any]) -> TakingForward:
    """What they have going for them, gathered from the steps where they wrote it."""

    def listed(key: str, column: str) -> list[str]:
        return [t for t in (one_line(r.get(column)) for r in answer_rows(answers, key)) if t]

    star = []
    for row in answer_rows(answers, "tough_questions"):
        parts = [
            one_line(row.get(k)) for k in ("question", "situation", "task", "action", "result")
        ]
        if parts[0] and any(parts[1:]):
            star.append(StarAnswer(*parts))
    fit = answers.get("fit_learned")
    questions = answers.get("questions_next_time")
    return TakingForward(
        strengths=listed("strengths", "strength"),
        wins=listed("small_wins", "win"),
        fit=fit.strip() if isinstance(fit, str) else "",
        questions=questions.strip() if isinstance(questions, str) else "",
        star=star,
        done_since=[
            text
            for row in answer_rows(answers, "last_time")
            if row.get("status") == "done" and (text := one_line(row.get("item")))
        ],
    )
