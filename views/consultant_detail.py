"""One shared reflection: the whole document, scores, contact details, notes, status."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import contact, document, journey, queue, review
from core.review import STATUS_LABELS
from core.safe_html import escape_md, render_markdown
from ui import charts, consultant, pages, state

session = consultant.require_consultant()
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
    review.record_view(store, session, rid)
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


def _open(other: int) -> None:
    st.session_state[consultant.SELECTED_KEY] = other
    st.session_state.pop(consultant.VIEWED_KEY, None)  # so the view is audited


def _mark_contacted() -> None:
    st.session_state[f"detail_status_{rid}"] = "contacted"
    _save_status()


previous, following = queue.neighbours(store, st.session_state.get("q_last_filters"), rid)
back, contacted, forward = st.columns(3)
back.button(
    "Previous",
    key="detail_previous",
    icon=":material/arrow_back:",
    disabled=previous is None,
    on_click=_open,
    args=(previous,),
    help="The reflection before this one in the queue, with your current filters.",
)
contacted.button(
    "Mark contacted",
    key=f"detail_contacted_{rid}",
    icon=":material/call:",
    disabled=reflection["review_status"] == "contacted",
    on_click=_mark_contacted,
)


def _save_follow_up(clear: bool = False) -> None:
    day = None if clear else st.session_state.get(f"detail_follow_up_{rid}")
    try:
        review.set_follow_up(store, session, rid, day)
    except review.NotFound as exc:
        st.session_state.detail_flash = ("error", str(exc))
        return
    label = document.when(day.isoformat()) if day else ""
    st.session_state.detail_flash = (
        ("success", f"Follow-up set for {label}.") if day else ("info", "Follow-up cleared.")
    )


forward.button(
    "Next",
    key="detail_next",
    icon=":material/arrow_forward:",
    disabled=following is None,
    on_click=_open,
    args=(following,),
    help="The reflection after this one in the queue, with your current filters.",
)


def _save_status() -> None:
    choice = st.session_state.get(f"detail_status_{rid}")
    try:
        changed = review.change_status(store, session, rid, choice)
    except (ValueError, review.NotFound) as exc:
        st.session_state.detail_flash = ("error", str(exc))
        return
    st.session_state.detail_flash = (
        ("success", f"Status changed to {STATUS_LABELS[choice]}.")
        if changed
        else ("info", "That was already the status, so nothing changed.")
    )


def _assign(assignee_id: int | None, label: str) -> None:
    try:
        review.assign(store, session, rid, assignee_id)
    except (ValueError, review.NotFound) as exc:
        st.session_state.detail_flash = ("error", str(exc))
        return
    st.session_state.detail_flash = ("success", label)


def _add_note() -> None:
    key = f"detail_note_{rid}"
    try:
        review.add_note(store, session, rid, st.session_state.get(key, ""))
    except (ValueError, review.NotFound) as exc:
        # The typed note stays in the box so nothing is lost.
        st.session_state.detail_note_error = str(exc)
        return
    st.session_state[key] = ""
    st.session_state.pop("detail_note_error", None)
    st.session_state.detail_flash = ("success", "Note added.")


flash = st.session_state.pop("detail_flash", None)
if flash:
    getattr(st, flash[0])(flash[1])

with st.container(border=True):
    status_col, assign_col = st.columns(2)
    with status_col:
        st.selectbox(
            "Status",
            list(STATUS_LABELS),
            index=list(STATUS_LABELS).index(reflection["review_status"]),
            format_func=STATUS_LABELS.get,
            key=f"detail_status_{rid}",
        )
        st.button("Update status", key=f"detail_status_save_{rid}", on_click=_save_status)
    with assign_col:
        current = reflection.get("assignee_display") or reflection.get("assignee_user")
        st.write(f"Assigned to: **{escape_md(current)}**" if current else "Not assigned yet")
        if reflection.get("assignee_id") != session.consultant_id:
            st.button(
                "Assign to me",
                key=f"detail_assign_me_{rid}",
                on_click=_assign,
                args=(session.consultant_id, "Assigned to you."),
            )
        others = {
            c["id"]: c["name"]
            for c in review.colleagues(store)
            if c["id"] not in (session.consultant_id, reflection.get("assignee_id"))
        }
        if others:
            colleague = st.selectbox(
                "Or a colleague",
                list(others),
                format_func=others.get,
                key=f"detail_colleague_{rid}",
            )
            st.button(
                "Assign to colleague",
                key=f"detail_assign_other_{rid}",
                on_click=_assign,
                # Names can come from single sign-on: st.success renders Markdown.
                args=(colleague, f"Assigned to {escape_md(others.get(colleague, 'them'))}."),
            )
        if reflection.get("assignee_id") is not None:
            st.button(
                "Unassign",
                key=f"detail_unassign_{rid}",
                on_click=_assign,
                args=(None, "No one is assigned now."),
            )

with st.container(border=True, key="detail_follow_up"):
    saved_day = reflection.get("follow_up_on")
    day_col, save_col, clear_col = st.columns([2, 1, 1], vertical_alignment="bottom")
    day_col.date_input(
        "Follow up on",
        value=dt.date.fromisoformat(saved_day) if saved_day else None,
        format="YYYY-MM-DD",
        key=f"detail_follow_up_{rid}",
        help="Reflections with a follow-up due are listed first on the queue page.",
    )
    save_col.button("Set follow-up", key=f"detail_follow_up_save_{rid}", on_click=_save_follow_up)
    clear_col.button(
        "Clear",
        key=f"detail_follow_up_clear_{rid}",
        disabled=not saved_day,
        on_click=_save_follow_up,
        args=(True,),
    )

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
    # Built and audited on each click (a deferred download), never on a page view.
    review.audited_download(
        store, session, "reflection markdown", lambda: markdown.encode("utf-8"), rid
    ),
    file_name=f"{'reflection' if shared else 'contact-request'}-{rid}.md",
    mime="text/markdown",
    icon=":material/download:",
    key=f"detail_md_{rid}",
    on_click="ignore",
)

st.subheader("Notes")
thread = review.notes(store, rid)
if not thread:
    st.caption("No notes yet. Notes are only seen by consultants.")
for note in thread:
    with st.container(border=True):
        st.caption(f"{escape_md(note['author'])} · {document.when(note['created_at'])}")
        st.html(f"<div>{render_markdown(document.text(note['body']))}</div>")
st.text_area(
    "Add a note", key=f"detail_note_{rid}", max_chars=None, placeholder="What happened, what next?"
)
if st.session_state.get("detail_note_error"):
    st.error(st.session_state.detail_note_error)
st.button("Add note", key=f"detail_note_add_{rid}", on_click=_add_note)

st.subheader("Status history")
history = review.status_history(store, rid)
if not history:
    st.caption("Still as it arrived: New.")
for change in history:
    if change["event"]:
        st.markdown(f"- {document.when(change['at'])}: {change['event']}")
        continue
    st.markdown(
        f"- {document.when(change['at'])}: {change['from_label']} → **{change['to_label']}** "
        f"by {escape_md(change['by'])}"
    )
