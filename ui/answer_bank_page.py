"""The answer bank on screen: its own page (search, edit, take away), and its offers on
step 4 of a new reflection when a question of a kind answered before comes up.

What the candidate types stays on screen whatever happens to the save: a refused value
gets its message beside the Save button, a database that can't take it just now says so,
and a question changed elsewhere meanwhile is never saved over (what was typed is shown
to copy instead).
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from core import answer_bank
from core.answer_bank import LIST_KEY, STAR_PARTS, BankEntry, EntryGone
from core.clock import day_label, today
from core.questionnaire import FIELDS_BY_KEY
from core.safe_html import escape_md
from core.store_base import STORE_ERRORS
from core.validation import InvalidAnswer, is_blank
from ui import cards, pages, saving, state

log = logging.getLogger(__name__)

SPEC = FIELDS_BY_KEY[LIST_KEY]
NOTES_KEY = "bank_notes"  # (reflection id, row) -> (how it went, what to say, what was typed)
USED_KEY = "bank_used"  # kind -> what "Use for question K" did
COULD_NOT_READ = (
    "We couldn't open your answer bank just now. Nothing is lost: please try again in a moment."
)
NOT_SAVED = (
    "We couldn't save this just now. Your text is still in the boxes: press Save again in a moment."
)
STEP4_WAITING = (
    "Your latest changes on step 4 are still waiting to be saved. Press Save again in a "
    "moment, once they are."
)


def _notes() -> dict[tuple[int, int], tuple[str, str, dict[str, str]]]:
    return st.session_state.setdefault(NOTES_KEY, {})


def _widget_key(entry: BankEntry, column: str) -> str:
    return f"bank_{entry.reflection_id}_{entry.index}_{column}"


def _source(entry: BankEntry) -> str:
    """'Competency · after Analyst at Acme · started Wed 2 Dec', candidate text escaped."""
    bits = [entry.kind_label]
    if entry.about:
        bits.append(f"after {escape_md(entry.about)}")
    if entry.started:
        bits.append(f"started {day_label(entry.started, today())}")
    return " · ".join(bits)


# --- Saving one entry --------------------------------------------------------------------------


def _typed(entry: BankEntry) -> dict[str, Any]:
    values: dict[str, Any] = {
        key: st.session_state.get(_widget_key(entry, key), "") for key, _ in STAR_PARTS
    }
    values["ready"] = bool(st.session_state.get(_widget_key(entry, "ready")))
    return values


def _show_on_step4(saved: BankEntry) -> None:
    """This session's copy of the reflection open now (step 4's cards, the plan) follows."""
    answers = state.answers()
    rows = list(answers.get(LIST_KEY) or [])
    if saved.index < len(rows):
        rows[saved.index] = saved.row()
        answers[LIST_KEY] = rows
    cards.show_saved_row(SPEC, saved.index, saved.row())


def _save(entry: BankEntry) -> None:
    session = state.candidate()
    if session is None:
        return
    where = (entry.reflection_id, entry.index)
    values = _typed(entry)
    current = entry.reflection_id == session.reflection_id
    if current and LIST_KEY in saving.pending():
        _notes()[where] = ("error", STEP4_WAITING, {})
        return
    try:
        saved = answer_bank.update(state.store(), entry, values)
    except InvalidAnswer as exc:
        _notes()[where] = ("error", str(exc), {})
        return
    except EntryGone as exc:
        # The boxes may now belong to another question: they are drawn afresh from what
        # is saved, and what was typed is shown beside them to copy.
        typed = {label: values[key] for key, label in STAR_PARTS if values[key].strip()}
        for column in (*(key for key, _ in STAR_PARTS), "ready"):
            st.session_state.pop(_widget_key(entry, column), None)
        _notes()[where] = ("gone", str(exc), typed)
        return
    except STORE_ERRORS as exc:
        log.warning("Could not save an answer bank entry: %s: %s", type(exc).__name__, exc)
        _notes()[where] = ("error", NOT_SAVED, {})
        return
    _notes()[where] = ("saved", "Saved.", {})
    if current:
        _show_on_step4(saved)


def _dismiss(where: tuple[int, int]) -> None:
    _notes().pop(where, None)


def _gone_notes() -> None:
    for where, (how, message, typed) in list(_notes().items()):
        if how != "gone":
            continue
        with st.container(border=True):
            # The message names the question, as the candidate typed it.
            st.warning(escape_md(message), icon=":material/sync_problem:")
            if typed:
                st.caption("Here is what you typed, to copy where you want it:")
                for label, text in typed.items():
                    st.markdown(f"**{label}**")
                    st.code(text, language=None, wrap_lines=True)
            st.button(
                "Done, hide this",
                key=f"bank_dismiss_{where[0]}_{where[1]}",
                on_click=_dismiss,
                args=(where,),
            )


# --- The page ----------------------------------------------------------------------------------


def _seed(key: str, value: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _entry(entry: BankEntry) -> None:
    where = (entry.reflection_id, entry.index)
    note = _notes().get(where)
    with st.container(border=True, key=f"bank_entry_{entry.reflection_id}_{entry.index}"):
        st.markdown(f"**{escape_md(entry.question)}**")
        ready = " · ready to use again" if entry.is_ready else ""
        st.caption(_source(entry) + ready)
        unsaved = note is not None and note[0] == "error"
        with st.expander(
            "Your answer: Situation, Task, Action, Result", expanded=unsaved or not entry.parts()
        ):
            for key, label in STAR_PARTS:
                _seed(_widget_key(entry, key), getattr(entry, key))
                st.text_area(label, key=_widget_key(entry, key), height=100)
            _seed(_widget_key(entry, "ready"), entry.is_ready)
            st.toggle("Ready to use again", key=_widget_key(entry, "ready"))
            st.button(
                "Save",
                key=f"bank_save_{entry.reflection_id}_{entry.index}",
                icon=":material/save:",
                on_click=_save,
                args=(entry,),
            )
            if note is not None and note[0] == "saved":
                _notes().pop(where)  # said once: a later change is not "saved" yet
                st.success(note[1], icon=":material/check:")
            elif unsaved:
                st.error(note[1], icon=":material/error:")


def _empty_bank() -> None:
    st.info(
        "Nothing here yet. On step 4 of a reflection you can write down each question that "
        "caught you out, with a better answer in STAR form. They all gather here, from "
        "every interview you reflect on, ready to read before the next one.",
        icon=":material/menu_book:",
    )
    pages.link(pages.STEP_PAGES["approach"], "Go to step 4")


def _downloads(bank: list[BankEntry]) -> None:
    st.header("Take it with you", divider="gray")
    agency = state.settings().agency_name
    left, right = st.columns(2)
    common: dict[str, Any] = {"on_click": "ignore", "width": "stretch"}
    left.download_button(
        "Answer bank (document)",
        lambda: answer_bank.markdown(bank, agency),
        file_name="my-answer-bank.md",
        mime="text/markdown",
        icon=":material/description:",
        key="bank_download_md",
        **common,
    )
    right.download_button(
        "Printable page",
        lambda: answer_bank.printable(bank, agency),
        file_name="my-answer-bank.html",
        mime="text/html",
        icon=":material/print:",
        key="bank_download_html",
        **common,
    )


def page() -> None:
    """The whole answer bank of the candidate in this session."""
    session = state.candidate()
    try:
        bank = answer_bank.entries(state.store(), session.candidate_id)
    except STORE_ERRORS as exc:
        log.warning("Could not read the answer bank: %s: %s", type(exc).__name__, exc)
        st.warning(COULD_NOT_READ, icon=":material/cloud_off:")
        return
    _gone_notes()
    if not bank:
        _empty_bank()
        return
    st.write(
        "Every question that caught you out, from all your reflections, with the answer "
        "you worked out. Polish them here, press Save under each one you change, and mark "
        "the ones you'd be happy to give."
    )
    text = st.text_input("Search your questions and answers", key="bank_search")
    ready_only = st.toggle("Ready ones only", key="bank_ready_only")
    shown = [e for e in answer_bank.search(bank, text) if e.is_ready or not ready_only]
    st.caption(
        f"Showing {len(shown)} of {len(bank)} {'question' if len(bank) == 1 else 'questions'}."
    )
    if not shown:
        st.info(
            "Nothing matches that. Try fewer words, or switch off “Ready ones only”.",
            icon=":material/search_off:",
        )
    for entry in shown:
        _entry(entry)
    _downloads(bank)


# --- Step 4: earlier answers offered -----------------------------------------------------------


def _use(card_id: int, number: int, entry: BankEntry) -> None:
    """Copy the earlier answer into the card's empty parts; what they wrote stays."""
    card = next((c for c in cards.model(SPEC)["cards"] if c["id"] == card_id), None)
    if card is None:
        return
    have = card["values"]
    offered = {key: getattr(entry, key) for key, _ in STAR_PARTS if getattr(entry, key).strip()}
    fill = {key: text for key, text in offered.items() if is_blank(have.get(key))}
    kept = [label for key, label in STAR_PARTS if key in offered and key not in fill]
    if not fill:
        message = (
            f"Question {number} already has your own words in each part this answer has, so "
            "nothing was changed. Copy from here whatever you'd like to use."
        )
        st.session_state.setdefault(USED_KEY, {})[entry.kind] = message
        return
    saved = cards.fill(SPEC, card_id, fill)
    copied = [label for key, label in STAR_PARTS if key in fill]
    message = f"Copied {', '.join(copied)} into question {number}."
    if kept:
        message += f" Kept what you had already written in {', '.join(kept)}."
    if is_blank(have.get("question")):
        message += " It saves once the question itself is written in."
    elif not saved:
        message += " It's on the card, and saves as soon as it can."
    st.session_state.setdefault(USED_KEY, {})[entry.kind] = message


