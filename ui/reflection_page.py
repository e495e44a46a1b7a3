"""Sections of a consultant's reflection page, so views/consultant_detail.py reads like it.

Every change goes through `core.review` (which audits it) in a button callback, and
leaves one line for the page to show on its next run (`flash`). Every callback is a
`consultant.action`: it checks the session row on the server first, since callbacks run
before the page's own login check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from core import clock, document, queue, review, targets
from core.review import STATUS_LABELS
from core.safe_html import escape_md, render_markdown
from core.staff_sessions import StaffSession
from ui import consultant, state


@consultant.action
def _open(other: int) -> None:
    st.session_state[consultant.SELECTED_KEY] = other
    st.session_state.pop(consultant.VIEWED_KEY, None)  # so the view is audited


@consultant.action
def _save_status(session: StaffSession, rid: int) -> None:
    _change_status(session, rid)


def _change_status(session: StaffSession, rid: int) -> None:
    choice = st.session_state.get(f"detail_status_{rid}")
    try:
        changed = review.change_status(state.store(), session, rid, choice)
    except (ValueError, review.NotFound) as exc:
        st.session_state.detail_flash = ("error", str(exc))
        return
    st.session_state.detail_flash = (
        ("success", f"Status changed to {STATUS_LABELS[choice]}.")
        if changed
        else ("info", "That was already the status, so nothing changed.")
    )


@consultant.action
def _mark_contacted(session: StaffSession, rid: int) -> None:
    st.session_state[f"detail_status_{rid}"] = "contacted"
    _change_status(session, rid)


@consultant.action
def _save_follow_up(session: StaffSession, rid: int, clear: bool = False) -> None:
    day = None if clear else st.session_state.get(f"detail_follow_up_{rid}")
    try:
        review.set_follow_up(state.store(), session, rid, day)
    except review.NotFound as exc:
        st.session_state.detail_flash = ("error", str(exc))
        return
    label = document.when(day.isoformat()) if day else ""
    st.session_state.detail_flash = (
        ("success", f"Follow-up set for {label}.") if day else ("info", "Follow-up cleared.")
    )


@consultant.action
def _assign(session: StaffSession, rid: int, assignee_id: int | None, label: str) -> None:
    try:
        review.assign(state.store(), session, rid, assignee_id)
    except (ValueError, review.NotFound) as exc:
        st.session_state.detail_flash = ("error", str(exc))
        return
    st.session_state.detail_flash = ("success", label)


@consultant.action
def _add_note(session: StaffSession, rid: int) -> None:
    key = f"detail_note_{rid}"
    try:
        review.add_note(state.store(), session, rid, st.session_state.get(key, ""))
    except (ValueError, review.NotFound) as exc:
        # The typed note stays in the box so nothing is lost.
        st.session_state.detail_note_error = str(exc)
        return
    st.session_state[key] = ""
    st.session_state.pop("detail_note_error", None)
    st.session_state.detail_flash = ("success", "Note added.")


def neighbours(session: StaffSession, rid: int, reflection: dict[str, Any]) -> None:
    """Previous / Mark contacted / Next, in the queue's order with its current filters."""
    filters = st.session_state.get("q_last_filters")
    previous, following = queue.neighbours(state.store(), filters, rid)
    back, contacted, forward = st.columns(3)
    _neighbour(back, "Previous", previous, ":material/arrow_back:", "before")
    contacted.button(
        "Mark contacted",
        key=f"detail_contacted_{rid}",
        icon=":material/call:",
        disabled=reflection["review_status"] == "contacted",
        on_click=_mark_contacted,
        args=(session, rid),
    )
    _neighbour(forward, "Next", following, ":material/arrow_forward:", "after")


def _neighbour(column: Any, label: str, other: int | None, icon: str, where: str) -> None:
    column.button(
        label,
        key=f"detail_{label.lower()}",
        icon=icon,
        disabled=other is None,
        on_click=_open,
        args=(other,),
        help=f"The reflection {where} this one in the queue, with your current filters.",
    )


def flash() -> None:
    """The outcome of the last change, once."""
    shown = st.session_state.pop("detail_flash", None)
    if shown:
        getattr(st, shown[0])(shown[1])


