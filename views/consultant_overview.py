"""A small overview of shared reflections: per week, per campaign, bands, median score."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from core.overview import overview
from ui import consultant, state

session = consultant.require_consultant()

st.title("Overview")
PERIODS = {"Last 4 weeks": 28, "Last 12 weeks": 84, "Last year": 365, "All time": None}
period = st.segmented_control(
    "Period", list(PERIODS), default="Last 12 weeks", key="q_overview_period"
)
days = PERIODS.get(period or "All time")
since = dt.date.today() - dt.timedelta(days=days) if days else None
data = overview(state.store(), since)

total_col, median_col = st.columns(2)
total_col.metric("Reflections shared", f"{data.total:,}")
median_col.metric(
    "Median overall score",
    "—" if data.median_overall is None else f"{data.median_overall:g}",
)
if data.total == 0:
    st.info("Nothing shared in this period yet.", icon=":material/bar_chart:")
    st.stop()

st.subheader("Shared per week")
weeks = pd.DataFrame(data.per_week)
st.altair_chart(
    alt.Chart(weeks)
    .mark_bar()
    .encode(
        x=alt.X("week:O", title="Week starting (Monday)", axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("count:Q", title="Reflections", axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[
            alt.Tooltip("week:O", title="Week starting"),
            alt.Tooltip("count:Q", title="Reflections"),
        ],
    )
    .properties(height=220),
    width="stretch",
)

left, right = st.columns(2)
with left:
    st.subheader("By campaign")
    st.altair_chart(
        alt.Chart(pd.DataFrame(data.per_campaign))
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title="Reflections", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("campaign:N", title=None, sort="-x", axis=alt.Axis(labelLimit=200)),
            tooltip=["campaign:N", "count:Q"],
        ),
        width="stretch",
    )
with right:
    st.subheader("By band")
    st.altair_chart(
        alt.Chart(pd.DataFrame(data.bands))
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title="Reflections", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y(
                "band:N", title=None, sort=alt.SortField("order"), axis=alt.Axis(labelLimit=200)
            ),
            tooltip=["band:N", "count:Q"],
        ),
        width="stretch",
    )
