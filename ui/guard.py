"""What every run does before and around the page, so a broken database or a bug never
shows a candidate a traceback.

`before_page` stops the run with a calm "temporarily unavailable" page when the start-up
check (`core.health`) failed, and otherwise retries saves the database refused earlier.
It also installs, once per browser session, a small script that replaces a lone UTF-16
surrogate typed or pasted into any text box with "�" before Streamlit sends it: the
server cannot decode such text, so without this the connection drops, the box keeps
showing the text and nothing is saved. The replacement character stays visible in the
box, and the field says what happened (`ui.saving`).
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
from ui import saving, state

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


# Static code: no candidate text or other data is ever put into it. It must not contain
# "<" at all: Streamlit's sanitiser (DOMPurify) drops a script whose text has "<!" or
# "<x", taking it for an mXSS attempt.
SURROGATE_GUARD = """<script>
(() => {
  if (window.__bounceBackSurrogateGuard) return;
  window.__bounceBackSurrogateGuard = true;
  const high = (c) => c >= 0xD800 && 0xDBFF >= c;
  const low = (c) => c >= 0xDC00 && 0xDFFF >= c;
  const mend = (text) => {
    let out = "";
    let changed = false;
    for (let i = 0; text.length > i; i += 1) {
      const c = text.charCodeAt(i);
      if (high(c) && low(text.charCodeAt(i + 1))) {
        out += text[i] + text[i + 1];
        i += 1;
      } else if (high(c) || low(c)) {
        out += "\\uFFFD";
        changed = true;
      } else {
        out += text[i];
      }
    }
    return changed ? out : null;
  };
  document.addEventListener("input", (event) => {
    const box = event.target;
    const kind = box instanceof HTMLTextAreaElement ? HTMLTextAreaElement
      : box instanceof HTMLInputElement ? HTMLInputElement : null;
    if (!kind || !/[\\uD800-\\uDFFF]/.test(box.value)) return;
    const mended = mend(box.value);
    if (mended === null) return;
    // The prototype's setter, so React notices the change and sends the new text.
    Object.getOwnPropertyDescriptor(kind.prototype, "value").set.call(box, mended);
  }, true);
})();
</script>"""


def _install_surrogate_guard() -> None:
    # Drawn on every run (the script itself installs its listener once per page load),
    # in the sidebar, where its empty box takes no room from the page.
    st.sidebar.html(SURROGATE_GUARD, unsafe_allow_javascript=True)


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
    _install_surrogate_guard()
    saving.retry_pending()


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
