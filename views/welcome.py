"""Welcome: what this is, privacy, consent, start or resume, and the context questions."""

from __future__ import annotations

import streamlit as st

from core import codes, journey
from core.consent import STORE_ANSWERS
from core.store import STORE_ERRORS
from ui import browser, fields, nav, state
from ui.step import page_styles

settings = state.settings()

st.title("Bounce back from a job rejection")
page_styles()
st.write(
    "Hearing no after you've put real effort into interviews is hard, and it's normal to "
    "feel flat. This guide turns that experience into a plan: five steps, about 15 to 20 "
    "minutes in all (stop and come back any time, everything saves as you go), and you "
    "leave with messages you can send today."
)
with st.container(border=True):
    st.markdown(
        "1. **Ask for feedback**, and get points you can act on\n"
        "2. **Keep connections open** with a gracious reply\n"
        "3. **Keep your options open** beyond this one role\n"
        "4. **Review your approach** stage by stage\n"
        "5. **Learn from it**: your strengths and small wins\n\n"
        "Then **My plan** gathers it all: your actions, your messages, and where you stand."
    )

with st.expander("How we look after your answers", icon=":material/shield:"):
    st.write(
        f"Your answers are stored by {settings.agency_name} only so you can come back to "
        "them. No account, no tracking cookies, no advertising. Nobody at the agency sees "
        "them unless you choose to send your reflection for review on My plan. You can "
        "delete everything at any time."
    )
    st.link_button("Privacy policy", settings.privacy_url, icon=":material/open_in_new:")


def _resume_link(code: str) -> str:
    try:
        url = st.context.url
    except AttributeError:  # older Streamlit, or no browser behind the session
        url = None
    return codes.resume_link(code, url, "welcome")


session = state.candidate()

if session is None:
    start_tab, resume_tab = st.tabs(["Start", "I have a resume code"])
    with start_tab:
        agreed = st.checkbox(STORE_ANSWERS.text, key="consent_store")
        if st.button(
            "Start my reflection", type="primary", disabled=not agreed, icon=":material/play_arrow:"
        ):
            try:
                new = journey.start(
                    state.store(), st.session_state.get("campaign"), limit=journey.NEW_CANDIDATES
                )
            except journey.TooMany as exc:
                st.error(str(exc), icon=":material/hourglass_empty:")
            except STORE_ERRORS as exc:
                fields.log.warning("Could not start a reflection: %s: %s", type(exc).__name__, exc)
                st.error(fields.START_FAILED, icon=":material/error:")
            else:
                nav.switch_to(new)
                st.session_state.new_code = new.code
                st.session_state.resume_code = new.code
                st.session_state.pop("resume_error", None)
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
                    nav.switch_to(journey.resume(state.store(), typed))
                    st.session_state.resume_code = codes.normalise(typed)
                    st.session_state.pop("resume_error", None)
                    st.rerun()
                except (codes.BadCode, journey.UnknownCode) as exc:
                    st.session_state.resume_error = str(exc)
                except STORE_ERRORS as exc:
                    fields.log.warning("Could not resume: %s: %s", type(exc).__name__, exc)
                    st.session_state.resume_error = fields.RESUME_FAILED
        if st.session_state.get("resume_error"):
            st.error(st.session_state.resume_error, icon=":material/error:")
    st.stop()

new_code = st.session_state.get("new_code")
resume_code = st.session_state.get("resume_code")
if st.session_state.pop("new_reflection_started", False):
    st.success(
        "A fresh reflection has started for this rejection. Your earlier ones are kept, and "
        "My plan shows how your confidence has moved over time.",
        icon=":material/add_circle:",
    )
elif new_code:
    st.success("You're all set. Your answers now save as you go.", icon=":material/check:")
else:
    st.success("Welcome back. Everything you saved is here.", icon=":material/history:")

if resume_code:
    with st.container(border=True):
        st.markdown("**Your resume code.** Keep it somewhere safe to come back later:")
        st.code(resume_code, language=None)
        st.markdown("Or bookmark this link, which opens your answers directly:")
        st.code(_resume_link(resume_code), language=None, wrap_lines=True)
        st.caption(
            "We store only a scrambled version of the code, so we can't look it up for you "
            "if it's lost. Anyone with the code can see your answers: keep it to yourself."
        )

st.caption("This browser remembers you, so a reload or a new tab brings you straight back.")
browser.forget_button("forget_browser_welcome")

if not new_code:
    with st.container(border=True):
        st.markdown("**Had another rejection since?**")
        st.caption(
            "Start a new reflection for it under the same code. Your earlier answers stay "
            "as they were, so you can see your progress over time."
        )
        if st.button(
            "Start a new reflection (for a new rejection)",
            key="new_reflection",
            icon=":material/add:",
        ):
            try:
                reflection_id = journey.new_reflection(
                    state.store(), session.candidate_id, st.session_state.get("campaign")
                )
            except journey.TooMany as exc:
                st.warning(str(exc), icon=":material/hourglass_empty:")
            except STORE_ERRORS as exc:
                fields.log.warning("Could not start a reflection: %s: %s", type(exc).__name__, exc)
                st.error(fields.START_FAILED, icon=":material/error:")
            else:
                nav.switch_to(journey.Session(session.candidate_id, reflection_id))
                st.session_state.new_reflection_started = True
                st.rerun()

st.header("A little context", divider="gray")
st.caption("This shapes the messages we draft for you. Everything saves as you type.")
fields.field("own_name", placeholder="e.g. Maya Patel")
left, right = st.columns(2)
with left:
    fields.field("company", placeholder="e.g. Acme Ltd")
with right:
    fields.field("role", placeholder="e.g. Data Analyst")
fields.field("stage_reached")
left, right = st.columns(2)
with left:
    fields.field("news_date")
with right:
    fields.field("news_channel")

nav.next_button("welcome")
