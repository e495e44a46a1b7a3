"""Consultant login state: who is logged in, the page guard, logout, single sign-on.

The session lives in `st.session_state` as a `core.auth.ConsultantSession`; every run
checks it against the idle and absolute timeouts and that the account is still enabled.
"""

from __future__ import annotations

import streamlit as st

from core import auth
from core.auth import ConsultantSession
from core.safe_html import escape_md
from ui import state

SESSION_KEY = "consultant"
NOTICE_KEY = "consultant_notice"
SELECTED_KEY = "selected_reflection"
VIEWED_KEY = "reflection_view_logged"
SSO_CHECKED_KEY = "sso_checked"
# Set for one run when a timeout or a disabled account ends the session.
JUST_ENDED_KEY = "consultant_session_just_ended"
LOGIN_PAGE = "views/staff_login.py"
QUEUE_PAGE = "views/consultant_queue.py"
DETAIL_PAGE = "views/consultant_detail.py"
OVERVIEW_PAGE = "views/consultant_overview.py"

ENDED = {
    "idle": "You were away for a while, so we logged you out to keep candidates' answers "
    "safe. Please log in again.",
    "absolute": "Your session reached its time limit, so we logged you out. Please log in again.",
    "disabled": "This account has been disabled, so you've been logged out.",
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
        return {claim: st.user.get(claim) for claim in auth.SSO_CLAIMS if claim in st.user}
    except Exception:  # st.user unavailable (e.g. running outside a server)
        return None


def _try_sso() -> ConsultantSession | None:
    """Turn a fresh single sign-on identity into a consultant session, once per session."""
    if st.session_state.get(SSO_CHECKED_KEY):
        return None
    identity = _sso_identity()
    if identity is None:
        return None
    st.session_state[SSO_CHECKED_KEY] = True
    result = auth.sso_login(state.store(), identity, state.settings())
    if result.session is None:
        st.session_state[NOTICE_KEY] = result.message
        return None
    st.session_state[SESSION_KEY] = result.session
    return result.session


def current_consultant() -> ConsultantSession | None:
    """The logged-in consultant, or None. Ends sessions that timed out or were disabled."""
    session = st.session_state.get(SESSION_KEY)
    if session is None:
        return _try_sso()
    refreshed, reason = auth.validate_session(state.store(), session, state.settings())
    if refreshed is None:
        _forget()
        st.session_state[NOTICE_KEY] = ENDED.get(reason or "", ENDED["idle"])
        if session.via_sso and _sso_identity() is not None:
            st.logout()
        # app.py keeps the consultant pages for this one run, so the page they were on
        # still opens and explains what happened (with a login link) instead of
        # Streamlit's "Page not found".
        st.session_state[JUST_ENDED_KEY] = True
        return None
    st.session_state[SESSION_KEY] = refreshed
    return refreshed


def begin(session: ConsultantSession) -> None:
    st.session_state[SESSION_KEY] = session
    st.session_state.pop(NOTICE_KEY, None)


def _forget() -> None:
    for key in list(st.session_state.keys()):
        if key in (SESSION_KEY, SELECTED_KEY, VIEWED_KEY) or str(key).startswith(("q_", "detail_")):
            del st.session_state[key]


def logout() -> None:
    session = st.session_state.get(SESSION_KEY)
    if session is not None:
        auth.logout(state.store(), session)
    _forget()
    st.session_state[NOTICE_KEY] = "You've logged out. Thank you for looking after our candidates."
    if session is not None and session.via_sso and _sso_identity() is not None:
        st.logout()
    st.switch_page(LOGIN_PAGE)


def login_link() -> None:
    page = st.session_state.get("pages", {}).get("login")
    if page is None:  # the page was run on its own, outside app.py's navigation
        st.caption("The staff login is at /staff.")
        return
    st.page_link(page, label="Go to the staff login", icon=":material/lock:")


def require_consultant() -> ConsultantSession:
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
        st.caption(f"Logged in as **{escape_md(session.display_name)}**")
        if st.button("Log out", key="sidebar_logout", icon=":material/logout:"):
            logout()
    return session


def open_reflection(reflection_id: int) -> None:
    """Show this reflection on the detail page (query params do not survive navigation)."""
    st.session_state[SELECTED_KEY] = int(reflection_id)
    st.session_state.pop(VIEWED_KEY, None)
    st.switch_page(DETAIL_PAGE)
