"""A list the candidate writes, drawn as cards: one card per row, one labelled input per column.

The questionnaire table in `core` describes every list (its columns, limits and the
name of one item); this module draws any of them the same way. Each input saves on its
own: the changed value is checked in `core`, and the list's complete cards are saved
whole through `ui.saving.save`, so a save the database refuses stays pending and is
retried exactly like a single field. A refused value stays on screen with the message
right under it, and what was saved before is kept.

A card whose required input is still empty is held on screen (and said so) until it is
filled in; removing a card can be undone until the next change to that list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from core.questionnaire import SHORT_TEXT, Column, Field
from core.validation import InvalidAnswer, clean_cell, is_blank
from ui import dates, state
from ui.saving import save, show_error, shown_value

RATING_WORDS = {1: "1 (shaky)", 2: "2", 3: "3", 4: "4", 5: "5 (at my best)"}


def _a(item: str) -> str:
    """'a person', 'an opportunity'."""
    return f"{'an' if item[:1].lower() in 'aeiou' else 'a'} {item}"


def _model_key(spec: Field) -> str:
    return f"cards_{spec.key}"


def _undo_key(spec: Field) -> str:
    return f"cards_removed_{spec.key}"


def _cell_key(spec: Field, card_id: int, column: Column) -> str:
    return f"card_{spec.key}_{card_id}_{column.key}"


def _error_key(spec: Field, card_id: int, column: Column) -> str:
    return f"{spec.key}:{card_id}:{column.key}"


def _reflection_id() -> int | None:
    session = state.candidate()
    return session.reflection_id if session else None


def model(spec: Field) -> dict[str, Any]:
    """This list's cards in this session: {"reflection", "next_id", "cards": [{"id", "values"}]}.

    Seeded once per reflection from the saved (or still pending) rows, so cards keep
    their identity, and their inputs their state, across reruns and removals.
    """
    key = _model_key(spec)
    current = st.session_state.get(key)
    reflection = _reflection_id()
    if current is None or current.get("reflection") != reflection:
        rows = shown_value(spec.key) or []
        cards = [
            {"id": index, "values": dict(row)}
            for index, row in enumerate(rows)
            if isinstance(row, dict)
        ]
        current = {"reflection": reflection, "next_id": len(cards), "cards": cards}
        st.session_state[key] = current
    return current


def _complete(spec: Field, values: dict[str, Any]) -> bool:
    return all(not is_blank(values.get(c.key)) for c in spec.columns if c.required)


def _empty(spec: Field, values: dict[str, Any]) -> bool:
    return all(is_blank(values.get(c.key)) for c in spec.columns)


def rows_to_save(spec: Field, cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cards that can be saved, in order: those with every required input filled."""
    return [
        {c.key: card["values"].get(c.key) for c in spec.columns}
        for card in cards
        if _complete(spec, card["values"])
    ]


def _save_list(spec: Field) -> None:
    save(spec.key, rows_to_save(spec, model(spec)["cards"]))


def _widget_value(column: Column, value: Any) -> Any:
    if column.kind == "date":
        return dates.to_answer(value)
    if column.kind in ("text", "url"):
        return value or ""
    return value


def _on_cell_change(spec: Field, card_id: int, column: Column) -> None:
    st.session_state.pop(_undo_key(spec), None)
    raw = _widget_value(column, st.session_state.get(_cell_key(spec, card_id, column)))
    error_key = _error_key(spec, card_id, column)
    try:
        cleaned = clean_cell(column, raw, column.label)
    except InvalidAnswer as exc:
        state.errors()[error_key] = str(exc)
        return
    state.errors().pop(error_key, None)
    for card in model(spec)["cards"]:
        if card["id"] == card_id:
            card["values"][column.key] = cleaned
    _save_list(spec)


def _add(spec: Field) -> None:
    st.session_state.pop(_undo_key(spec), None)
    current = model(spec)
    if len(current["cards"]) >= spec.max_rows:
        return
    current["cards"].append({"id": current["next_id"], "values": {}})
    current["next_id"] += 1


def _forget_widgets(spec: Field, card_id: int) -> None:
    for column in spec.columns:
        st.session_state.pop(_cell_key(spec, card_id, column), None)
        state.errors().pop(_error_key(spec, card_id, column), None)


def _remove(spec: Field, card_id: int) -> None:
    current = model(spec)
    for index, card in enumerate(current["cards"]):
        if card["id"] == card_id:
            current["cards"].pop(index)
            _forget_widgets(spec, card_id)
            if not _empty(spec, card["values"]):
                st.session_state[_undo_key(spec)] = (index, card)
            break
    _save_list(spec)


def _undo(spec: Field) -> None:
    removed = st.session_state.pop(_undo_key(spec), None)
    if removed is None:
        return
    index, card = removed
    current = model(spec)
    if len(current["cards"]) >= spec.max_rows:
        return
    current["cards"].insert(min(index, len(current["cards"])), card)
    _save_list(spec)


def _put(spec: Field, card: dict[str, Any], values: Mapping[str, Any]) -> None:
    """New values into a card; its inputs are drawn afresh from them (so call this from a
    callback, before they are drawn)."""
    card["values"].update(values)
    st.session_state.pop(_undo_key(spec), None)
    _forget_widgets(spec, card["id"])


def fill(spec: Field, card_id: int, values: Mapping[str, Any]) -> bool:
    """Put values (column key -> value) into one card, as if typed, and save the list.

    True when saved. Raises InvalidAnswer, nothing changed, for a value a column refuses.
    Whatever the card showed in those columns is replaced: the caller decides what may be.
    """
    columns = {c.key: c for c in spec.columns}
    cleaned = {key: clean_cell(columns[key], v, columns[key].label) for key, v in values.items()}
    card = next((c for c in model(spec)["cards"] if c["id"] == card_id), None)
    if card is None:
        return False
    _put(spec, card, cleaned)
    return save(spec.key, rows_to_save(spec, model(spec)["cards"]))


