"""Altair charts: My plan's, the per-step chart of a consultant's detail page, and the
consultants' overview.

Building and schema-checking an Altair chart costs tens of milliseconds, most of a My
plan rerun. The rows change only when answers (or shared reflections) do, so each
chart's Vega-Lite spec is built once per distinct set of rows and reused (`spec`).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import pandas as pd


def dimension_chart(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """Horizontal bars, one per step, on a fixed 0–100 scale so scores compare honestly."""
    frame = pd.DataFrame(list(rows), columns=["step", "order", "score"])
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            x=alt.X("score:Q", title="Score", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y(
                "step:N", title=None, sort=alt.SortField("order"), axis=alt.Axis(labelLimit=260)
            ),
            tooltip=[alt.Tooltip("step:N", title="Step"), alt.Tooltip("score:Q", title="Score")],
        )
    )
    labels = bars.mark_text(align="left", dx=4).encode(text=alt.Text("score:Q", format=".0f"))
    return (bars + labels).properties(height=alt.Step(32))


def trend_chart(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """Overall score per reflection, in the order they were made."""
    frame = pd.DataFrame(list(rows), columns=["date", "reflection", "overall"])
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("reflection:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("overall:Q", title="Overall", scale=alt.Scale(domain=[0, 100])),
            tooltip=[
                alt.Tooltip("reflection:N", title="Reflection"),
                alt.Tooltip("date:N", title="Started"),
                alt.Tooltip("overall:Q", title="Overall"),
            ],
        )
        .properties(height=220)
    )


def weekly_chart(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """Shared reflections per week (weeks start on Monday)."""
    return (
        alt.Chart(pd.DataFrame(list(rows), columns=["week", "count"]))
        .mark_bar()
        .encode(
            x=alt.X("week:O", title="Week starting (Monday)", axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("count:Q", title="Reflections", axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[
                alt.Tooltip("week:O", title="Week starting"),
                alt.Tooltip("count:Q", title="Reflections"),
            ],
        )
        .properties(height=220)
    )


def response_chart(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """Per week: the share of requests answered within target (bars, 0-100 %)."""
    frame = pd.DataFrame(
        [row for row in rows if row.get("within_target_pct") is not None],
        columns=["week", "within_target_pct", "median_hours", "requests"],
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("week:O", title="Week starting (Monday)", axis=alt.Axis(labelAngle=-45)),
            y=alt.Y(
                "within_target_pct:Q",
                title="Answered within target (%)",
                scale=alt.Scale(domain=[0, 100]),
            ),
            tooltip=[
                alt.Tooltip("week:O", title="Week starting"),
                alt.Tooltip("within_target_pct:Q", title="Within target (%)"),
                alt.Tooltip("median_hours:Q", title="Median working hours to first contact"),
                alt.Tooltip("requests:Q", title="Requests"),
            ],
        )
        .properties(height=220)
    )


def _count_bars(rows: Sequence[dict[str, Any]], label: str, sort: Any) -> alt.Chart:
    """Horizontal bars: how many reflections per `label`."""
    frame = pd.DataFrame(list(rows), columns=[label, "order", "count"])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title="Reflections", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y(f"{label}:N", title=None, sort=sort, axis=alt.Axis(labelLimit=200)),
            tooltip=[f"{label}:N", "count:Q"],
        )
    )


def campaign_chart(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """Shared reflections per campaign, most first."""
    return _count_bars(rows, "campaign", "-x")


def band_chart(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """Shared reflections per band, in band order."""
    return _count_bars(rows, "band", alt.SortField("order"))


@functools.lru_cache(maxsize=512)
def _cached_spec(kind: str, rows_json: str) -> dict[str, Any]:
    rows = json.loads(rows_json)
    return CHARTS[kind](rows).to_dict()


CHARTS: dict[str, Callable[[Sequence[dict[str, Any]]], alt.Chart]] = {
    "dimensions": dimension_chart,
    "trend": trend_chart,
    "weekly": weekly_chart,
    "response": response_chart,
    "campaigns": campaign_chart,
    "bands": band_chart,
}


def spec(kind: str, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The Vega-Lite spec of chart `kind` for these rows, for `st.vega_lite_chart`."""
    key = json.dumps(list(rows), sort_keys=True, default=str)
    return copy.deepcopy(_cached_spec(kind, key))
