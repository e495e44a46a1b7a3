"""The browser's side of sessions that outlive a tab: cookies in, cookie calls out.

A script run can read cookies (`st.context.cookies`) but not set them. To set or clear
one, the page makes a same-origin POST to a route in `web/routes.py`; the small script
that does it is drawn by `draw_cookie_calls()` in the frame, one slot per cookie. A
slot is replaced, never removed, for the rest of the session: removing an element from
the top of the page shifts every widget below it, and the browser would redraw the box
someone is typing in. A redraw with the same body does not run the script again; if it
does (a page change), a spent ticket gets nothing.
"""

from __future__ import annotations

import json

import streamlit as st

from core import devices, journey
from ui import nav, pages, state
from web.cookies import cookie_name
from web.origin import is_local_host

CALLS_KEY = "cookie_calls"
DEVICE_ROW_KEY = "device_row"
DEVICE_CHECKED_KEY = "device_checked"
NOTICE_KEY = "device_notice"

EXPIRED_NOTICE = (
    "It's been a while, so this browser no longer remembers your reflection. Your resume "
    "code still opens it."
)


def cookie(base: str) -> str | None:
    """The app's cookie called `base`, by the name it has on this host (`web.cookies`:
    `__Host-` prefixed except on this machine)."""
    try:
        host = st.context.headers.get("Host") or ""
        value = st.context.cookies.get(cookie_name(base, local=is_local_host(host)))
    except Exception:  # no browser behind this session (AppTest, bare mode)
        return None
    return value if isinstance(value, str) else None


def _route(name: str) -> str:
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/_bb/{name}" if base else f"/_bb/{name}"


def call(slot: str, route: str, payload: dict[str, str]) -> None:
    """Ask the browser to POST `payload` to a cookie route (replaces the slot's last call)."""
    st.session_state.setdefault(CALLS_KEY, {})[slot] = (route, payload)


def draw_cookie_calls() -> None:
    calls = st.session_state.get(CALLS_KEY) or {}
    for route, payload in calls.values():
        # json.dumps of server-made values only (routes and random tickets), never user
        # text. `framed` tells the route whether this page sits in someone's iframe (the
        # blog), where the cookie must be a partitioned third-party one.
        st.html(
            "<script>fetch("
            + json.dumps(_route(route))
            + ", {method: 'POST', credentials: 'same-origin', keepalive: true, "
            "headers: {'Content-Type': 'application/json'}, body: JSON.stringify("
            "Object.assign("
            + json.dumps(payload)
            + ", {framed: window.top !== window.self}))}).catch(() => {});</script>",
            unsafe_allow_javascript=True,
            width=1,
        )


# ------------------------------------------------------------------ candidate


def restore_candidate() -> None:
    """Once per session: a browser that remembers a candidate opens their reflection."""
    if st.session_state.get(DEVICE_CHECKED_KEY):
        return
    st.session_state[DEVICE_CHECKED_KEY] = True
    token = cookie(devices.DEVICE_COOKIE)
    if token is None or state.candidate() is not None:
        return
    match = devices.check_device(state.store(), token)
    if isinstance(match, devices.DeviceMatch):
        nav.switch_to(journey.Session(match.candidate_id, match.reflection_id))
        st.session_state[DEVICE_ROW_KEY] = (match.candidate_id, match.token_id)
        call("device", "refresh", {})
    elif match == "expired":
        st.session_state[NOTICE_KEY] = EXPIRED_NOTICE
    # Forged, malformed, revoked or deleted: a fresh start, saying nothing.


def remember_candidate() -> None:
    """Once a candidate is in (consent given), give this browser a token for them."""
    session = state.candidate()
    if session is None:
        return
    remembered = st.session_state.get(DEVICE_ROW_KEY)
    if remembered is not None and remembered[0] == session.candidate_id:
        return
    row_id, ticket = devices.issue_device_claim(state.store(), session.candidate_id)
    st.session_state[DEVICE_ROW_KEY] = (session.candidate_id, row_id)
    call("device", "claim", {"kind": "device", "ticket": ticket})


def forget_this_browser() -> None:
    """Revoke this browser's token, clear its cookie and end the candidate's session."""
    remembered = st.session_state.pop(DEVICE_ROW_KEY, None)
    if remembered is not None:
        devices.revoke_device(state.store(), remembered[1])
    call("device", "clear", {"kind": "device"})
    state.forget_candidate()
    st.session_state["browser_forgotten"] = True


def after_data_deleted() -> None:
    """Deleting the data removed every token; this browser's cookie goes too."""
    st.session_state.pop(DEVICE_ROW_KEY, None)
    call("device", "clear", {"kind": "device"})


def forget_button(key: str) -> None:
    """'Forget this browser', for shared computers."""
    if st.button(
        "Forget this browser",
        key=key,
        icon=":material/logout:",
        help="For shared computers: this browser stops opening your reflection by itself. "
        "Your answers stay saved under your resume code.",
    ):
        forget_this_browser()
        pages.go(pages.WELCOME)


def notices() -> None:
    """One-line notices about this browser, shown once on the page the visitor opened."""
    if st.session_state.pop("browser_forgotten", False):
        st.info(
            "This browser has forgotten you. Your answers are still saved: your resume code "
            "opens them on any device.",
            icon=":material/logout:",
        )
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice, icon=":material/info:")
