"""Draw questionnaire fields as widgets that save themselves when they change.

A widget is seeded from the saved answer through session state; its on_change callback
saves through `ui.saving` (validated in `core`). A refused value stays on screen with the
message beside it, and the last saved value stays in the database. Lists are drawn as
cards by `ui.cards`.
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from core.drafts import is_edited
from core.questionnaire import FIELDS_BY_KEY, LIKERT_LABELS
from ui import cards, dates, state
from ui.saving import pending, save, save_from_widget, show_error, shown_value

LIKERT_TEXT = dict(LIKERT_LABELS)
START_FAILED = (
    "We couldn't start your reflection just now. Nothing is lost: please press the "
    "button again in a moment."
)
RESUME_FAILED = (
    "We couldn't open your answers just now. They are safe: please try your code again in a moment."
)
# What the browser puts in place of a character it cannot send (see ui.guard).
REPLACEMENT = "\ufffd"
REPLACED_NOTE = (
    "A character here couldn't be read and now shows as �. Please check that spot and "
    "retype it if something is missing."
)

log = logging.getLogger(__name__)


def widget_key(key: str) -> str:
    return f"answer_{key}"


def _on_change(key: str) -> None:
    value = st.session_state.get(widget_key(key))
    value = dates.to_answer(value)
    if is_our_suggestion(key, value):
        # Back to our suggestion: nothing of theirs is left to save or to warn about.
        pending().pop(key, None)
        state.errors().pop(key, None)
        return
    save_from_widget(key, value)


def _seed(key: str, value: Any) -> None:
    wkey = widget_key(key)
    if wkey not in st.session_state:
        st.session_state[wkey] = value


def field(
    key: str,
    *,
    label: str | None = None,
    disabled: bool = False,
    max_chars: int | None = None,
    height: int | None = None,
    placeholder: str | None = None,
    label_visibility: str = "visible",
) -> Any:
    """Draw one questionnaire field by key and return its saved value.

    `max_chars` adds the browser's live counter, but Streamlit also cuts longer values on
    the server without a word, so a page using it must say when text sits at the limit.
    The limit itself is always enforced in `core`.
    """
    spec = FIELDS_BY_KEY[key]
    saved = shown_value(key)
    text = label or spec.label
    wkey = widget_key(key)
    common: dict[str, Any] = {
        "key": wkey,
        "on_change": _on_change,
        "args": (key,),
        "disabled": disabled,
        "help": spec.help or None,
        "label_visibility": label_visibility,
    }
    if spec.kind == "table":
        cards.cards(spec, disabled=disabled, show_label=label_visibility == "visible")
        return state.answers().get(key)
    if spec.kind == "text":
        _seed(key, saved or "")
        st.text_input(text, max_chars=max_chars, placeholder=placeholder, **common)
    elif spec.kind == "textarea":
        _seed(key, saved or "")
        st.text_area(text, max_chars=max_chars, height=height, placeholder=placeholder, **common)
    elif spec.kind == "choice":
        _seed(key, saved)
        labels = dict(spec.options)
        st.selectbox(
            text,
            [k for k, _ in spec.options],
            index=None,
            format_func=labels.get,
            placeholder="Choose…",
            **common,
        )
    elif spec.kind == "likert":
        _seed(key, saved)
        st.segmented_control(
            text,
            [v for v, _ in LIKERT_LABELS],
            format_func=LIKERT_TEXT.get,
            selection_mode="single",
            **common,
        )
    elif spec.kind == "date":
        _seed(key, dates.from_answer(saved))
        dates.date_input(text, **common)
    show_error(key)
    on_screen = st.session_state.get(wkey)
    if isinstance(on_screen, str) and REPLACEMENT in on_screen:
        st.caption(REPLACED_NOTE)
    return state.answers().get(key)


def _draft_seed_key(key: str) -> str:
    return f"draft_seed_{key}"


# Suggestions remembered per message: enough for every answer a candidate can change
# between two replies from a slow server.
SUGGESTIONS_KEPT = 10


def _suggestions_shown(key: str) -> list[str]:
    """The suggestions this session has put in the message box, oldest first."""
    return st.session_state.get(_draft_seed_key(key)) or []


def _show_suggestion(key: str, generated: str) -> None:
    shown = [text for text in _suggestions_shown(key) if text != generated]
    st.session_state[_draft_seed_key(key)] = [*shown, generated][-SUGGESTIONS_KEPT:]


def is_our_suggestion(key: str, value: Any) -> bool:
    """A message box sent back holding one of our own suggestions is no edit.

    On a slow connection the browser can send back the suggestion it still shows while
    the server has already made a newer one from the latest answers; saving that would
    freeze an old suggestion as the candidate's own words."""
    return (
        isinstance(value, str)
        and not is_edited(state.answers().get(key))
        and value in _suggestions_shown(key)
    )


def reset_draft(key: str, generated: str) -> None:
    """Forget the candidate's edits so the message follows their answers again."""
    if save(key, ""):
        st.session_state[widget_key(key)] = generated
        _show_suggestion(key, generated)


def draft_field(
    key: str, generated: str, *, height: int | None = None, max_chars: int | None = None
) -> str:
    """A message text area that shows our suggestion until the candidate edits it.

    Nothing is saved until they change it, so an untouched draft keeps following their
    answers (a new name, company or role) on every visit. Once edited, their version is
    saved and kept exactly.
    """
    wkey = widget_key(key)
    if not is_edited(state.answers().get(key)) and key not in state.errors():
        on_screen = st.session_state.get(wkey)
        # Only replace what is on screen when it is still one of our suggestions: a
        # candidate who cleared the box on purpose keeps the empty box.
        if on_screen is None or on_screen in _suggestions_shown(key):
            st.session_state[wkey] = generated
        _show_suggestion(key, generated)
    # The section heading above names the message; a second label would only repeat it.
    field(key, height=height, max_chars=max_chars, label_visibility="collapsed")
    value = st.session_state.get(wkey)
    return value if isinstance(value, str) else ""
