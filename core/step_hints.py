"""Nudges shown on the steps, worked out from the answers (step 3 for now).

Pure functions: the page draws whatever comes back, in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

HintKind = Literal["nudge", "warning"]

# "Many" untailored applications: at least this many, and at least half of them all.
UNTAILORED_MIN = 2


@dataclass(frozen=True)
class Hint:
    kind: HintKind
    title: str
    text: str


def _rows(answers: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    rows = answers.get(key)
    if not isinstance(rows, list):
        return []
    return [row for row in rows if isinstance(row, dict)]


def untailored_count(answers: Mapping[str, Any]) -> tuple[int, int]:
    """(applications sent with an untailored CV, all pipeline rows)."""
    rows = _rows(answers, "pipeline")
    return sum(1 for row in rows if row.get("cv_tailored") == "no"), len(rows)


def over_invested(answers: Mapping[str, Any]) -> Hint | None:
    """A nudge when nothing else is in the pipeline."""
    if _rows(answers, "pipeline"):
        return None
    return Hint(
        "nudge",
        "Nothing else on the go yet",
        "When everything rides on one opening, each no stops you in your "
        "tracks. Could you add one or two other companies this week, even ones you're "
        "only researching? A couple of live options keep your momentum going.",
    )


def untailored_cvs(answers: Mapping[str, Any]) -> Hint | None:
    """A warning when many applications went out with a CV that wasn't tailored."""
    untailored, total = untailored_count(answers)
    if untailored < UNTAILORED_MIN or untailored * 2 < total:
        return None
    return Hint(
        "warning",
        "The same CV in lots of places",
        f"{untailored} of your {total} applications use a CV that wasn't tailored to "
        "the role. A few targeted applications usually do better than many generic "
        "ones: pick the strongest and shape your CV around what each one asks for.",
    )


def options_hints(answers: Mapping[str, Any]) -> list[Hint]:
    """Every step 3 hint that applies, most important first."""
    return [hint for hint in (over_invested(answers), untailored_cvs(answers)) if hint]
