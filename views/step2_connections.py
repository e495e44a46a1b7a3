"""Step 2: keep connections open — the reply, the people, the LinkedIn note."""

from __future__ import annotations

import streamlit as st

from core import drafts
from core.questionnaire import FIELDS_BY_KEY
from core.safe_html import escape_md
from ui import nav, state, step

spec = step.header("connections")
if not nav.require_candidate():
    st.stop()

answers = state.answers()

step.section(FIELDS_BY_KEY["rejection_reply"].label)
step.questions(spec, "reply")
reply = drafts.rejection_reply(answers)
reply_caption = (
    "A short, gracious reply keeps you in their minds for the next opening. Thank them, "
    "say you'd like to be considered again, and leave it there."
)
if answers.get("replied_to_rejection") == "yes" and not answers.get("rejection_reply"):
    with st.expander("The reply we drafted, for next time", icon=":material/edit_note:"):
        st.caption(reply_caption)
        step.message("rejection_reply", reply)
else:
    st.caption(reply_caption)
    step.message("rejection_reply", reply)

step.section(
    FIELDS_BY_KEY["contacts"].label,
    "Interviewers, the recruiter, anyone you got on with. Add their LinkedIn profile "
    "address if you have it (we check it looks like one) and a date to check in.",
)
step.questions(spec, "people", named_by_heading="contacts")

note = FIELDS_BY_KEY["linkedin_note"]
step.section(
    note.label, f"{note.help} Use the same note for each person, or change the name as you go."
)
step.message(
    note.key,
    drafts.Draft("", drafts.linkedin_note(answers, note.max_len)),
    limit=note.max_len,
    email=False,
)

profiles = [
    row for row in answers.get("contacts") or [] if isinstance(row, dict) and row.get("linkedin")
]
if profiles:
    st.caption("Open a profile to send the invitation:")
    columns = st.columns(min(len(profiles), 3))
    for index, row in enumerate(profiles):
        columns[index % len(columns)].link_button(
            escape_md(row.get("name") or "Profile"),
            row["linkedin"],
            icon=":material/person_add:",
        )

step.ratings(spec)
nav.next_button("connections")
