"""Bounce Back: the entry `streamlit run app.py` starts.

Streamlit runs this file as the app script of every session, under the name
`__main__` (AppTest does the same): it draws the shared frame. The server imports it
once as a module (`streamlit run` finds `app = st.App(...)` below and serves it with
uvicorn): that adds the HTTP side from `web/` (the cookie routes and `/healthz`, the
security headers, the start-up warm-up) around the Streamlit app.
"""

from __future__ import annotations

import streamlit as st

if __name__ == "__main__":
    from ui import frame

    frame.draw()
else:
    from web import headers, routes, startup

    _base = str(st.get_option("server.baseUrlPath") or "")
    app = st.App(
        "app.py",
        routes=routes.make_routes(_base),
        middleware=headers.make_middleware(_base),
        lifespan=startup.lifespan,
    )
