"""What every run does before and around the page, so a broken database or a bug never
shows a candidate a traceback.

`before_page` stops the run with a calm "temporarily unavailable" page when the start-up
check (`core.health`) failed, and otherwise retries saves the database refused earlier.
`friendly_errors` turns anything unexpected into a plain apology on the page, while the
real exception goes to the server log: its type and the file, line and function of each
frame, never its message or source lines, which could quote what a candidate typed.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from core import health
from ui import fields, state

log = logging.getLogger(__name__)

UNAVAILABLE_TITLE = "We're taking a short break"
UNAVAILABLE_TEXT = (
    "Bounce Back can't reach its storage right now, so we've paused rather than risk "
    "losing anything. **Your saved answers are safe.** Please come back in a few minutes; "
    "if you have a resume code, it will still work."
)
ERROR_TEXT = (
    "Something went wrong on our side. It wasn't anything you did, and your saved answers "
    "are safe. Please reload the page or try again in a few minutes."
)


def _database_ready() -> bool:
    try:
        path = state.settings().db_path
    except ValueError as exc:  # a bad BOUNCE_BACK_* value: the message names the variable
        log.error("SETTINGS INVALID: %s", exc)
        return False
    return health.status(path).ok


def before_page() -> None:
    """Show the unavailable page instead of any screen while the database is unusable."""
    if not _database_ready():
        st.title(UNAVAILABLE_TITLE)
        st.info(UNAVAILABLE_TEXT, icon=":material/schedule:")
        st.stop()
    fields.retry_pending()


def _log_unexpected(exc: BaseException) -> None:
    chain = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 5:
        where = "".join(
            f"  {frame.filename}:{frame.lineno} in {frame.name}\n"
            for frame in traceback.extract_tb(current.__traceback__)
        )
        chain.append(f"{type(current).__module__}.{type(current).__qualname__}\n{where}")
        current = current.__cause__ or current.__context__
    log.error("Unexpected error while drawing a page:\n%s", "\ncaused by ".join(chain))


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Draw a plain apology instead of a traceback when the page fails unexpectedly."""
    try:
        yield
    except Exception as exc:  # st.stop/st.rerun are BaseExceptions and pass through
        _log_unexpected(exc)
        st.error(ERROR_TEXT, icon=":material/sentiment_dissatisfied:")
