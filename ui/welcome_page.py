"""Welcome's parts that act: start or resume, the resume code to keep, a new reflection.

Each failure (a cap reached, a database that refused the write) is said on the page;
the candidate can simply press again.
"""

from __future__ import annotations

import streamlit as st

from core import codes, journey
from core.consent import STORE_ANSWERS
from core.store import STORE_ERRORS
from ui import client, fields, nav, state


def _resume_link(code: str) -> str:
    try:
        url = st.context.url
    except AttributeError:  # older Streamlit, or no browser behind the session
        url = None
    return codes.resume_link(code, url, "welcome")


def start_or_resume() -> None:
    """For a visitor with no reflection yet: consent and start, or type a resume code."""
    start_tab, resume_tab = st.tabs(["Start", "I have a resume code"])
    with start_tab:
        agreed = st.checkbox(STORE_ANSWERS.text, key="consent_store")
        if st.button(
            "Start my reflection", type="primary", disabled=not agreed, icon=":material/play_arrow:"
        ):
            try:
                new = journey.start(
                    state.store(), st.session_state.get("campaign"), client=client.key()
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


def resume_code_box(resume_code: str) -> None:
    with st.container(border=True):
        st.markdown("**Your resume code.** Keep it somewhere safe to come back later:")
        st.code(resume_code, language=None)
        st.markdown("Or bookmark this link, which opens your answers directly:")
        st.code(_resume_link(resume_code), language=None, wrap_lines=True)
        st.caption(
            "We store only a scrambled version of the code, so we can't look it up for you "
            "if it's lost. Anyone with the code can see your answers: keep it to yourself."
        )


def new_reflection_box(session: journey.Session) -> None:
    """For a returning candidate: a fresh reflection for a new rejection, same code."""
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
                    state.store(),
                    session.candidate_id,
                    st.session_state.get("campaign"),
                    client=client.key(),
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
