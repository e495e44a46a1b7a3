"""A small overview of shared reflections: per week, per campaign, bands, median score."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import clock, targets
from core.overview import overview
from ui import charts, consultant, state

staff = consultant.require_consultant()

st.title("Overview")
PERIODS = {"Last 4 weeks": 28, "Last 12 weeks": 84, "Last year": 365, "All time": None}
period = st.segmented_control(
    "Period", list(PERIODS), default="Last 12 weeks", key="q_overview_period"
)
days = PERIODS.get(period or "All time")
since = clock.today() - dt.timedelta(days=days) if days else None
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

st.header("Shared per week")
st.vega_lite_chart(charts.spec("weekly", data.per_week), width="stretch")

left, right = st.columns(2)
with left:
    st.header("By campaign")
    st.vega_lite_chart(charts.spec("campaigns", data.per_campaign), width="stretch")
with right:
    st.header("By band")
    st.vega_lite_chart(charts.spec("bands", data.bands), width="stretch")

st.header("Response times")
st.caption(
    "Every request in the queue (shared reflections and contact requests), by the week it "
    "arrived. A request counts as answered at its first change to Contacted. The share "
    "within target counts answered requests and those already past their target; ones "
    "still inside their target are left out until they are settled. Times are working "
    "hours, rounded to whole numbers."
)
response = targets.weekly_response(state.store(), clock.system_clock(), state.settings(), since)
if not response:
    st.info("No requests in this period yet.", icon=":material/schedule:")
else:
    if any(row["within_target_pct"] is not None for row in response):
        st.vega_lite_chart(charts.spec("response", response), width="stretch")
    else:
        # An empty chart is a picture of nothing (and one screen readers cannot name).
        st.caption("No request has reached its target yet, so there is no share to draw.")
    st.dataframe(
        [
            {
                "Week starting": row["week"],
                "Requests": row["requests"],
                "Answered": row["answered"],
                "Within target": "—"
                if row["within_target_pct"] is None
                else f"{row['within_target_pct']}%",
                "Median time to first contact": "—"
                if row["median_hours"] is None
                else f"{row['median_hours']} working hours",
            }
            for row in reversed(response)
        ],
        hide_index=True,
        key="overview_response_table",
    )
