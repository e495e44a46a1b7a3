"""The HTTP side of the app, mounted by `app.py` through `st.App`: plain Starlette and
ASGI, no Streamlit session in sight.

- `web.routes`: the cookie routes (claim, refresh, clear) and `/healthz`.
- `web.cookies`: how a cookie is named and flagged for the request it answers.
- `web.origin`: what a request says about itself (scheme, host, origin, local or not).
- `web.bodies`: reading a small body without taking in a big one.
- `web.headers`: the security headers on every HTTP answer.
- `web.startup`: the warm-up before the first visitor (lifespan).

Nothing here logs a cookie, token or ticket.
"""
