"""Welcome: what this is, privacy, consent, start or resume, and the context questions."""

from __future__ import annotations

import streamlit as st

from core import codes, journey
from core.consent import STORE_ANSWERS
from core.questionnaire import CONTEXT_FIELDS
from ui import fields, nav, state

settings = state.settings()

st.title("Bounce back from a job rejection")
st.write(
    "Hearing no after you've put real effort into interviews is hard, and it's normal to "
    "feel flat. This short guide turns that experience into a plan: five steps, about ten "
    "minutes, and you leave with messages you can send today."
)

with st.expander("How we look after your answers", icon=":material/shield:"):
    st.write(
        f"Your answers are stored by {settings.agency_name} only so you can come back to "
        "them. No account, no tracking cookies, no advertising. Nobody at the agency sees "
        "them unless you choose to send your reflection for review on My plan. You can "
        "delete everything at any time."
    )
    st.link_button("Privacy policy", settings.privacy_url, icon=":material/open_in_new:")

session = state.candidate()

if session is None:
    pending = st.session_state.pop("pending_resume", None)
    if pending:
        try:
            state.begin(journey.resume(state.store(), pending))
            st.rerun()
        except (codes.BadCode, journey.UnknownCode) as exc:
            st.session_state.resume_error = str(exc)

    start_tab, resume_tab = st.tabs(["Start", "I have a resume code"])
    with start_tab:
        agreed = st.checkbox(STORE_ANSWERS.text, key="consent_store")
        if st.button(
            "Start my reflection", type="primary", disabled=not agreed, icon=":material/play_arrow:"
        ):
            new = journey.start(state.store(), st.session_state.get("campaign"))
            state.begin(new)
            st.session_state.new_code = new.code
            st.rerun()
        if not agreed:
            st.caption("Tick the box to start: we need your agreement to save answers.")
    with resume_tab:
        with st.form("resume_form", border=False):
            typed = st.text_input(
                "Your resume code", max_chars=64, placeholder="e.g. 7K2M-Q9XD-4RTB-H8PW"
            )
            if st.form_submit_button("Resume", icon=":material/history:"):
                try:
                    state.begin(journey.resume(state.store(), typed))
                    st.session_state.pop("resume_error", None)
                    st.rerun()
                except (codes.BadCode, journey.UnknownCode) as exc:
                    st.session_state.resume_error = str(exc)
        if st.session_state.get("resume_error"):
            st.error(st.session_state.resume_error, icon=":material/error:")
    st.stop()

new_code = st.session_state.get("new_code")
if new_code:
    st.success("You're all set. Your answers now save as you go.", icon=":material/check:")
    st.markdown("**Your resume code** — keep it somewhere safe to come back later:")
    st.code(new_code, language=None)
    st.caption(
        f"Or bookmark this link: `?resume={new_code}`. We store only a scrambled "
        "version of the code, so we can't look it up for you if it's lost."
    )

st.subheader("A little context")
st.caption("This shapes the messages we draft for you. Everything saves as you type.")
for spec in CONTEXT_FIELDS:
    fields.field(spec.key)

nav.next_button("welcome")
