"""One shared reflection: the whole document, scores, contact details, notes, status."""

from __future__ import annotations

import streamlit as st

from core import contact, document, journey, review
from core.safe_html import escape_md, render_markdown
from ui import charts, consultant, pages, reflection_page, state

staff = consultant.require_consultant()
store = state.store()

pages.link(pages.QUEUE, "Back to the queue", icon=":material/arrow_back:")
rid = st.session_state.get(consultant.SELECTED_KEY)
if rid is None:
    st.info("Choose a reflection in the queue to read it here.", icon=":material/inbox:")
    st.stop()
try:
    reflection = review.submitted_reflection(store, rid)
except review.NotFound as exc:
    st.warning(str(exc), icon=":material/warning:")
    st.stop()

if st.session_state.get(consultant.VIEWED_KEY) != rid:
    review.record_view(store, staff, rid)
    st.session_state[consultant.VIEWED_KEY] = rid

# What the candidate shared (a snapshot), never their live answers; nothing at all for a
# contact request from someone who did not share.
shared = journey.is_shared(reflection)
answers = journey.shared_answers(reflection)
contacts = contact.requests_for(store, rid)
if shared:
    markdown = document.reflection_markdown(reflection, answers, contacts)
    body_html = document.reflection_html(reflection, answers, contacts, title=False, scores=False)
else:
    markdown = document.contact_request_markdown(reflection, contacts)
    body_html = render_markdown(
        document.contact_request_markdown(reflection, contacts, title=False)
    )

st.title(escape_md(document.heading(reflection)) if shared else f"Contact request #{rid}")
with st.container(key="detail_summary"):
    st.info(
        " · ".join(escape_md(part) for part in document.summary(reflection, answers, contacts)),
        icon=":material/summarize:",
    )


reflection_page.neighbours(staff, rid, reflection)
reflection_page.response_time(rid, reflection)
reflection_page.flash()
reflection_page.status_and_assignment(staff, rid, reflection)
reflection_page.follow_up(staff, rid, reflection)

rows = document.score_rows(reflection)
if rows:
    # The same chart the candidate saw on My plan, with the scores stored when shared.
    # The scores appear here once; the document below leaves its score table out.
    overall = reflection.get("overall")
    st.caption(
        "Scores per step when the reflection was shared"
        + (f" (overall {round(overall)} / 100)" if overall is not None else "")
    )
    st.vega_lite_chart(charts.spec("dimensions", rows))

with st.container(border=True, key="reflection_document"):
    st.html(body_html)

st.download_button(
    "Download as Markdown",
    # Built and audited on each click (a deferred download) of a live session, never on
    # a page view.
    consultant.audited_download(staff, "reflection markdown", lambda: markdown.encode(), rid),
    file_name=f"{'reflection' if shared else 'contact-request'}-{rid}.md",
    mime="text/markdown",
    icon=":material/download:",
    key=f"detail_md_{rid}",
    on_click="ignore",
)

reflection_page.notes(staff, rid)
reflection_page.status_history(rid)
