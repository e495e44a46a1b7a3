"""Welcome: what this is, privacy, consent, start or resume, and the context questions."""

from __future__ import annotations

import streamlit as st

from core.questionnaire import STEPS
from ui import browser, fields, last_time_page, nav, state, welcome_page
from ui.step import page_styles

settings = state.settings()

st.title("Bounce back from a job rejection")
page_styles()
st.write(
    "Hearing no after you've put real effort into interviews is hard, and it's normal to "
    "feel flat. This guide turns that experience into a plan: five steps, about 15 to 20 "
    "minutes in all (stop and come back any time, everything saves as you go), and you "
    "leave with messages you can send today."
)
with st.container(border=True):
    st.markdown(
        "\n".join(f"{s.number}. **{s.title}**: {s.gist}" for s in STEPS)
        + "\n\nThen **My plan** gathers it all: your actions, your messages, and where you "
        "stand."
    )

with st.expander("How we look after your answers", icon=":material/shield:"):
    st.write(
        f"Your answers are stored by {settings.agency_name} only so you can come back to "
        "them. No account, no tracking cookies, no advertising. Nobody at the agency sees "
        "them unless you choose to send your reflection for review on My plan. You can "
        "delete everything at any time."
    )
    st.link_button("Privacy policy", settings.privacy_url, icon=":material/open_in_new:")


session = state.candidate()

if session is None:
    welcome_page.start_or_resume()
    st.stop()

new_code = st.session_state.get("new_code")
resume_code = st.session_state.get("resume_code")
if st.session_state.pop("new_reflection_started", False):
    st.success(
        "A fresh reflection has started for this rejection. Your earlier ones are kept, and "
        "My plan shows how your confidence has moved over time.",
        icon=":material/add_circle:",
    )
elif new_code:
    st.success("You're all set. Your answers now save as you go.", icon=":material/check:")
else:
    st.success("Welcome back. Everything you saved is here.", icon=":material/history:")

if resume_code:
    welcome_page.resume_code_box(resume_code)

st.caption("This browser remembers you, so a reload or a new tab brings you straight back.")
browser.forget_button("forget_browser_welcome")

if not new_code:
    welcome_page.new_reflection_box(session)

last_time_page.since_last_time(session)

st.header("A little context", divider="gray")
st.caption("This shapes the messages we draft for you. Everything saves as you type.")
fields.field("own_name", placeholder="e.g. Maya Patel")
left, right = st.columns(2)
with left:
    fields.field("company", placeholder="e.g. Acme Ltd")
with right:
    fields.field("role", placeholder="e.g. Data Analyst")
fields.field("stage_reached")
left, right = st.columns(2)
with left:
    fields.field("news_date")
with right:
    fields.field("news_channel")

nav.next_button("welcome")
