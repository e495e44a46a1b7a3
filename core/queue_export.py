"""CSV of the consultant queue, safe to open in a spreadsheet.

Every field is quoted. A cell a spreadsheet could read as a formula (starting with =,
+, -, @, tab or carriage return, also after leading spaces, and the full-width forms
＝ ＋ － ＠ that some spreadsheets fold to them) is prefixed with an apostrophe, so a
candidate cannot plant a formula that runs on a consultant's machine.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from core.queue import QueueFilter, iter_queue
from core.store import Store

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = (
    ("id", "Reflection"),
    ("submitted_at", "Submitted"),
    ("kind", "Type"),
    ("role", "Role"),
    ("company", "Company"),
    ("stage", "Stage reached"),
    ("overall", "Overall score"),
    ("band_label", "Band"),
    ("reasons", "Reasons"),
    ("contact_requested", "Contact requested"),
    ("status_label", "Status"),
    ("assignee", "Assigned to"),
    ("campaign", "Campaign"),
)


def safe_cell(value: Any) -> str:
    """Text for one cell, neutralised if a spreadsheet would treat it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def looks_like_formula(text: str) -> bool:
    if text.startswith(FORMULA_STARTS):
        return True
    first = text.lstrip()[:1]
    # NFKC folds the full-width and small forms (＝, ﹦, ＋, －, ＠...) to ASCII.
    return bool(first) and unicodedata.normalize("NFKC", first).startswith(FORMULA_STARTS)


def rows_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([label for _, label in HEADER])
    for row in rows:
        writer.writerow([safe_cell(row.get(key)) for key, _ in HEADER])
    return out.getvalue()


def queue_csv(store: Store, filters: QueueFilter | None = None) -> str:
    """Every reflection matching the filters (not just one page), in queue order."""
    return rows_csv(iter_queue(store, filters))


def to_bytes(csv_text: str) -> bytes:
    # The byte-order mark makes Excel read the file as UTF-8 (names with accents survive).
    return csv_text.encode("utf-8-sig")
