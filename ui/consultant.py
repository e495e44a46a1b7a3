"""Consultant login state: who is logged in, the page guard, logout, single sign-on.

A login is a row in `consultant_sessions` (core/staff_sessions.py) and an HttpOnly,
SameSite=Strict cookie of its own, so reloads and extra tabs stay logged in. Every run
checks the row: idle and absolute timeouts, logout in any tab, a disabled account or a
new password end it at the next request. `st.session_state` only caches the row id
and the `core.staff_sessions.StaffSession` for the pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec
from urllib.parse import urlsplit

import streamlit as st

from core import review, sso, staff_sessions
from core.safe_html import escape_md
from core.staff_sessions import LoginResult, SessionEnded, StaffSession
from core.store import STORE_ERRORS
from ui import browser, pages, state
from ui.step import page_styles

SESSION_KEY = "consultant"
NOTICE_KEY = "consultant_notice"
SELECTED_KEY = "selected_reflection"
VIEWED_KEY = "reflection_view_logged"
SSO_CHECKED_KEY = "sso_checked"
ROW_KEY = "consultant_session_row"
COOKIE_CHECKED_KEY = "consultant_cookie_checked"
# How often an open consultant page checks, without counting as activity, whether the
# session has ended, so an unattended screen stops showing reflections by itself.
IDLE_CHECK_SECONDS = 15
# Set for one run when a timeout or a disabled account ends the session.
JUST_ENDED_KEY = "consultant_session_just_ended"

ENDED = {
    "idle": "You were away for a while, so we logged you out to keep candidates' answers "
    "safe. Please log in again.",
    "absolute": "Your session reached its time limit, so we logged you out. Please log in again.",
    "disabled": "This account has been disabled, so you've been logged out.",
    "logout": "You've been logged out (from this or another tab). Please log in again.",
    "password": "The password for this account was changed, so you've been logged out. "
    "Please log in again.",
    "unknown": "Your session has ended. Please log in again.",
}


def sso_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an `[auth]` section for OIDC."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _sso_identity() -> dict[str, object] | None:
    if not sso_configured():
        return None
    try:
        if not st.user.is_logged_in:
            return None
        return {claim: st.user.get(claim) for claim in sso.SSO_CLAIMS if claim in st.user}
    except Exception:  # st.user unavailable (e.g. running outside a server)
        return None


def _try_sso() -> StaffSession | None:
    """Turn a fresh single sign-on identity into a consultant session, once per session.

    An identity the provider issued too long ago (Streamlit keeps it for 30 days) starts
    nothing: the notice asks the consultant to go through the provider again."""
    if st.session_state.get(SSO_CHECKED_KEY):
        return None
    identity = _sso_identity()
    if identity is None:
        return None
    st.session_state[SSO_CHECKED_KEY] = True
    result = sso.sso_login(state.store(), identity, state.settings())
    if result.session is None:
        st.session_state[NOTICE_KEY] = result.message
        return None
    begin(result)
    return result.session


def _row_from_cookie() -> int | None:
    """Once per session: the session row behind this browser's consultant cookie."""
    if st.session_state.get(COOKIE_CHECKED_KEY):
        return None
    st.session_state[COOKIE_CHECKED_KEY] = True
    return staff_sessions.staff_row_for_token(
        state.store(), browser.cookie(staff_sessions.STAFF_COOKIE)
    )


def current_consultant() -> StaffSession | None:
    """The logged-in consultant, or None. Ends sessions that have ended on the server."""
    row_id = st.session_state.get(ROW_KEY)
    from_cookie = False
    if row_id is None:
        row_id = _row_from_cookie()
        from_cookie = row_id is not None
        if row_id is None:
            return _try_sso()
    result = staff_sessions.use_staff_session(state.store(), row_id, state.settings())
    if isinstance(result, str):
        was_here = SESSION_KEY in st.session_state
        _forget()
        quiet = from_cookie and result in ("logout", "unknown")
        if not quiet:
            st.session_state[NOTICE_KEY] = ENDED.get(result, ENDED["unknown"])
        if (was_here or from_cookie) and _sso_identity() is not None:
            st.logout()
        if was_here or (not quiet and _on_consultant_page()):
            # The frame keeps the consultant pages for this one run, so the page they
            # were on (also after a reload) still opens and explains what happened, with
            # a login link, instead of Streamlit's "Page not found".
            st.session_state[JUST_ENDED_KEY] = True
        # The dead cookie stays until its own expiry, so a reload explains this again.
        return None
    st.session_state[ROW_KEY] = row_id
    st.session_state[SESSION_KEY] = result
    return result


