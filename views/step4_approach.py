"""Step 4: review your approach — stage confidence, better answers, improvements."""

from __future__ import annotations

import streamlit as st

from ui import answer_bank_page, nav, step

spec = step.header("approach")
if not nav.require_candidate():
    st.stop()

step.section(
    "Stage by stage",
    "Add a card for each stage you went through and how confident you felt there, from "
    "1 (shaky) to 5 (at my best). The weakest one is where practice pays off most.",
)
step.questions(spec, "stages")

step.section(
    "Questions that caught you out",
    "Write each question down, then sketch a better answer in STAR form: the Situation, "
    "the Task you had, the Action you took, and the Result. Even a few words in each box "
    "helps next time.",
)
with st.expander("An example of a STAR answer", icon=":material/lightbulb:"):
    st.markdown(
        "- **Question**: Tell us about a time you handled a difficult stakeholder.\n"
        "- **Situation**: A client kept changing the brief two weeks before launch.\n"
        "- **Task**: Deliver on time without losing the relationship.\n"
        "- **Action**: Set up a short weekly check-in and agreed a change cut-off.\n"
        "- **Result**: Launched on the date; the client extended the contract."
    )
step.questions(spec, "questions")
answer_bank_page.step4_offers()

step.section(
    "What you'll do differently",
    "Up to three concrete changes, each with a date, so they end up in your plan.",
)
step.questions(spec, "improvements")

step.ratings(spec)
nav.next_button("approach")
