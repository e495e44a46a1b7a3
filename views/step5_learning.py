"""Step 5: every interview is a learning experience — strengths, wins, fit, resilience."""

from __future__ import annotations

import streamlit as st

from ui import fields, nav, step

spec = step.header("learning")
if not nav.require_candidate():
    st.stop()

step.section(
    "What went well",
    "Reaching interviews at all means someone saw something in you. Name it.",
)
left, right = st.columns(2)
with left:
    fields.field("strengths")
with right:
    fields.field("small_wins")

step.section("What you'll take into the next one")
fields.field(
    "fit_learned",
    height=140,
    placeholder="e.g. I want a team that ships often, and a manager who gives feedback.",
)
fields.field(
    "questions_next_time",
    height=140,
    placeholder="e.g. What does success look like in the first six months?",
)

step.ratings(
    spec,
    "Be honest with yourself; some of these are meant to catch the heavy thoughts that "
    "come after a no. Your answers stay private unless you choose to share them.",
)
fields.field("final_rejections_6m")
st.caption("Counting this one. It helps us see whether a conversation might be useful.")

nav.next_button("learning")