def _on_consultant_page() -> bool:
    """Whether the address bar points at a consultant page (after a reload, say)."""
    try:
        path = urlsplit(st.context.url or "").path
    except Exception:  # no browser behind this session
        return False
    return path.rstrip("/").rsplit("/", 1)[-1] in {spec.url_path for spec in pages.WORKSPACE}


def begin(login: LoginResult) -> None:
    """A login that just succeeded (its session row is open): the cookie on the way."""
    assert login.session is not None
    st.session_state[ROW_KEY] = login.session.row_id
    st.session_state[SESSION_KEY] = login.session
    st.session_state.pop(NOTICE_KEY, None)
    browser.call("staff", "claim", {"kind": "staff", "ticket": login.ticket})


def _forget() -> None:
    # The queue's widgets start "q_", the reflection page's "detail_".
    state.drop((SESSION_KEY, SELECTED_KEY, VIEWED_KEY, ROW_KEY), ("q_", "detail_"))


def logout() -> None:
    """Log out everywhere: every session of this consultant ends at its next request."""
    session = st.session_state.get(SESSION_KEY)
    if session is not None:
        staff_sessions.log_out(state.store(), session)
    _forget()
    browser.call("staff", "clear", {"kind": "staff"})
    st.session_state[NOTICE_KEY] = "You've logged out. Thank you for looking after our candidates."
    if session is not None and session.via_sso and _sso_identity() is not None:
        st.logout()
    pages.go(pages.STAFF_LOGIN)


@st.fragment(run_every=IDLE_CHECK_SECONDS)
def _watch_for_end() -> None:
    # Reads the row only (no activity), so an idle screen really does time out.
    row_id = st.session_state.get(ROW_KEY)
    if row_id is None:
        return
    if staff_sessions.staff_session_state(state.store(), row_id, state.settings()) is not None:
        st.rerun(scope="app")


def live_check() -> Callable[[], None]:
    """This session's server-side check, bound now so it also works outside a script run
    (a deferred download's producer runs with no session state). Raises SessionEnded."""
    store, settings, row_id = state.store(), state.settings(), st.session_state.get(ROW_KEY)

    def check() -> None:
        staff_sessions.require_live_staff_session(store, row_id, settings)

    return check


def require_live_session() -> None:
    """Raise SessionEnded unless this consultant's session row is valid right now."""
    live_check()()


Params = ParamSpec("Params")


ACTION_NOT_SAVED = (
    "The database did not answer just now, so nothing was changed. Please try again in a moment."
)


def action(callback: Callable[Params, None]) -> Callable[Params, None]:
    """Every consultant button's callback goes through this. Callbacks run before the
    page script and its login check, so an open tab of a disabled or logged-out
    consultant would otherwise still save: here the session row is read first, and an
    ended session does nothing and is told why on the run that follows."""

    @functools.wraps(callback)
    def run(*args: Params.args, **kwargs: Params.kwargs) -> None:
        try:
            require_live_session()
            callback(*args, **kwargs)
        except SessionEnded as ended:
            st.session_state[NOTICE_KEY] = ENDED.get(ended.reason, ENDED["unknown"])
        except STORE_ERRORS:
            # A locked or unreachable database: say so where the page shows its outcome
            # (the reflection page, which holds every wrapped button) instead of failing.
            st.session_state.detail_flash = ("error", ACTION_NOT_SAVED)

    return run


def audited_download(
    session: StaffSession,
    what: str,
    build: Callable[[], bytes],
    reflection_id: int | None = None,
) -> Callable[[], bytes]:
    """`data` for a consultant's st.download_button (with `on_click="ignore"`): on each
    click it checks the session row, then audits, then builds; an ended session gets an
    error and no file (see `core.review.audited_download`)."""
    return review.audited_download(
        state.store(), session, what, build, reflection_id, still_live=live_check()
    )


def login_link() -> None:
    # A page run on its own, outside app.py's navigation, gets the address instead.
    pages.link(pages.STAFF_LOGIN, "Go to the staff login", fallback="The staff login is at /staff.")


def require_consultant() -> StaffSession:
    """Guard at the top of every consultant page: shows only a login link unless logged in."""
    session = current_consultant()
    if session is None:
        notice = st.session_state.get(NOTICE_KEY)
        st.info(
            notice or "This page is for the agency's consultants. Please log in first.",
            icon=":material/lock:",
        )
        login_link()
        st.stop()
    with st.sidebar:
        # Logging out is the last entry of the navigation above.
        st.caption(f"Logged in as **{escape_md(session.display_name)}**")
        _watch_for_end()
    page_styles()  # the same visible focus ring as the candidate pages
    return session


def open_reflection(reflection_id: int) -> None:
    """Show this reflection on the detail page (query params do not survive navigation)."""
    st.session_state[SELECTED_KEY] = int(reflection_id)
    st.session_state.pop(VIEWED_KEY, None)
    pages.go(pages.REFLECTION)
