"""Moving between steps: the Next button and the 'start first' guard."""

from __future__ import annotations

import streamlit as st

from core import codes, journey
from core.questionnaire import STEPS_BY_KEY
from ui import pages, state


def next_button(current: str) -> None:
    """A 'Next' button leading to the page after `current` (a page key) in journey order."""
    here = next((spec for spec in pages.JOURNEY if spec.key == current), None)
    target = pages.after(here) if here is not None else None
    if target is None:
        return
    step = STEPS_BY_KEY.get(target.key)
    title = step.title if step is not None else target.title
    if st.button(
        f"Next: {title}", type="primary", icon=":material/arrow_forward:", key=f"next_{current}"
    ):
        pages.go(target)


def require_candidate() -> bool:
    """True when answers can be saved; otherwise point the visitor to the Welcome page."""
    if state.candidate() is not None:
        return True
    st.info(
        "Start on the Welcome page first. Once you agree to us saving your answers, "
        "every step saves as you go.",
        icon=":material/info:",
    )
    pages.link(pages.WELCOME, "Go to Welcome")
    return False


def resume_from_link() -> None:
    """Check a `?resume=CODE` from the landing URL once, whichever page it opened.

    A link can be crafted by someone else, so nothing is attached yet: a code that
    matches a reflection waits for the visitor's answer (`resume_prompt`).
    """
    pending = st.session_state.pop("pending_resume", None)
    if not pending:
        return
    try:
        session = journey.resume(state.store(), pending)
    except (codes.BadCode, journey.UnknownCode) as exc:
        st.session_state.resume_error = str(exc)
        return
    current = state.candidate()
    if current is not None and current.candidate_id == session.candidate_id:
        return  # their own link, on a browser that already remembers them
    st.session_state.confirm_resume = codes.normalise(pending)


def resume_prompt() -> bool:
    """Ask before opening a reflection from a link. True while the question is on screen."""
    code = st.session_state.get("confirm_resume")
    if not code:
        return False
    with st.container(border=True):
        st.subheader("Open a saved reflection?")
        # Only the first group: the whole code is a key to someone's answers.
        st.write(f"Open the reflection saved under {code[:4]}-…?")
        st.caption(
            "Only open it if the link is your own. Anyone who has the code can read "
            "what is saved under it, and anything you add there."
        )
        open_col, own_col = st.columns(2)
        if open_col.button("Open", type="primary", key="resume_open", icon=":material/history:"):
            del st.session_state.confirm_resume
            try:
                switch_to(journey.resume(state.store(), code))
            except (codes.BadCode, journey.UnknownCode) as exc:
                st.session_state.resume_error = str(exc)
            else:
                st.session_state.resume_code = code
                st.session_state.pop("resume_error", None)
            st.rerun()
        if own_col.button("Start my own", key="resume_decline", icon=":material/add:"):
            del st.session_state.confirm_resume
            st.rerun()
    return True


def switch_to(session: journey.Session) -> None:
    """Make `session` the current reflection, dropping every widget of the previous one."""
    state.forget_candidate()
    state.begin(session)
