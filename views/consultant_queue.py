"""The review queue: submitted reflections, most urgent first, with filters and export."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import csv_export, queue, review
from core.questionnaire import BAND_LABELS, NO_BAND
from core.queue import QueueFilter, campaign_options, fetch_queue
from core.review import STATUS_LABELS
from core.safe_html import escape_md
from core.suggestions import REASON_LABELS
from ui import consultant, state

session = consultant.require_consultant()
store = state.store()

st.title("Reflections to review")
st.caption("Most urgent first; within the same urgency, the longest waiting first.")

due = queue.follow_ups_due(store, dt.date.today())
if due:
    with st.container(border=True, key="q_follow_ups"):
        st.markdown(f"**Follow-ups due ({len(due)})**, most overdue first")
        for row in due:
            about = " at ".join(v for v in (row["role"], row["company"]) if v) or "(not given)"
            if st.button(
                f"#{row['id']} · {escape_md(about)} · due {row['follow_up_on']}",
                key=f"q_follow_up_{row['id']}",
                icon=":material/event_upcoming:",
            ):
                consultant.open_reflection(row["id"])

BAND_CHOICES = {**BAND_LABELS, "none": NO_BAND}

with st.expander("Filter and search", expanded=True, icon=":material/filter_list:"):
    left, right = st.columns(2)
    statuses = left.multiselect(
        "Status", list(STATUS_LABELS), format_func=STATUS_LABELS.get, key="q_status"
    )
    bands = right.multiselect(
        "Band", list(BAND_CHOICES), format_func=BAND_CHOICES.get, key="q_band"
    )
    reason = left.selectbox(
        "Reason",
        [None, *REASON_LABELS],
        format_func=lambda c: "Any reason" if c is None else REASON_LABELS[c],
        key="q_reason",
    )
    campaign = right.selectbox(
        "Campaign",
        [None, *campaign_options(store)],
        format_func=lambda c: "Any campaign" if c is None else c,
        key="q_campaign",
    )
    dates = left.date_input(
        "Submitted between", value=(), max_value=dt.date.today(), key="q_dates", format="YYYY-MM-DD"
    )
    search = right.text_input(
        "Search role, company or contact name",
        key="q_search",
        placeholder="e.g. Acme or #42",
    )
    mine = st.toggle("Only reflections assigned to me", key="q_mine")

date_from = dates[0] if len(dates) >= 1 else None
date_to = dates[1] if len(dates) == 2 else date_from
filters = QueueFilter(
    statuses=tuple(statuses),
    bands=tuple(bands),
    reason=reason,
    campaign=campaign,
    date_from=date_from,
    date_to=date_to,
    search=search or "",
    assignee_id=session.consultant_id if mine else None,
)
if st.session_state.get("q_last_filters") != filters:
    st.session_state.q_last_filters = filters
    st.session_state.q_page = 0

page_number = st.session_state.get("q_page", 0)
result = fetch_queue(store, filters, page=page_number, page_size=50)
if page_number >= result.pages:
    page_number = st.session_state.q_page = result.pages - 1
    result = fetch_queue(store, filters, page=page_number, page_size=50)

if result.total == 0:
    st.info(
        "No shared reflections match these filters yet."
        if filters != QueueFilter()
        else "No candidate has shared a reflection yet. They'll appear here when they do.",
        icon=":material/inbox:",
    )
    st.stop()

st.write(f"**{result.total:,}** matching reflection{'s' if result.total != 1 else ''}")


def _about(row: dict) -> str:
    if not row["shared"]:
        return "Contact request (answers not shared)"
    return " at ".join(v for v in (row["role"], row["company"]) if v) or "(not given)"


frame = pd.DataFrame(
    [
        {
            "#": row["id"],
            "Submitted": review.age_text(row["submitted_at"]),
            "Role and company": _about(row),
            "Stage": row["stage"] or "—",
            # Text, so a reflection without a score shows "—", not a grey "None".
            "Score": "—" if row["overall"] is None else str(round(row["overall"])),
            "Band": row["band_label"],
            "Reasons": ", ".join(row["reasons"]),
            "Contact?": "Yes" if row["contact_requested"] else "",
            "Status": row["status_label"],
            "Assigned to": row["assignee"] or "—",
        }
        for row in result.rows
    ]
)
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
    consultant.open_reflection(result.rows[selected[0]]["id"])

st.caption("Click a row to open it, or choose below.")
pick_col, open_col = st.columns([4, 1], vertical_alignment="bottom")
labels = {row["id"]: f"#{row['id']} · {_about(row)}" for row in result.rows}
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
st.subheader("Export")
# Built and audited on each click (a deferred download), never on a page view.
st.download_button(
    f"Download CSV of all {result.total:,} matching",
    review.audited_download(
        store,
        session,
        "queue csv",
        lambda: csv_export.to_bytes(csv_export.queue_csv(store, filters)),
    ),
    file_name=f"bounce-back-queue-{dt.date.today().isoformat()}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="q_csv_download",
)
st.caption(
    "Cells that a spreadsheet could run as a formula start with an apostrophe. "
    "Keep this file safe: it describes real people. Each download is recorded."
)
