"""CSV of the consultant queue, safe to open in a spreadsheet.

A cell a spreadsheet would read as a formula (starting with =, +, -, @, tab or carriage
return) is prefixed with an apostrophe, so a candidate cannot plant a formula that runs
on a consultant's machine.
"""

from __future__ import annotations

import csv
import io
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
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
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
