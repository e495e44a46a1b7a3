"""The review queue: submitted reflections, most urgent first, with filters and export."""

from __future__ import annotations

import streamlit as st

from core import clock, queue_export, targets
from core.queue import QueueFilter, fetch_queue
from ui import consultant, queue_page, state

staff = consultant.require_consultant()
store = state.store()

st.title("Reflections to review")
st.caption(
    "Requests past their response target and not yet answered come first, the longest "
    "overdue at the top. Then the most urgent; within the same urgency, the longest waiting."
)

queue_page.notifications_waiting(store)
queue_page.follow_ups_due(store)
filters = queue_page.filters(store, staff)
if st.session_state.get("q_last_filters") != filters:
    st.session_state.q_last_filters = filters
    st.session_state.q_page = 0

page_number = st.session_state.get("q_page", 0)
# One moment for the whole page: which rows are overdue, and their "Due by".
now = clock.system_clock()
result = fetch_queue(store, filters, page=page_number, page_size=50, now=now)
if page_number >= result.pages:
    page_number = st.session_state.q_page = result.pages - 1
    result = fetch_queue(store, filters, page=page_number, page_size=50, now=now)

if result.total == 0:
    st.info(
        "No shared reflections match these filters yet."
        if filters != QueueFilter()
        else "No candidate has shared a reflection yet. They'll appear here when they do.",
        icon=":material/inbox:",
    )
    st.stop()

st.write(f"**{result.total:,}** matching reflection{'s' if result.total != 1 else ''}")
# Due times in the agency's time zone.
rows = targets.annotate(store, result.rows, now, state.settings())


frame = queue_page.table(rows)
# A fresh key after each opening, so coming back does not re-open the same row.
table_key = f"q_table_{st.session_state.get('q_table_n', 0)}"
event = st.dataframe(
    frame,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key=table_key,
)
selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
if selected:
    st.session_state.q_table_n = st.session_state.get("q_table_n", 0) + 1
    consultant.open_reflection(rows[selected[0]]["id"])

st.caption("Click a row to open it, or choose below.")
pick_col, open_col = st.columns([4, 1], vertical_alignment="bottom")
labels = {row["id"]: f"#{row['id']} · {queue_page.about(row)}" for row in rows}
choice = pick_col.selectbox("Open a reflection", list(labels), format_func=labels.get, key="q_pick")
if open_col.button("Open reflection", key="q_open", type="primary") and choice is not None:
    consultant.open_reflection(choice)

if result.pages > 1:
    prev_col, info_col, next_col = st.columns([1, 2, 1], vertical_alignment="center")
    if prev_col.button("Previous", disabled=page_number == 0, key="q_prev"):
        st.session_state.q_page = page_number - 1
        st.rerun()
    info_col.caption(f"Page {page_number + 1} of {result.pages}")
    if next_col.button("Next", disabled=page_number + 1 >= result.pages, key="q_next"):
        st.session_state.q_page = page_number + 1
        st.rerun()

st.divider()
st.header("Export")
# Built and audited on each click (a deferred download) of a live session, never on a
# page view.
st.download_button(
    f"Download CSV of all {result.total:,} matching",
    consultant.audited_download(
        staff, "queue csv", lambda: queue_export.to_bytes(queue_export.queue_csv(store, filters))
    ),
    file_name=f"bounce-back-queue-{clock.today().isoformat()}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="q_csv_download",
)
st.caption(
    "Cells that a spreadsheet could run as a formula start with an apostrophe. "
    "Keep this file safe: it describes real people. Each download is recorded."
)
