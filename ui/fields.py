"""Draw questionnaire fields as widgets that save themselves when they change.

A widget is seeded from the saved answer through session state; its on_change callback
validates in `core` and saves. A refused value stays on screen with the message beside
it, and the last saved value stays in the database.

A save the database could not take (locked, full disk, unwritable file) keeps the value
on screen and in the session as pending, says so beside the field, and is retried at the
start of every run (`retry_pending`), so the next click or keystroke saves it.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from typing import Any

import streamlit as st

from core import journey
from core.drafts import is_edited
from core.questionnaire import FIELDS_BY_KEY, LIKERT_LABELS
from core.store import STORE_ERRORS
from core.validation import InvalidAnswer, is_blank
from ui import state

LIKERT_TEXT = dict(LIKERT_LABELS)
SAVE_FAILED = "We couldn't save this just now — your text is still here and we'll keep trying."
START_FAILED = (
    "We couldn't start your reflection just now. Nothing is lost: please press the "
    "button again in a moment."
)
RESUME_FAILED = (
    "We couldn't open your answers just now. They are safe: please try your code again in a moment."
)
PENDING_KEY = "pending_saves"
# Set when a widget's own save just failed in this run's callbacks: retrying at once
# would only make the candidate wait a second time for the same busy database.
JUST_FAILED_KEY = "save_just_failed"
# What the browser puts in place of a character it cannot send (see ui.guard).
REPLACEMENT = "\ufffd"
REPLACED_NOTE = (
    "A character here couldn't be read and now shows as �. Please check that spot and "
    "retype it if something is missing."
)

log = logging.getLogger(__name__)


def pending() -> dict[str, tuple[int, Any]]:
    """Answers the database has not taken yet: field key -> (reflection id, value)."""
    return st.session_state.setdefault(PENDING_KEY, {})


def _store_answer(reflection_id: int, key: str, value: Any) -> Any:
    """Save through `core`; on a database failure keep the value pending and say so.

    Raises InvalidAnswer when refused. Returns the cleaned value, or raises
    `SaveFailed` when the database could not take it.
    """
    try:
        cleaned = journey.save_answer(state.store(), reflection_id, key, value)
    except InvalidAnswer:
        pending().pop(key, None)  # the newer value on screen replaces the waiting one
        raise
    except sqlite3.IntegrityError as exc:
        # The reflection itself is gone (deleted meanwhile): retrying cannot help.
        pending().pop(key, None)
        log.warning("Dropped a pending answer %r: %s", key, type(exc).__name__)
        raise SaveFailed from exc
    except STORE_ERRORS as exc:
        pending()[key] = (reflection_id, value)
        if _is_current(reflection_id):
            state.errors()[key] = SAVE_FAILED
        # The database's message names the fault, never the candidate's text.
        log.warning("Could not save answer %r: %s: %s", key, type(exc).__name__, exc)
        raise SaveFailed from exc
    pending().pop(key, None)
    return cleaned


class SaveFailed(Exception):
    """The database could not take a save; the value is kept pending."""


def _is_current(reflection_id: int) -> bool:
    session = state.candidate()
    return session is not None and session.reflection_id == reflection_id


def _clear_save_failed(key: str) -> None:
    if state.errors().get(key) == SAVE_FAILED:
        del state.errors()[key]


def shown_value(key: str) -> Any:
    """What the field should show: a value still waiting to be saved, else the saved one."""
    waiting = pending().get(key)
    if waiting is not None and _is_current(waiting[0]):
        return waiting[1]
    return state.answers().get(key)


def widget_key(key: str) -> str:
    return f"answer_{key}"


def save(key: str, value: Any) -> bool:
    """Validate and save; remember the message when refused. True when saved."""
    session = state.candidate()
    if session is None:
        state.errors()[key] = "Start on the Welcome page first so we can save your answers."
        return False
    try:
        cleaned = _store_answer(session.reflection_id, key, value)
    except InvalidAnswer as exc:
        state.errors()[key] = str(exc)
        return False
    except SaveFailed:
        return False
    state.errors().pop(key, None)
    _remember(key, cleaned)
    return True


def _remember(key: str, cleaned: Any) -> None:
    answers = state.answers()
    if is_blank(cleaned):
        answers.pop(key, None)
    else:
        answers[key] = cleaned


def retry_pending() -> None:
    """Try again to save what the database refused earlier; stop at the first failure.

    Called at the start of every run, so any click or keystroke retries. Stopping at
    the first failure, and skipping the run whose widget save has just failed, keeps a
    page from waiting again and again while the database is still unavailable.
    """
    if st.session_state.pop(JUST_FAILED_KEY, False):
        return
    for key, (reflection_id, value) in list(pending().items()):
        current = _is_current(reflection_id)
        try:
            cleaned = _store_answer(reflection_id, key, value)
        except InvalidAnswer as exc:
            if current:
                state.errors()[key] = str(exc)
            continue
        except SaveFailed:
            if key in pending():
                return
            if current:
                _clear_save_failed(key)
            continue
        if current:
            _clear_save_failed(key)
            _remember(key, cleaned)


def _on_change(key: str) -> None:
    value = st.session_state.get(widget_key(key))
    if isinstance(value, dt.date):
        value = value.isoformat()
    if is_our_suggestion(key, value):
        # Back to our suggestion: nothing of theirs is left to save or to warn about.
        pending().pop(key, None)
        state.errors().pop(key, None)
        return
    if not save(key, value) and key in pending():
        st.session_state[JUST_FAILED_KEY] = True


def _seed(key: str, value: Any) -> None:
    wkey = widget_key(key)
    if wkey not in st.session_state:
        st.session_state[wkey] = value


def show_error(key: str) -> None:
    message = state.errors().get(key)
    if message:
        st.error(message, icon=":material/error:")


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
        from ui import cards  # cards save through this module

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
        _seed(key, dt.date.fromisoformat(saved) if saved else None)
        st.date_input(
            text,
            value=None,
            format="YYYY-MM-DD",
            min_value=dt.date(2000, 1, 1),
            max_value=dt.date(2100, 12, 31),
            **common,
        )
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