def _offered(entry: BankEntry, targets: list[tuple[int, int]]) -> None:
    with st.container(border=True):
        st.markdown(f"**{escape_md(entry.question)}**")
        ready = " · ready to use again" if entry.is_ready else ""
        st.caption(_source(entry) + ready)
        st.markdown("\n".join(f"- **{label}:** {escape_md(text)}" for label, text in entry.parts()))
        for number, card_id in targets:
            st.button(
                f"Use for question {number}",
                key=f"bank_use_{entry.reflection_id}_{entry.index}_{card_id}",
                icon=":material/content_copy:",
                on_click=_use,
                args=(card_id, number, entry),
            )


def step4_offers() -> None:
    """For each kind of question on this reflection's cards, the bank's earlier answers of
    that kind from other reflections, each ready to copy into a card; then the way to the
    whole bank."""
    _offers()
    # Short: a page link doesn't wrap, and a longer label was cut off on a phone.
    pages.link(pages.ANSWER_BANK, "Open your answer bank")


def _offers() -> None:
    session = state.candidate()
    by_kind: dict[str, list[tuple[int, int]]] = {}
    for number, card in enumerate(cards.model(SPEC)["cards"], start=1):
        kind = card["values"].get("kind")
        if kind:
            by_kind.setdefault(kind, []).append((number, card["id"]))
    if not by_kind or session is None:
        return
    try:
        bank = answer_bank.entries(state.store(), session.candidate_id)
    except STORE_ERRORS as exc:
        log.warning("Could not read the answer bank: %s: %s", type(exc).__name__, exc)
        st.caption("Your answer bank can't be opened just now; earlier answers show here later.")
        return
    used = st.session_state.get(USED_KEY, {})
    for kind, targets in by_kind.items():
        offered = answer_bank.offers(bank, kind, exclude_reflection=session.reflection_id)
        if not offered:
            continue
        count = len(offered)
        label = (
            f"Your answer bank has {count} earlier "
            f"{'answer' if count == 1 else 'answers'} to “{answer_bank.kind_name(kind)}” questions"
        )
        with (
            st.container(key=f"bank_offer_{kind}"),
            st.expander(label, icon=":material/menu_book:", expanded=kind in used),
        ):
            st.caption(
                "Written after an earlier interview. Using one copies it into the parts "
                "of your card that are still empty; anything you've written stays."
            )
            if kind in used:
                st.success(used.pop(kind), icon=":material/content_copy:")
            for entry in offered:
                _offered(entry, targets)