def response_time(rid: int, reflection: dict[str, Any]) -> None:
    """How long the candidate has waited for a first contact, in working time, or when
    they were answered and whether that kept to the response target."""
    settings = state.settings()
    hours = targets.working_hours_of(settings)
    standing = targets.standing(
        reflection["submitted_at"],
        (reflection.get("reason_codes") or "").split(),
        targets.answered_at(state.store(), [rid]).get(rid),
        clock.system_clock(),
        hours,
        respond_by=reflection.get("respond_by"),
    )
    sentence = targets.waiting_sentence(standing, hours)
    if standing.overdue:
        st.warning(sentence, icon=":material/schedule:")
    else:
        st.caption(sentence)


def status_and_assignment(session: StaffSession, rid: int, reflection: dict) -> None:
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
            st.button(
                "Update status",
                key=f"detail_status_save_{rid}",
                on_click=_save_status,
                args=(session, rid),
            )
        with assign_col:
            _assignment(session, rid, reflection)


def _assignment(session: StaffSession, rid: int, reflection: dict) -> None:
    current = reflection.get("assignee_display") or reflection.get("assignee_user")
    st.write(f"Assigned to: **{escape_md(current)}**" if current else "Not assigned yet")
    if reflection.get("assignee_id") != session.consultant_id:
        st.button(
            "Assign to me",
            key=f"detail_assign_me_{rid}",
            on_click=_assign,
            args=(session, rid, session.consultant_id, "Assigned to you."),
        )
    others = {
        c["id"]: c["name"]
        for c in review.colleagues(state.store())
        if c["id"] not in (session.consultant_id, reflection.get("assignee_id"))
    }
    if others:
        colleague = st.selectbox(
            "Or a colleague", list(others), format_func=others.get, key=f"detail_colleague_{rid}"
        )
        # Names can come from single sign-on: st.success renders Markdown.
        label = f"Assigned to {escape_md(others.get(colleague, 'them'))}."
        st.button(
            "Assign to colleague",
            key=f"detail_assign_other_{rid}",
            on_click=_assign,
            args=(session, rid, colleague, label),
        )
    if reflection.get("assignee_id") is not None:
        st.button(
            "Unassign",
            key=f"detail_unassign_{rid}",
            on_click=_assign,
            args=(session, rid, None, "No one is assigned now."),
        )


def follow_up(session: StaffSession, rid: int, reflection: dict) -> None:
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
        save_col.button(
            "Set follow-up",
            key=f"detail_follow_up_save_{rid}",
            on_click=_save_follow_up,
            args=(session, rid),
        )
        clear_col.button(
            "Clear",
            key=f"detail_follow_up_clear_{rid}",
            disabled=not saved_day,
            on_click=_save_follow_up,
            args=(session, rid, True),
        )


def notes(session: StaffSession, rid: int) -> None:
    st.subheader("Notes")
    thread = review.notes(state.store(), rid)
    if not thread:
        st.caption("No notes yet. Notes are only seen by consultants.")
    for note in thread:
        with st.container(border=True):
            st.caption(f"{escape_md(note['author'])} · {document.when(note['created_at'])}")
            st.html(f"<div>{render_markdown(document.text(note['body']))}</div>")
    st.text_area(
        "Add a note",
        key=f"detail_note_{rid}",
        max_chars=None,
        placeholder="What happened, what next?",
    )
    if st.session_state.get("detail_note_error"):
        st.error(st.session_state.detail_note_error)
    st.button("Add note", key=f"detail_note_add_{rid}", on_click=_add_note, args=(session, rid))


def status_history(rid: int) -> None:
    st.subheader("Status history")
    history = review.status_history(state.store(), rid)
    if not history:
        st.caption("Still as it arrived: New.")
    for change in history:
        when = document.when(change["at"])
        if change["event"]:
            st.markdown(f"- {when}: {change['event']}")
            continue
        st.markdown(
            f"- {when}: {change['from_label']} → **{change['to_label']}** "
            f"by {escape_md(change['by'])}"
        )
