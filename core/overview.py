"""Numbers for the consultant overview: submissions per week and campaign, bands, median.

Only submitted reflections count. Plain rows out; the page draws them with Altair.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core.campaign import NO_CAMPAIGN
from core.questionnaire import BAND_LABELS, BANDS, NO_BAND
from core.scoring import whole
from core.store import Store


@dataclass(frozen=True)
class Overview:
    total: int
    per_week: list[dict[str, Any]]
    per_campaign: list[dict[str, Any]]
    bands: list[dict[str, Any]]
    median_overall: int | None


def _since_clause(since: dt.date | None, column: str = "submitted_at") -> tuple[str, list[Any]]:
    if since is None:
        return "", []
    return f" AND {column} >= ?", [since.isoformat()]


def median_overall(store: Store, since: dt.date | None = None) -> int | None:
    extra, params = _since_clause(since)
    base = f"FROM reflections WHERE submitted_at IS NOT NULL AND overall IS NOT NULL{extra}"
    with store.read() as conn:
        n = conn.execute(f"SELECT COUNT(*) {base}", params).fetchone()[0]
        if n == 0:
            return None
        middle = conn.execute(
            f"SELECT overall {base} ORDER BY overall LIMIT ? OFFSET ?",
            [*params, 2 - n % 2, (n - 1) // 2],
        ).fetchall()
    return whole(sum(r[0] for r in middle) / len(middle))


def _monday_of(day: str) -> str:
    """The Monday on or before `day` (YYYY-MM-DD): weeks start on Monday."""
    date = dt.date.fromisoformat(day)
    return (date - dt.timedelta(days=date.weekday())).isoformat()


def _fill_weeks(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Every week from the first to the last, quiet weeks as 0, so the chart doesn't lie."""
    if not counts:
        return []
    week = dt.date.fromisoformat(min(counts))
    last = dt.date.fromisoformat(max(counts))
    rows = []
    while week <= last:
        rows.append({"week": week.isoformat(), "count": counts.get(week.isoformat(), 0)})
        week += dt.timedelta(days=7)
    return rows


def overview(store: Store, since: dt.date | None = None) -> Overview:
    # Shared reflections only (a snapshot implies submitted_at): contact requests without
    # answers sit in the queue too. Migration 0006's partial indexes cover these counts;
    # comparing `submitted_at || ''` (not the bare column) keeps SQLite on them rather
    # than on the submitted-date index, which would look up every row in the table.
    extra, params = _since_clause(since, "(submitted_at || '')")
    where = f"WHERE shared_answers_json IS NOT NULL{extra}"
    with store.read() as conn:
        total = conn.execute(f"SELECT COUNT(*) FROM reflections {where}", params).fetchone()[0]
        # Counted per day here; the days are put into weeks below, in Python.
        days = conn.execute(
            "SELECT substr(submitted_at, 1, 10) AS day, COUNT(*) AS n "
            f"FROM reflections {where} GROUP BY substr(submitted_at, 1, 10)",
            params,
        ).fetchall()
        campaigns = conn.execute(
            f"SELECT utm_campaign, COUNT(*) AS n FROM reflections {where} "
            "GROUP BY utm_campaign ORDER BY n DESC, utm_campaign NULLS FIRST",
            params,
        ).fetchall()
        bands = conn.execute(
            f"SELECT band, COUNT(*) AS n FROM reflections {where} GROUP BY band", params
        ).fetchall()
    weeks: dict[str, int] = {}
    for row in days:
        week = _monday_of(row["day"])
        weeks[week] = weeks.get(week, 0) + int(row["n"])
    band_counts = {r["band"]: r["n"] for r in bands}
    band_rows = [
        {"band": BAND_LABELS[key], "order": i, "count": band_counts.get(key, 0)}
        for i, (_, key, _) in enumerate(reversed(BANDS))
    ]
    if band_counts.get(None):
        band_rows.append({"band": NO_BAND, "order": len(band_rows), "count": band_counts[None]})
    return Overview(
        total=int(total),
        per_week=_fill_weeks(weeks),
        per_campaign=[
            {"campaign": r["utm_campaign"] or NO_CAMPAIGN, "count": r["n"]} for r in campaigns
        ],
        bands=band_rows,
        median_overall=median_overall(store, since),
    )
