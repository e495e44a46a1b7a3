"""Step 2: keep connections open — the reply, the people, the LinkedIn note."""

from __future__ import annotations

import streamlit as st

from core import drafts
from core.questionnaire import LINKEDIN_NOTE_LIMIT
from core.safe_html import escape_md
from ui import fields, nav, state, step

spec = step.header("connections")
if not nav.require_candidate():
    st.stop()

answers = state.answers()

step.section("Your reply to the rejection")
fields.field("replied_to_rejection")
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
    "People worth staying in touch with",
    "Interviewers, the recruiter, anyone you got on with. Add their LinkedIn profile "
    "address if you have it (we check it looks like one) and a date to check in.",
)
fields.field("contacts")

step.section(
    "Your LinkedIn invitation note",
    f"LinkedIn allows {LINKEDIN_NOTE_LIMIT} characters in a note. The counter under the "
    "box shows how many you have left.",
)
# The widget's max_chars gives the live counter and stops typing at the limit; the limit
# itself is checked in core on save, and the page says so plainly when text is too long.
note = step.message(
    "linkedin_note",
    drafts.Draft("", drafts.linkedin_note(answers)),
    height=130,
    max_chars=LINKEDIN_NOTE_LIMIT,
    email=False,
)
over = drafts.note_overflow(note)
if over:
    st.error(
        f"This note is {over} characters over LinkedIn's {LINKEDIN_NOTE_LIMIT}. Please "
        "shorten it; your last saved version is kept.",
        icon=":material/error:",
    )
elif len(note) == LINKEDIN_NOTE_LIMIT:
    st.warning(
        f"That's the full {LINKEDIN_NOTE_LIMIT} characters. Anything pasted beyond that was "
        "cut off, so check the end still reads well.",
        icon=":material/warning:",
    )
else:
    st.caption(f"{len(note)} of {LINKEDIN_NOTE_LIMIT} characters.")

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
