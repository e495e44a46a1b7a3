"""Sections of the review queue, so views/consultant_queue.py reads like the screen."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import clock, outbox, queue, review
from core.answer_values import role_at_company
from core.questionnaire import BAND_LABELS, NO_BAND
from core.queue import QueueFilter, campaign_options
from core.reasons import REASON_LABELS
from core.review import STATUS_LABELS
from core.safe_html import escape_md
from core.staff_sessions import StaffSession
from core.store import Store
from ui import consultant

BAND_CHOICES = {**BAND_LABELS, "none": NO_BAND}


def notifications_waiting(store: Store) -> None:
    """Say so when notifications to consultants are stuck (mail server down or refusing):
    requests still reach this queue, but nobody is being told of them."""
    waiting = outbox.waiting(store, clock.system_clock())
    if waiting:
        st.warning(
            f"{waiting} notification{'s' if waiting != 1 else ''} to consultants "
            f"{'have' if waiting != 1 else 'has'} been waiting over "
            f"{outbox.WAITING_ALERT_MINUTES} minutes to be sent. New requests still "
            "appear here; ask whoever runs the app to check the mail settings "
            "(`bounce-back send-due` says what happens).",
            icon=":material/mark_email_unread:",
        )


def follow_ups_due(store: Store) -> None:
    """Reflections whose follow-up day has come, most overdue first, one button each."""
    due = queue.follow_ups_due(store, clock.today())
    if not due:
        return
    with st.container(border=True, key="q_follow_ups"):
        st.markdown(f"**Follow-ups due ({len(due)})**, most overdue first")
        for row in due:
            subject = role_at_company(row["role"], row["company"]) or "(not given)"
            if st.button(
                f"#{row['id']} · {escape_md(subject)} · due {row['follow_up_on']}",
                key=f"q_follow_up_{row['id']}",
                icon=":material/event_upcoming:",
            ):
                consultant.open_reflection(row["id"])


def filters(store: Store, session: StaffSession) -> QueueFilter:
    """The filter and search form; what it asks for, as a QueueFilter."""
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
            "Submitted between",
            value=(),
            max_value=clock.today(),
            key="q_dates",
            format="YYYY-MM-DD",
        )
        search = right.text_input(
            "Search role, company or contact name",
            key="q_search",
            placeholder="e.g. Acme or #42",
        )
        mine = st.toggle("Only reflections assigned to me", key="q_mine")

    date_from = dates[0] if len(dates) >= 1 else None
    date_to = dates[1] if len(dates) == 2 else date_from
    return QueueFilter(
        statuses=tuple(statuses),
        bands=tuple(bands),
        reason=reason,
        campaign=campaign,
        date_from=date_from,
        date_to=date_to,
        search=search or "",
        assignee_id=session.consultant_id if mine else None,
    )


def about(row: dict) -> str:
    """What a queue row is about: role and company, or that it is a contact request."""
    if not row["shared"]:
        return "Contact request (answers not shared)"
    return role_at_company(row["role"], row["company"]) or "(not given)"


def table(rows: list[dict]) -> pd.DataFrame:
    """One line per reflection; empty cells read "—", never a grey "None"."""
    return pd.DataFrame(
        [
            {
                "#": row["id"],
                "Submitted": review.age_text(row["submitted_at"]),
                # Present on rows that went through targets.annotate.
                "Due by": row.get("due_text", "—"),
                "Role and company": about(row),
                "Stage": row["stage"] or "—",
                # Text, so a reflection without a score shows "—", not a grey "None".
                "Score": "—" if row["overall"] is None else str(round(row["overall"])),
                "Band": row["band_label"],
                "Reasons": ", ".join(row["reasons"]),
                "Contact?": "Yes" if row["contact_requested"] else "",
                "Status": row["status_label"],
                "Assigned to": row["assignee"] or "—",
            }
            for row in rows
        ]
    )
