"""When to suggest talking to a consultant, and why (SPEC §5): the reasons table run
over one reflection. The reasons themselves, their words and tests, are rows in
`core.reasons`.

A submitted reflection stores its reasons and the sum of their priorities, which orders
the consultant queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.reasons import Reason, Situation, found
from core.scoring import ScoreResult


def reasons_for(
    result: ScoreResult, answers: Mapping[str, Any], asked_to_talk: bool = False
) -> list[Reason]:
    """The reasons to suggest a consultant, highest priority first. Empty means no nudge."""
    return found(Situation(result, answers, asked_to_talk))


def priority_of(reasons: list[Reason]) -> int:
    return sum(r.priority for r in reasons)
