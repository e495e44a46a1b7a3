"""Check one answer against the questionnaire before it is saved.

Every function returns a cleaned value or raises `InvalidAnswer` with a message meant
for the person typing. Text is kept exactly as typed (no normalisation, no trimming of
inner characters): only characters that cannot be shown or stored safely are refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from core.questionnaire import (
    EARLIEST_DATE,
    FIELDS_BY_KEY,
    LATEST_DATE,
    LINKEDIN_URL_LIMIT,
    Column,
    Field,
)

LINKEDIN_URL = re.compile(
    r"^https://([a-z]{2,3}\.)?linkedin\.com/(in|pub)/[^\s/?#<>\"']{1,100}/?$", re.IGNORECASE
)
ALLOWED_CONTROLS = {"\n", "\t", "\r"}
# Far beyond any table's limit even with blank rows from the editor: more is not a form.
MAX_TABLE_INPUT_ROWS = 1000


class InvalidAnswer(ValueError):
    """An answer that was refused; `str(exc)` is the message to show next to the field."""


def clean_text(value: Any, max_len: int, label: str = "This field") -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidAnswer(f"{label} must be text.")
    # Length first: refusing 5 million characters must not cost a pass over each of them.
    if len(value) > max_len:
        raise InvalidAnswer(
            f"{label} is {len(value):,} characters long; the limit is {max_len:,}. "
            "Please shorten it. Your last saved version is kept."
        )
    for ch in value:
        if ch in ALLOWED_CONTROLS:
            continue
        category = unicodedata.category(ch)
        if category == "Cc":
            raise InvalidAnswer(
                f"{label} contains an invisible control character (code {ord(ch):#x}). "
                "Please remove it and try again."
            )
        if category == "Cs":
            raise InvalidAnswer(f"{label} contains a broken character. Please retype it.")
    return value


def clean_date(value: Any, label: str = "Date") -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise InvalidAnswer(f"{label} should be a date like 2026-12-01.") from exc
    else:
        raise InvalidAnswer(f"{label} should be a date like 2026-12-01.")
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise InvalidAnswer(
            f"{label} should be between {EARLIEST_DATE.year} and {LATEST_DATE.year}."
        )
    return parsed.isoformat()


def clean_linkedin(value: Any, label: str = "LinkedIn URL") -> str:
    text = clean_text(value, LINKEDIN_URL_LIMIT, label).strip()
    if not text:
        return ""
    if text.lower().startswith(("linkedin.com/", "www.linkedin.com/")):
        text = "https://" + text
    if text.lower().startswith("http://"):
        text = "https://" + text[len("http://") :]
    if not LINKEDIN_URL.match(text):
        raise InvalidAnswer(
            f"{label} should be a LinkedIn profile address, like "
            "https://www.linkedin.com/in/your-name"
        )
    return text


def clean_choice(value: Any, options: tuple[tuple[str, str], ...], label: str) -> str | None:
    if value in (None, ""):
        return None
    allowed = {key for key, _ in options}
    if value in allowed:
        return value
    by_label = {text: key for key, text in options}
    if value in by_label:
        return by_label[value]
    raise InvalidAnswer(f"{label}: please pick one of the listed options.")


def clean_rating(value: Any, label: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value != value:  # NaN from an empty editor cell
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidAnswer(f"{label} should be a whole number from 1 to 5.") from exc
    if number != value and str(number) != str(value).strip():
        raise InvalidAnswer(f"{label} should be a whole number from 1 to 5.")
    if not 1 <= number <= 5:
        raise InvalidAnswer(f"{label} should be from 1 to 5.")
    return number


def is_blank(value: Any) -> bool:
    """No answer: nothing, an empty list, or text of only spaces (also NaN from old rows).

    The one definition of "blank" for saving, progress and drafts alike.
    """
    if value is None or (isinstance(value, list) and not value):
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def clean_cell(column: Column, value: Any, label: str) -> Any:
    if is_blank(value):
        return "" if column.kind in ("text", "url") else None
    if column.kind == "text":
        return clean_text(value, column.max_len, label)
    if column.kind == "url":
        return clean_linkedin(value, label)
    if column.kind == "choice":
        return clean_choice(value, column.options, label)
    if column.kind == "date":
        return clean_date(value, label)
    return clean_rating(value, label)


def clean_table(field: Field, rows: Any) -> list[dict[str, Any]]:
    """Drop fully empty rows, check every cell, and enforce the row limit."""
    if rows is None:
        return []
    if not isinstance(rows, list) or len(rows) > MAX_TABLE_INPUT_ROWS:
        raise InvalidAnswer(f"{field.label}: the table could not be read.")
    if not all(isinstance(r, dict) for r in rows):
        raise InvalidAnswer(f"{field.label}: the table could not be read.")
    # Count the rows before checking any cell, so too many rows are refused cheaply.
    filled = [r for r in rows if not all(is_blank(r.get(c.key)) for c in field.columns)]
    if len(filled) > field.max_rows:
        raise InvalidAnswer(
            f"{field.label}: up to {field.max_rows} rows, please. You have {len(filled)}."
        )
    cleaned: list[dict[str, Any]] = []
    for row in filled:
        number = len(cleaned) + 1
        out: dict[str, Any] = {}
        for column in field.columns:
            label = f"Row {number}, {column.label}"
            out[column.key] = clean_cell(column, row.get(column.key), label)
            if column.required and is_blank(out[column.key]):
                raise InvalidAnswer(f"Row {number}: please fill in {column.label}.")
        cleaned.append(out)
    return cleaned


def clean_answer(key: str, value: Any) -> Any:
    """Validate one answer by questionnaire key; raise InvalidAnswer with a message."""
    field = FIELDS_BY_KEY.get(key)
    if field is None:
        raise InvalidAnswer(f"Unknown question {key!r}.")
    if field.kind in ("text", "textarea"):
        return clean_text(value, field.max_len, "This answer")
    if field.kind == "choice":
        return clean_choice(value, field.options, field.label)
    if field.kind == "likert":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise InvalidAnswer("Please pick a point on the scale.")
        return value
    if field.kind == "date":
        return clean_date(value, "This date")
    return clean_table(field, value)
