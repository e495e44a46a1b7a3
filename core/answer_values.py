"""Reading one answer defensively: saved answers are plain JSON and may be half-filled.

Every reader of a reflection's answers (the checklist, what they take forward, the
drafts) wants the same three things: the rows of a list, one tidy line of text, a date.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import Any


def answer_rows(answers: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The rows of a list answer, skipping anything that is not a row."""
    value = answers.get(key)
    if not isinstance(value, list):
        return []
    return [row for row in value if isinstance(row, Mapping)]


def one_line(value: Any) -> str:
    """Text as one tidy line (runs of white space, newlines too, become one space)."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def normalised(text: Any) -> str:
    """Candidate text as compared for sameness ("Sam  Patel" is "sam patel", "Calm under
    pressure!" is "calm under pressure"): one line, case, punctuation and symbols set aside."""
    kept = "".join(
        " " if unicodedata.category(ch)[0] in "PSZ" else ch for ch in one_line(text).casefold()
    )
    return " ".join(kept.split())


def iso_date(value: Any) -> dt.date | None:
    """An ISO date answer, or None when it is missing or not a date."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def role_at_company(role: Any, company: Any) -> str:
    """'Senior Data Analyst at Acme', either part alone, or '' when neither is known."""
    return " at ".join(part for part in (one_line(role), one_line(company)) if part)
