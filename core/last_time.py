"""Last time's plan, checked: what the reflection before this one planned, and what carries over.

A returning candidate starts a new reflection for a new rejection. The one before it
planned things (checklist items, improvements, action points): Welcome asks "did you?"
about each, and the answers (the `last_time` answer) feed this reflection's checklist,
what they take forward and the score. The people and opportunities still live can be
brought into this reflection, once the candidate confirms each, so steps 2 and 3 start
filled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core import clock, journey
from core.answer_values import answer_rows, normalised, one_line, role_at_company
from core.checklist import checklist
from core.clock import parse_stamp
from core.questionnaire import FIELDS_BY_KEY
from core.store import Store

LAST_TIME = "last_time"
MAX_ITEMS = FIELDS_BY_KEY[LAST_TIME].max_rows

# Checklist items that travel with a person or an opportunity (an invitation, a
# check-in, a next step): they come back with that person or opportunity when it is
# brought over, so they are not asked about a second time.
_TRAVELS_WITH_CARRY_OVER = ("invite:", "checkin:", "pipeline:")
# Our own suggestions count as planned only where the candidate answered the question
# behind them: a reflection left blank planned nothing.
_ANSWER_BEHIND = {
    "feedback_request": "feedback_status",
    "feedback_chase": "feedback_status",
    "feedback_thanks": "feedback_status",
    "rejection_reply": "replied_to_rejection",
}
# The checklist items written in the candidate's own words, by key prefix: the words
# follow the prefix, and the source says which list they were written in.
_OWN_WORDS = {"improvement": "improvement", "point": "action_point", "carry": None}


@dataclass(frozen=True)
class PlannedItem:
    text: str  # the candidate's own words, or the checklist's title for our suggestions
    source: str  # where it came from: a key of the `last_time` answer's source column
    due: str  # ISO date it was due by, as last time's checklist had it

    @property
    def key(self) -> str:
        """What its saved answer is matched by."""
        return normalised(self.text)


@dataclass(frozen=True)
class CarryOver:
    people: list[dict[str, Any]]  # rows of `contacts`
    opportunities: list[dict[str, Any]]  # rows of `pipeline`

    @property
    def empty(self) -> bool:
        return not (self.people or self.opportunities)


@dataclass(frozen=True)
class PastPlan:
    reflection_id: int
    started: dt.date
    about: str  # "Data Analyst at Acme", or ""
    answers: Mapping[str, Any]
    items: list[PlannedItem] = field(default_factory=list)


def _planned(item_key: str, title: str, carried: Mapping[str, str]) -> tuple[str, str]:
    """(text, source) of one open checklist item."""
    prefix, _, words = item_key.partition(":")
    if words and prefix in _OWN_WORDS:
        source = _OWN_WORDS[prefix] or carried.get(normalised(words), "checklist")
        return words, source
    return title, "checklist"


def planned_items(
    prev_answers: Mapping[str, Any], *, today: dt.date, started: dt.date | None = None
) -> list[PlannedItem]:
    """What last time's plan still had open, at most MAX_ITEMS, soonest due first.

    Planned improvements and action points are each an item on the checklist, so one
    pass over it covers all three; one already ticked done there is not asked about
    again. Items with the same words (an action point that is also an improvement) are
    one item, with the source of the first. Something carried on from the time before
    ("Carry on: …") keeps the source it had then.
    """
    carried = {
        normalised(row.get("item")): str(row.get("source") or "checklist")
        for row in answer_rows(prev_answers, LAST_TIME)
    }
    out: list[PlannedItem] = []
    seen: set[str] = set()
    for item in checklist(prev_answers, today, started):
        if item.done or item.key.startswith(_TRAVELS_WITH_CARRY_OVER):
            continue
        behind = _ANSWER_BEHIND.get(item.key)
        if behind and prev_answers.get(behind) is None:
            continue
        text, source = _planned(item.key, item.title, carried)
        planned = PlannedItem(text, source, item.due)
        if not planned.key or planned.key in seen:
            continue
        seen.add(planned.key)
        out.append(planned)
    return out[:MAX_ITEMS]


def carry_over(prev_answers: Mapping[str, Any], *, rejected_by: Any = None) -> CarryOver:
    """The people and opportunities from last time that are still live.

    Still live means:
    - a person: every named one. The list is of people worth staying in touch with, and
      nothing in a row says a link has ended, so the candidate decides, one by one.
    - an opportunity: every named one, except at `rejected_by`, the company whose no
      this new reflection is about: that opening has closed.
    Rows with the same name (or company), compared normalised, are one.
    """
    closed = normalised(rejected_by)

    def live(key: str, name_column: str) -> list[dict[str, Any]]:
        out, seen = [], set()
        for row in answer_rows(prev_answers, key):
            name = normalised(row.get(name_column))
            if not name or name in seen or (key == "pipeline" and closed and name == closed):
                continue
            seen.add(name)
            out.append({c.key: row.get(c.key) for c in FIELDS_BY_KEY[key].columns})
        return out

    return CarryOver(people=live("contacts", "name"), opportunities=live("pipeline", "company"))


def previous(
    store: Store, candidate_id: int, reflection_id: int, *, today: dt.date | None = None
) -> PastPlan | None:
    """The candidate's reflection made just before this one and what it planned.

    None for a first reflection (or one that is not this candidate's).
    """
    with store.read() as conn:
        here = conn.execute(
            "SELECT created_at FROM reflections WHERE id = ? AND candidate_id = ?",
            (reflection_id, candidate_id),
        ).fetchone()
        if here is None:
            return None
        made = here["created_at"]
        # Two reflections started in the same second are told apart by their ids.
        row = conn.execute(
            "SELECT id, created_at FROM reflections WHERE candidate_id = ? "
            "AND (created_at < ? OR (created_at = ? AND id < ?)) "
            "ORDER BY created_at DESC, id DESC LIMIT 1",
            (candidate_id, made, made, reflection_id),
        ).fetchone()
    if row is None:
        return None
    answers = journey.load_answers(store, row["id"])
    started = parse_stamp(row["created_at"]).date()
    return PastPlan(
        reflection_id=int(row["id"]),
        started=started,
        about=role_at_company(answers.get("role"), answers.get("company")),
        answers=answers,
        items=planned_items(answers, today=today or clock.today(), started=started),
    )


def answers_for(items: Iterable[PlannedItem], chosen: Mapping[str, str]) -> list[dict[str, str]]:
    """The `last_time` answer: a row for each planned item with a status chosen.

    `chosen` maps an item's key to done / partly / not_yet.
    """
    return [
        {"item": item.text, "source": item.source, "status": chosen[item.key]}
        for item in items
        if chosen.get(item.key)
    ]


def statuses(answers: Mapping[str, Any]) -> dict[str, str]:
    """What the candidate has said so far about last time's items, by item key."""
    return {
        normalised(row.get("item")): str(row.get("status"))
        for row in answer_rows(answers, LAST_TIME)
        if row.get("status")
    }


@dataclass(frozen=True)
class BroughtOver:
    people: list[str]  # names added to step 2
    opportunities: list[str]  # companies added to step 3
    already_there: list[str]  # names or companies this reflection already had
    no_room: list[str]  # left out: the list was full

    @property
    def added(self) -> int:
        return len(self.people) + len(self.opportunities)


def _merged(
    existing: list[Mapping[str, Any]], rows: Iterable[Mapping[str, Any]], key: str, name_column: str
) -> tuple[list[dict[str, Any]], list[str], list[str], list[str]]:
    """(all rows, names added, names already there, names with no room left)."""
    spec = FIELDS_BY_KEY[key]
    merged = [dict(row) for row in existing]
    have = {normalised(row.get(name_column)) for row in existing}
    added, already, no_room = [], [], []
    for row in rows:
        name = one_line(row.get(name_column))
        if not name:
            continue
        if normalised(name) in have:
            already.append(name)
        elif len(merged) >= spec.max_rows:
            no_room.append(name)
        else:
            merged.append({c.key: row.get(c.key) for c in spec.columns})
            have.add(normalised(name))
            added.append(name)
    return merged, added, already, no_room


def bring_over(
    store: Store,
    reflection_id: int,
    people: Iterable[Mapping[str, Any]],
    opportunities: Iterable[Mapping[str, Any]],
) -> BroughtOver:
    """Add the confirmed people to this reflection's `contacts` and the confirmed
    opportunities to its `pipeline`, after the rows already there.

    A name (or company) already on the list, compared normalised, is not added twice;
    a list stays within its max_rows, and whatever did not fit is named in `no_room`.
    Each list is saved through `journey.store_answer`, so it is validated like any save,
    and only if it is still as read (else journey.AnswerChanged, that list unchanged).
    """
    current = journey.load_answers(store, reflection_id)
    found: dict[str, list[str]] = {"already": [], "no_room": []}
    added: dict[str, list[str]] = {}
    for key, name_column, rows in (
        ("contacts", "name", people),
        ("pipeline", "company", opportunities),
    ):
        merged, new, already, no_room = _merged(answer_rows(current, key), rows, key, name_column)
        if new:
            # Only over the list as read: a save from another tab in between is kept
            # (journey.AnswerChanged, nothing written).
            journey.store_answer(store, reflection_id, key, merged, if_still=current.get(key))
        added[key] = new
        found["already"] += already
        found["no_room"] += no_room
    return BroughtOver(added["contacts"], added["pipeline"], found["already"], found["no_room"])
