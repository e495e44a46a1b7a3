"""Step 5: every interview is a learning experience — strengths, wins, fit, resilience."""

from __future__ import annotations

import streamlit as st

from ui import nav, step

spec = step.header("learning")
if not nav.require_candidate():
    st.stop()

step.section(
    "What went well",
    "Reaching interviews at all means someone saw something in you. Name it.",
)
step.questions(spec, "went_well", columns=2)

step.section("What you'll take into the next one")
step.questions(spec, "next_time")

step.ratings(
    spec,
    "Be honest with yourself; some of these are meant to catch the heavy thoughts that "
    "come after a no. Your answers stay private unless you choose to share them.",
)
st.caption("Counting this one. It helps us see whether a conversation might be useful.")

nav.next_button("learning")
