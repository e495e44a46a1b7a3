"""Altair charts for My plan. The rows come ready-made from `core.plan`."""

from __future__ import annotations

from collections.abc import Sequence
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
