"""My plan: this week, what you take forward, where you are, messages, help, downloads."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import clock, contact, journey
from core.plan import build_plan
from ui import browser, contact_offer, nav, pages, patterns_section, plan_page, state
from ui.step import phone_fixes

st.title("My plan")
phone_fixes()

if st.session_state.pop("data_deleted", False):
    st.success(
        "Your answers, reflections and resume code have been deleted. The code no longer "
        "works. Thank you for trusting us with them, and good luck with what comes next.",
        icon=":material/delete:",
    )
    pages.link(pages.WELCOME, "Start afresh")
    st.stop()

if not nav.require_candidate():
    st.stop()

candidate = state.candidate()
store = state.store()
reflection_row = journey.reflection(store, candidate.reflection_id) or {
    "id": candidate.reflection_id
}
asked_to_talk = contact.has_asked_to_talk(store, candidate.reflection_id)
started = str(reflection_row.get("created_at") or "")[:10]
plan = build_plan(
    state.answers(),
    state.settings().agency_name,
    today=clock.today(),
    started=dt.date.fromisoformat(started) if started else None,
    asked_to_talk=asked_to_talk,
)

plan_page.this_week(plan)
plan_page.taking_forward(plan)
plan_page.where_you_are(plan)
plan_page.messages(plan)
keeps_coming_up = patterns_section.read(candidate.candidate_id, candidate.reflection_id)
contact_offer.section(plan, reflection_row, asked_to_talk, keeps_coming_up)
plan_page.reminders_section(candidate.reflection_id)
plan_page.downloads(plan, candidate.candidate_id)
plan_page.trend(candidate.candidate_id)
patterns_section.section(keeps_coming_up)


# --- Your data: delete (and, on this browser, forget the resume) ----------------------------
def delete_section() -> None:
    st.header("Your data", divider="gray")
    if not st.session_state.get("confirm_delete"):
        st.write(
            "You can delete everything we hold about you: every reflection, answer and "
            "request. Your resume code stops working."
        )
        if st.button("Delete my data", key="delete_data", icon=":material/delete:"):
            st.session_state.confirm_delete = True
            st.rerun()
        st.caption("On a shared computer? This browser remembers you until you tell it not to.")
        browser.forget_button("forget_browser_plan")
        return
    st.warning(
        "This deletes all your reflections and answers for good, including anything shared "
        "with consultants. It can't be undone. Download your data first if you want a copy.",
        icon=":material/warning:",
    )
    yes, no = st.columns(2)
    if yes.button("Yes, delete everything", type="primary", key="delete_confirm"):
        journey.delete_candidate(store, candidate.candidate_id)
        state.forget_candidate()
        browser.after_data_deleted()
        st.session_state.data_deleted = True
        st.rerun()
    if no.button("No, keep my data", key="delete_cancel"):
        st.session_state.confirm_delete = False
        st.rerun()


delete_section()
