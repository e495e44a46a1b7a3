"""Who is asking: the key the per-client limits count this session against.

Streamlit gives the websocket peer's address (`st.context.ip_address`; None for
localhost, and its server has already taken X-Forwarded-For from a proxy on 127.0.0.1
or ::1) and the handshake's headers. `core.limits.client_key` decides what to trust.
"""

from __future__ import annotations

import streamlit as st

from core.limits import LOCAL_CLIENT, client_key
from ui import state


def key() -> str:
    """This session's client: its address (IPv6: its /64), or LOCAL_CLIENT when unknown
    (a session on the server's own machine, or AppTest, whose `ip_address` is a mock)."""
    try:
        peer = st.context.ip_address
        forwarded = st.context.headers.get_all("X-Forwarded-For")
    except (AttributeError, RuntimeError):
        return LOCAL_CLIENT
    if not isinstance(peer, str):  # None, or AppTest's stand-in for a connection
        return LOCAL_CLIENT
    hops = ", ".join(h for h in forwarded if isinstance(h, str)) if forwarded else ""
    return client_key(peer, hops or None, state.settings().trusted_proxies)