def show_saved_row(spec: Field, index: int, row: Mapping[str, Any]) -> None:
    """Row `index` of the saved list was changed elsewhere (the answer bank, say): the card
    holding it shows `row` from now on. Cards still being filled in are left as they are."""
    current = st.session_state.get(_model_key(spec))
    if current is None or current.get("reflection") != _reflection_id():
        return  # not drawn in this session yet: it is seeded from the saved list
    saved = [card for card in current["cards"] if _complete(spec, card["values"])]
    if index < len(saved):
        _put(spec, saved[index], {c.key: row.get(c.key) for c in spec.columns})


def add_saved_rows(spec: Field, rows: list[Mapping[str, Any]]) -> None:
    """Rows just added to the end of the saved list elsewhere (brought over from last
    time, say) join this session's cards after the ones there, so cards still being
    filled in stay as they are."""
    current = st.session_state.get(_model_key(spec))
    if current is None or current.get("reflection") != _reflection_id():
        return  # not drawn in this session yet: it is seeded from the saved list
    st.session_state.pop(_undo_key(spec), None)
    for row in rows:
        values = {c.key: row.get(c.key) for c in spec.columns}
        current["cards"].append({"id": current["next_id"], "values": values})
        current["next_id"] += 1


def _seed(wkey: str, value: Any) -> None:
    if wkey not in st.session_state:
        st.session_state[wkey] = value


def _input(spec: Field, card: dict[str, Any], column: Column, disabled: bool) -> None:
    wkey = _cell_key(spec, card["id"], column)
    value = card["values"].get(column.key)
    if wkey not in st.session_state:
        # Drawn afresh from the last accepted value (the page was left): a refusal of
        # text no longer on screen would only confuse.
        state.errors().pop(_error_key(spec, card["id"], column), None)
    common: dict[str, Any] = {
        "key": wkey,
        "on_change": _on_cell_change,
        "args": (spec, card["id"], column),
        "disabled": disabled,
    }
    if column.kind == "choice":
        options = [k for k, _ in column.options]
        _seed(wkey, value if value in options else None)
        labels = dict(column.options)
        st.selectbox(
            column.label,
            options,
            index=None,
            format_func=labels.get,
            placeholder="Choose…",
            **common,
        )
    elif column.kind == "rating":
        _seed(wkey, value if value in RATING_WORDS else None)
        st.selectbox(
            column.label,
            list(RATING_WORDS),
            index=None,
            format_func=RATING_WORDS.get,
            placeholder="Choose…",
            **common,
        )
    elif column.kind == "date":
        _seed(wkey, dates.from_answer(value))
        dates.date_input(column.label, **common)
    elif column.kind == "text" and column.max_len > SHORT_TEXT:
        _seed(wkey, value or "")
        st.text_area(column.label, height=100, **common)
    else:
        _seed(wkey, value or "")
        st.text_input(
            column.label,
            placeholder="https://www.linkedin.com/in/…" if column.kind == "url" else None,
            **common,
        )
    message = state.errors().get(_error_key(spec, card["id"], column))
    if message:
        st.error(message, icon=":material/error:")


def _card(spec: Field, card: dict[str, Any], number: int, disabled: bool) -> None:
    with st.container(border=True, key=f"cardbox_{spec.key}_{card['id']}"):
        st.markdown(f"**{spec.item.capitalize()} {number}**")
        for column in spec.columns:
            _input(spec, card, column, disabled)
        missing = [
            c.label for c in spec.columns if c.required and is_blank(card["values"].get(c.key))
        ]
        if missing and not _empty(spec, card["values"]):
            st.caption(f"Not saved yet: please fill in {', '.join(missing)} to keep this card.")
        st.button(
            f"Remove {spec.item} {number}",
            key=f"remove_{spec.key}_{card['id']}",
            icon=":material/delete:",
            on_click=_remove,
            args=(spec, card["id"]),
            disabled=disabled,
        )


def _undo_offer(spec: Field, disabled: bool) -> None:
    removed = st.session_state.get(_undo_key(spec))
    if removed is None:
        return
    with st.container(border=True):
        st.caption(f"You removed {_a(spec.item)}. Changed your mind?")
        st.button(
            f"Undo: bring the {spec.item} back",
            key=f"undo_{spec.key}",
            icon=":material/undo:",
            on_click=_undo,
            args=(spec,),
            disabled=disabled,
        )


def cards(spec: Field, *, disabled: bool = False, show_label: bool = True) -> None:
    """Draw one questionnaire list as cards with "Add another" and "Remove"."""
    current = model(spec)
    if show_label:
        st.markdown(f"**{spec.label}**")
    if spec.help:
        st.caption(spec.help)
    for number, card in enumerate(current["cards"], start=1):
        _card(spec, card, number, disabled)
    _undo_offer(spec, disabled)
    count = len(current["cards"])
    full = count >= spec.max_rows
    st.button(
        f"Add {_a(spec.item)}" if count == 0 else f"Add another {spec.item}",
        key=f"add_{spec.key}",
        icon=":material/add:",
        on_click=_add,
        args=(spec,),
        disabled=disabled or full,
    )
    st.caption(
        f"{count} of {spec.max_rows}. That's the most this list takes."
        if full
        else f"{count} of {spec.max_rows}. Each box saves as you go."
    )
    show_error(spec.key)
