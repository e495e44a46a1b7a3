"""Step 1: ask for feedback — where they are, a drafted request, what came back."""

from __future__ import annotations

import streamlit as st

from core import drafts
from core.questionnaire import FIELDS_BY_KEY
from ui import nav, state, step

spec = step.header("feedback")
if not nav.require_candidate():
    st.stop()

answers = state.answers()

step.section("Where you are with it")
step.questions(spec, "where", columns=2)

status = answers.get("feedback_status")
has_request = bool(answers.get("feedback_request"))
has_feedback = bool(answers.get("feedback_received") or answers.get("action_points"))

suggestion = drafts.feedback_request(answers, state.settings().agency_name)
request_caption = (
    "Short, warm and specific works best. Say plainly that you want points you can act on."
)
if status == "received":
    # They have the feedback: a thank-you is the message to send now, not another ask.
    step.section(
        "Say thank you",
        "A two-line thank-you for the feedback leaves a good last impression.",
    )
    step.message("feedback_thanks", drafts.feedback_thanks(answers))
elif status in (None, "not_yet", "planning") or has_request:
    step.section(FIELDS_BY_KEY["feedback_request"].label, request_caption)
    step.message("feedback_request", suggestion)
else:
    # They have already asked: keep the draft within reach without crowding the page.
    with st.expander("The feedback request we drafted", icon=":material/edit_note:"):
        st.caption(request_caption)
        step.message("feedback_request", suggestion)

received_intro = {
    "received": "Well done for asking. Note down what they said while it's fresh, then "
    "pick up to three points to work on.",
    "declined": "Not everyone shares feedback, and that says nothing about you. You can "
    "still pick up to three things to work on from your own reflection.",
    "asked": "While you wait, it's fine to leave this. Come back when their reply arrives.",
}
if status in ("received", "declined") or has_feedback:
    step.section("What came back", received_intro.get(status, ""))
    # Declined: nothing came back to note, unless they already noted something.
    nothing_came = status == "declined" and not answers.get("feedback_received")
    step.questions(spec, "came_back", skip=("feedback_received",) if nothing_came else ())
else:
    label = (
        "When their reply arrives, note it here"
        if status == "asked"
        else "Already heard back? Note it here"
    )
    with st.expander(label, icon=":material/inbox:"):
        st.caption(received_intro.get(status or "", "This can wait until you have it."))
        step.questions(spec, "came_back")

step.ratings(spec)
nav.next_button("feedback")
