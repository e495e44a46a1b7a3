"""Staff login (hidden page at /staff): password form, optional single sign-on, logout."""

from __future__ import annotations

import streamlit as st

from core import password_login
from core.safe_html import escape_md
from ui import client, consultant, pages, state
from ui.step import page_styles

staff = consultant.current_consultant()
if staff is not None and st.session_state.pop("after_login", False):
    pages.go(pages.QUEUE)

st.title("Staff login")
page_styles()

if staff is not None:
    st.success(f"You're logged in as **{escape_md(staff.display_name)}**.")
    pages.link(pages.QUEUE, "Open the review queue")
    pages.link(pages.OVERVIEW, "See the overview")
    if st.button("Log out", key="login_logout", icon=":material/logout:"):
        consultant.logout()
    st.stop()

st.write(
    "This area is for the agency's consultants, who review reflections candidates chose "
    "to share. If you're working through your own reflection, head back to the Welcome page."
)
notice = st.session_state.pop(consultant.NOTICE_KEY, None)
if notice:
    st.info(notice, icon=":material/info:")

if st.session_state.pop("login_clear_password", False):
    # Set before the widget exists: a refused password never stays in the box.
    st.session_state["login_password"] = ""

with st.form("login_form"):
    username = st.text_input("Username", key="login_username", autocomplete="username")
    password = st.text_input(
        "Password", type="password", key="login_password", autocomplete="current-password"
    )
    submitted = st.form_submit_button("Log in", type="primary")

if submitted:
    result = password_login.authenticate(
        state.store(), username, password, state.settings(), client=client.key()
    )
    st.session_state["login_clear_password"] = True
    if result.session is not None:
        consultant.begin(result)
        st.session_state["after_login"] = True
    else:
        st.session_state["login_error"] = result.message
    # Rerun so ui/frame.py rebuilds the navigation with the consultant pages in it (or, after
    # a refusal, so the password box is emptied).
    st.rerun()

login_error = st.session_state.pop("login_error", None)
if login_error:
    st.error(login_error, icon=":material/error:")

if consultant.sso_configured():
    st.divider()
    st.caption("Or use your work account:")
    if st.button("Sign in with single sign-on", icon=":material/key:"):
        st.login()
    # Signed in with the identity provider but not admitted (the notice says why).
    if st.user.is_logged_in and st.button("Sign out of single sign-on", key="sso_logout"):
        st.logout()
