"""Saving answers: validate in `core`, store, and keep what the database could not take.

Widgets (`ui.fields`, `ui.cards`) call `save` from their on_change callbacks. A refused
value's message is remembered for the field; a save the database could not take (locked,
full disk, unwritable file) keeps the value pending in the session, says so beside the
field, and is retried at the start of every run (`retry_pending`), so the next click or
keystroke saves it.
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from core import journey
from core.store import STORE_ERRORS, StoreConflict
from core.validation import InvalidAnswer, is_blank
from ui import state

SAVE_FAILED = "We couldn't save this just now — your text is still here and we'll keep trying."
PENDING_KEY = "pending_saves"
# Set when a widget's own save just failed in this run's callbacks: retrying at once
# would only make the candidate wait a second time for the same busy database.
JUST_FAILED_KEY = "save_just_failed"

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
    except StoreConflict as exc:
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


def save_from_widget(key: str, value: Any) -> None:
    """A widget's own save; when the database refuses it, this run skips the retry."""
    if not save(key, value) and key in pending():
        st.session_state[JUST_FAILED_KEY] = True


def show_error(key: str) -> None:
    message = state.errors().get(key)
    if message:
        st.error(message, icon=":material/error:")
