"""Moving between steps: the Next button and the 'start first' guard."""

from __future__ import annotations

import streamlit as st

from core import codes, journey
from core.questionnaire import STEPS
from ui import state

ORDER = ["welcome", *(step.key for step in STEPS), "plan"]


def next_button(current: str) -> None:
    """A 'Next' button leading to the page after `current` in journey order."""
    index = ORDER.index(current)
    if index + 1 >= len(ORDER):
        return
    target = ORDER[index + 1]
    title = "My plan" if target == "plan" else next(s.title for s in STEPS if s.key == target)
    if st.button(
        f"Next: {title}", type="primary", icon=":material/arrow_forward:", key=f"next_{current}"
    ):
        st.switch_page(st.session_state.pages[target])


def require_candidate() -> bool:
    """True when answers can be saved; otherwise point the visitor to the Welcome page."""
    if state.candidate() is not None:
        return True
    st.info(
        "Start on the Welcome page first. Once you agree to us saving your answers, "
        "every step saves as you go.",
        icon=":material/info:",
    )
    st.page_link(
        st.session_state.pages["welcome"], label="Go to Welcome", icon=":material/waving_hand:"
    )
    return False


def resume_from_link() -> None:
    """Act on a `?resume=CODE` from the landing URL once, whichever page it opened."""
    pending = st.session_state.pop("pending_resume", None)
    if not pending or state.candidate() is not None:
        return
    try:
        session = journey.resume(state.store(), pending)
    except (codes.BadCode, journey.UnknownCode) as exc:
        st.session_state.resume_error = str(exc)
        return
    switch_to(session)
    st.session_state.resume_code = codes.normalise(pending)
    st.session_state.pop("resume_error", None)


def switch_to(session: journey.Session) -> None:
    """Make `session` the current reflection, dropping every widget of the previous one."""
    if state.candidate() is not None:
        state.forget_candidate()
    for key in list(st.session_state.keys()):
        if key.startswith("draft_seed_"):
            del st.session_state[key]
    state.begin(session)
