"""The frame every step page shares: heading, intro, sections, messages, self-ratings."""

from __future__ import annotations

import streamlit as st

from core.drafts import Draft, mailto_link_if_fits, overflow
from core.questionnaire import STEPS_BY_KEY, Step
from ui import fields, state


def header(step_key: str) -> Step:
    step = STEPS_BY_KEY[step_key]
    st.caption(f"Step {step.number} of 5")
    st.title(step.title)
    st.write(step.intro)
    return step


def section(title: str, caption: str = "") -> None:
    st.subheader(title, divider="gray")
    if caption:
        st.caption(caption)


def ratings(step: Step, caption: str = "") -> None:
    """The step's self-ratings, under one heading."""
    section(
        "How it feels right now",
        caption
        or "There are no right answers here. Pick whatever is closest today; you can "
        "change it any time.",
    )
    for f in step.fields:
        if f.kind == "likert":
            fields.field(f.key)


def message(
    key: str,
    suggestion: Draft,
    *,
    height: int = 300,
    limit: int | None = None,
    email: bool = True,
) -> str:
    """An editable message with 'start again', copy and (optionally) e-mail actions.

    With `limit`, the box stops at that many characters and a count sits right under it.
    Returns the text as it stands on screen.
    """
    text = fields.draft_field(key, suggestion.body, height=height, max_chars=limit)
    if limit is not None:
        _length_note(text, limit)
    saved = state.answers().get(key)
    edited = isinstance(saved, str) and bool(saved.strip())
    st.caption(
        "Your own version, saved." if edited else "Our suggestion from your answers. Edit freely."
    )
    left, right = st.columns(2)
    left.button(
        "Start again from our suggestion",
        key=f"reset_{key}",
        icon=":material/restart_alt:",
        disabled=not edited,
        on_click=fields.reset_draft,
        args=(key, suggestion.body),
        help="Replaces your edits with a fresh draft built from your latest answers.",
    )
    link = mailto_link_if_fits(key, Draft(suggestion.subject, text)) if email else None
    if link:
        right.link_button(
            "Open in my e-mail app",
            link,
            icon=":material/mail:",
            help="Opens a new e-mail with this subject and message. Nothing is sent for you.",
        )
    elif email:
        right.caption(
            "This can't open in an e-mail app as it is (too long, or a character we can't "
            "send): copy it from below instead."
        )
    with st.expander("Copy it", icon=":material/content_copy:"):
        st.caption("Use the copy icon at the top right of each box.")
        if suggestion.subject:
            st.markdown("Subject")
            st.code(suggestion.subject, language=None, wrap_lines=True)
            st.markdown("Message")
        st.code(text, language=None, wrap_lines=True)
    return text


def _length_note(text: str, limit: int) -> None:
    # The widget's own counter shows only while typing, and the server silently cuts
    # anything longer than max_chars that reaches it; core checks the limit on save. So
    # say plainly where the text stands, and warn when it sits exactly at the limit,
    # which is what a cut-off paste looks like.
    over = overflow(text, limit)
    if over:
        st.error(
            f"This is {over} characters over the {limit} limit. Please shorten it; your "
            "last saved version is kept.",
            icon=":material/error:",
        )
    elif len(text) == limit:
        st.warning(
            f"That's the full {limit} characters. Anything pasted beyond that was cut off, "
            "so check the end still reads well.",
            icon=":material/warning:",
        )
    else:
        st.caption(f"{len(text)} of {limit} characters.")
