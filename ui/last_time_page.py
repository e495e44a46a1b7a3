"""Welcome's "Since last time": last time's plan checked, and who and what carries over.

Shown on a reflection that has one before it (`core.last_time`). Each planned item gets
a Done / Partly / Not yet choice that saves as it changes, as the `last_time` answer,
through the same save path as every field. Then last time's people and opportunities,
each with a box the candidate ticks themselves, and a button that brings the ticked
ones into this reflection's steps 2 and 3.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import streamlit as st

from core import last_time
from core.answer_values import answer_rows, normalised, one_line
from core.clock import day_label, today
from core.journey import AnswerChanged, Session, load_answers
from core.questionnaire import FIELDS_BY_KEY, PIPELINE_STAGES
from core.safe_html import escape_md
from core.store import STORE_ERRORS
from core.validation import InvalidAnswer
from ui import cards, saving, state

STATUS_LABELS = dict(
    next(c for c in FIELDS_BY_KEY["last_time"].columns if c.key == "status").options
)
STAGE_WORDS = dict(PIPELINE_STAGES)
BROUGHT_KEY = "last_time_brought"
LOAD_FAILED = (
    "We couldn't look up your last reflection just now. It is safe: reload the page in a "
    "moment to see what you planned last time."
)
BRING_FAILED = (
    "We couldn't bring them over just now. Nothing is lost: please press the button "
    "again in a moment."
)
WAIT_FOR_PENDING = (
    "A change on step 2 or 3 is still waiting to be saved. Open that step so it saves, "
    "then bring these over: nothing you ticked is lost."
)
# The lists brought over are drawn as cards on steps 2 and 3.
CARD_LISTS = ("contacts", "pipeline")

log = logging.getLogger(__name__)


def _id(text: str) -> str:
    # Names the candidate typed make untidy keys; a digest is tidy and stable.
    return hashlib.sha256(normalised(text).encode()).hexdigest()[:12]


def _status_key(item: last_time.PlannedItem) -> str:
    return f"last_time_status_{_id(item.text)}"


def _person_key(row: dict[str, Any]) -> str:
    return f"last_time_person_{_id(one_line(row.get('name')))}"


def _opportunity_key(row: dict[str, Any]) -> str:
    return f"last_time_opportunity_{_id(one_line(row.get('company')))}"


def _as_clause(text: str) -> str:
    """'Practise the case study' reads on after "you planned to" as 'practise the case study'.

    Only a first word written like an ordinary capitalised word is lowered: 'CV', 'I'
    and 'iOS' stay as written.
    """
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        return text[0].lower() + text[1:]
    return text


def _on_status(items: list[last_time.PlannedItem]) -> None:
    chosen = last_time.statuses(state.answers())
    for item in items:
        value = st.session_state.get(_status_key(item))
        if value:
            chosen[item.key] = value
    saving.save_from_widget("last_time", last_time.answers_for(items, chosen))


def _planned(items: list[last_time.PlannedItem]) -> None:
    if not items:
        return
    saved = last_time.statuses(state.answers())
    for item in items:
        key = _status_key(item)
        if key not in st.session_state:
            st.session_state[key] = saved.get(item.key)
        st.radio(
            f"Last time you planned to **{escape_md(_as_clause(item.text))}**. Did you?",
            list(STATUS_LABELS),
            index=None,
            format_func=STATUS_LABELS.get,
            horizontal=True,
            key=key,
            on_change=_on_status,
            args=(items,),
        )
    saving.show_error("last_time")
    st.caption(
        "Whatever isn't done yet comes back on this week's checklist to carry on with, "
        "and what you did counts for you on My plan."
    )


def _person_label(row: dict[str, Any]) -> str:
    name, role = one_line(row.get("name")), one_line(row.get("role"))
    return escape_md(f"{name}, {role}" if role else name)


def _opportunity_label(row: dict[str, Any]) -> str:
    company, role = one_line(row.get("company")), one_line(row.get("role"))
    stage = STAGE_WORDS.get(str(row.get("stage")), "")
    about = ", ".join(part for part in (role, stage) if part)
    return escape_md(f"{company} ({about})" if about else company)


def _ticked(carry: last_time.CarryOver) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    people = [row for row in carry.people if st.session_state.get(_person_key(row))]
    chances = [row for row in carry.opportunities if st.session_state.get(_opportunity_key(row))]
    return people, chances


def _bring(carry: last_time.CarryOver) -> None:
    session = state.candidate()
    if session is None:
        return
    if any(key in saving.pending() for key in CARD_LISTS):
        # That save would write its older list back over the rows brought in.
        st.session_state[BROUGHT_KEY] = ("error", WAIT_FOR_PENDING)
        return
    people, opportunities = _ticked(carry)
    try:
        brought = last_time.bring_over(state.store(), session.reflection_id, people, opportunities)
        fresh = load_answers(state.store(), session.reflection_id)
    except (InvalidAnswer, AnswerChanged, *STORE_ERRORS) as exc:
        log.warning("Could not bring rows over: %s: %s", type(exc).__name__, exc)
        st.session_state[BROUGHT_KEY] = ("error", BRING_FAILED)
        return
    answers = state.answers()
    for key, added in (("contacts", brought.people), ("pipeline", brought.opportunities)):
        if key in fresh:
            answers[key] = fresh[key]
        # Steps 2 and 3 draw these lists as cards kept in the session: the new rows join
        # them at the end, and a card still being filled in there stays.
        if added:
            cards.add_saved_rows(FIELDS_BY_KEY[key], fresh[key][-len(added) :])
    st.session_state[BROUGHT_KEY] = ("done", _brought_words(brought))


def _names(names: list[str]) -> str:
    return ", ".join(escape_md(n) for n in names)


def _brought_words(brought: last_time.BroughtOver) -> str:
    lines = []
    if brought.people:
        lines.append(f"On step 2 now: {_names(brought.people)}.")
    if brought.opportunities:
        lines.append(f"On step 3 now: {_names(brought.opportunities)}.")
    if brought.already_there:
        lines.append(
            f"Already in this reflection, so not added twice: {_names(brought.already_there)}."
        )
    if brought.no_room:
        lines.append(
            f"No room left for {_names(brought.no_room)}: that list is full. Remove someone "
            "or something you no longer need there, then bring them over again."
        )
    if not lines:
        lines.append("Tick the people and openings you want first, then press the button.")
    return "\n\n".join(lines)


def _still_in_touch(carry: last_time.CarryOver) -> None:
    if carry.empty:
        return
    st.markdown("**Still in touch?**")
    st.caption(
        "These were on your lists last time. Tick the ones still worth keeping up with, "
        "and they join this reflection's steps 2 and 3. Nothing comes over unless you tick it."
    )
    answers = state.answers()
    have = {
        normalised(row.get(column))
        for key, column in (("contacts", "name"), ("pipeline", "company"))
        for row in answer_rows(answers, key)
    }
    offered = 0
    for rows, column, keyed, labelled in (
        (carry.people, "name", _person_key, _person_label),
        (carry.opportunities, "company", _opportunity_key, _opportunity_label),
    ):
        for row in rows:
            if normalised(row.get(column)) in have:
                st.caption(f"{labelled(row)}: already in this reflection.")
                continue
            offered += 1
            st.checkbox(labelled(row), value=False, key=keyed(row))
    st.button(
        "Bring the ticked ones into this reflection",
        key="last_time_bring",
        icon=":material/move_down:",
        on_click=_bring,
        args=(carry,),
        disabled=offered == 0,
    )
    said = st.session_state.pop(BROUGHT_KEY, None)
    if said is not None:
        kind, words = said
        if kind == "error":
            st.error(words, icon=":material/error:")
        else:
            st.success(words, icon=":material/group_add:")


def since_last_time(session: Session) -> None:
    """The "Since last time" section, on a reflection that has one before it."""
    try:
        past = last_time.previous(state.store(), session.candidate_id, session.reflection_id)
    except STORE_ERRORS as exc:
        log.warning("Could not read the last reflection: %s: %s", type(exc).__name__, exc)
        st.warning(LOAD_FAILED, icon=":material/hourglass_empty:")
        return
    if past is None:
        return
    carry = last_time.carry_over(past.answers, rejected_by=state.answers().get("company"))
    if not past.items and carry.empty:
        return
    with st.container(border=True, key="since_last_time"):
        st.subheader("Since last time")
        about = f" ({escape_md(past.about)})" if past.about else ""
        st.caption(
            f"From the reflection you started on {day_label(past.started, today())}{about}. "
            "A quick look back at what you planned: there are no wrong answers here."
        )
        _planned(past.items)
        _still_in_touch(carry)
