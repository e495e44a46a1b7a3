"""The one date picker every field and card uses, and how its value becomes an answer.

Which dates an answer may hold is `core`'s rule (`EARLIEST_DATE`, `LATEST_DATE`, checked
by `core.validation`). The picker's own bounds are a century wider on purpose: a date
typed outside the rule then reaches `core` and is refused with a message beside the
field, where the picker would otherwise drop or clamp it without a word.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from core.questionnaire import EARLIEST_DATE, LATEST_DATE

PICKER_MIN = EARLIEST_DATE.replace(year=EARLIEST_DATE.year - 100)
PICKER_MAX = LATEST_DATE.replace(year=LATEST_DATE.year + 100)


def from_answer(saved: Any) -> dt.date | None:
    """The picker's value for a saved answer (an ISO date), None when there is none."""
    try:
        return dt.date.fromisoformat(saved) if saved else None
    except (TypeError, ValueError):
        return None


def to_answer(value: Any) -> Any:
    """What a picker's value is saved as: an ISO date; anything else as it came."""
    return value.isoformat() if isinstance(value, dt.date) else value


def date_input(label: str, **widget: Any) -> None:
    st.date_input(
        label, value=None, format="YYYY-MM-DD", min_value=PICKER_MIN, max_value=PICKER_MAX, **widget
    )
