"""Log out (the last entry of a consultant's navigation): a button that logs out everywhere.

Opening the page does nothing by itself, so another site sending the browser to /logout
cannot log a consultant out; only the click does.
"""

from __future__ import annotations

import streamlit as st

from ui import consultant

consultant.require_consultant()

st.title("Log out")
st.write("This ends your session in every tab and browser where you're logged in.")
if st.button("Log out", key="logout_confirm", type="primary", icon=":material/logout:"):
    consultant.logout()
