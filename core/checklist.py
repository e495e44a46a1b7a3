"""This week's checklist: what to do, by when, and what the candidate ticked or re-dated.

Every item the answers call for gets a date: the candidate's own, else one we suggest,
counted from when they heard the news. Ticks and changed dates are saved as the
`checklist` answer, keyed by each item's stable id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core import drafts
from core.answer_values import answer_rows, iso_date, one_line

# Suggested dates, in days from when they heard (or from when they started, if we don't
# know). A reply and a feedback request are best sent within two days of the news; a
# polite chase after a week; a check-in once things have settled.
SEND_WITHIN_DAYS = 2
INVITE_AFTER_DAYS = 3
CHASE_AFTER_DAYS = 7
NEXT_STEP_AFTER_DAYS = 7
PRACTICE_AFTER_DAYS = 14
CHECK_IN_AFTER_DAYS = 28

# Last time's plan (the `last_time` answer, asked on Welcome): what the candidate had not
# done, or only partly, comes back this week, under the step its kind belongs to.
CARRY_ON_STATUSES = ("not_yet", "partly")
CARRY_ON_STEPS = {"improvement": "approach", "action_point": "feedback", "checklist": "learning"}


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # stable id: ticks and date changes are saved against it
    title: str
    due: str  # ISO date: the candidate's own, or one we suggest
    step: str  # the questionnaire step it came from
    detail: str = ""
    suggested: bool = False  # the date is ours; the candidate can change it
    done: bool = False

    @property
    def due_date(self) -> dt.date:
        return dt.date.fromisoformat(self.due)


@dataclass(frozen=True)
class _ToDo:
    """An item before its date is settled: the candidate's own, or `after_days` of ours."""

    key: str
    title: str
    own: dt.date | None
    step: str
    detail: str
    after_days: int


@dataclass(frozen=True)
class _DatedList:
    """A list answer whose every named row is one thing to do, by the row's date if any."""

    field: str
    name_column: str  # names the item, and keys its saved tick and date ("prefix:name")
    date_column: str
    step: str
    prefix: str
    title: str  # "{}" stands for the name
    after_days: int
    detail_column: str | None = None  # the row's own detail; else the fixed `detail`
    detail: str = ""


# In the order the article gives them.
_DATED_LISTS = (
    _DatedList(
        field="contacts",
        name_column="name",
        date_column="next_check_in",
        step="connections",
        prefix="checkin",
        title="Check in with {}",
        after_days=CHECK_IN_AFTER_DAYS,
        detail_column="role",
    ),
    _DatedList(
        field="pipeline",
        name_column="company",
        date_column="next_step",
        step="options",
        prefix="pipeline",
        title="Next step with {}",
        after_days=NEXT_STEP_AFTER_DAYS,
        detail_column="role",
    ),
    _DatedList(
        field="improvements",
        name_column="action",
        date_column="target_date",
        step="approach",
        prefix="improvement",
        title="{}",
        after_days=PRACTICE_AFTER_DAYS,
        detail="Something you'll do differently",
    ),
    _DatedList(
        field="action_points",
        name_column="point",
        date_column="due",
        step="feedback",
        prefix="point",
        title="{}",
        after_days=PRACTICE_AFTER_DAYS,
        detail="From the feedback you received",
    ),
)


def _items_called_for(answers: Mapping[str, Any]) -> list[_ToDo]:
    """Every item the answers call for, in the order the article gives them."""
    out: list[_ToDo] = []
    status = answers.get("feedback_status")
    who = drafts.first_name(one_line(answers.get("feedback_contact_name")))
    to = f" to {who}" if who else ""
    if status in (None, "not_yet", "planning"):
        out.append(
            _ToDo(
                "feedback_request",
                f"Send your feedback request{to}",
                None,
                "feedback",
                "Your draft is ready under Messages ready to send.",
                SEND_WITHIN_DAYS,
            )
        )
    elif status == "asked":
        out.append(
            _ToDo(
                "feedback_chase",
                f"Chase your feedback{' from ' + who if who else ''}",
                None,
                "feedback",
                "A short, friendly follow-up is normal if you haven't heard back.",
                CHASE_AFTER_DAYS,
            )
        )
    elif status == "received":
        out.append(
            _ToDo(
                "feedback_thanks",
                f"Thank {who or 'them'} for the feedback",
                None,
                "feedback",
                "A two-line thank-you keeps a good impression. Your note is drafted below.",
                SEND_WITHIN_DAYS,
            )
        )
    if answers.get("replied_to_rejection") != "yes":
        out.append(
            _ToDo(
                "rejection_reply",
                "Send your reply to the rejection",
                None,
                "connections",
                "A warm reply keeps the door open. Your draft is ready below.",
                SEND_WITHIN_DAYS,
            )
        )
    for row in answer_rows(answers, "contacts"):
        name = one_line(row.get("name"))
        if name and row.get("connected") not in ("yes", "requested"):
            out.append(
                _ToDo(
                    f"invite:{name}",
                    f"Send a LinkedIn invitation to {name}",
                    None,
                    "connections",
                    "Your invitation note is drafted below.",
                    INVITE_AFTER_DAYS,
                )
            )
    for dated in _DATED_LISTS:
        for row in answer_rows(answers, dated.field):
            name = one_line(row.get(dated.name_column))
            if not name:
                continue
            detail = one_line(row.get(dated.detail_column)) if dated.detail_column else dated.detail
            out.append(
                _ToDo(
                    f"{dated.prefix}:{name}",
                    dated.title.format(name),
                    iso_date(row.get(dated.date_column)),
                    dated.step,
                    detail,
                    dated.after_days,
                )
            )
    # Written again this time (an improvement planned anew, say), it is already here.
    planned = {one_line(todo.title).casefold() for todo in out}
    for row in answer_rows(answers, "last_time"):
        name = one_line(row.get("item"))
        if not name or row.get("status") not in CARRY_ON_STATUSES or name.casefold() in planned:
            continue
        out.append(
            _ToDo(
                f"carry:{name}",
                f"Carry on: {name}",
                None,
                CARRY_ON_STEPS.get(str(row.get("source")), "learning"),
                "You made a start on this last time."
                if row.get("status") == "partly"
                else "From the plan you made last time.",
                NEXT_STEP_AFTER_DAYS,
            )
        )
    return out


def _saved_state(answers: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        str(row.get("item")): row for row in answer_rows(answers, "checklist") if row.get("item")
    }


def checklist(
    answers: Mapping[str, Any], today: dt.date, started: dt.date | None = None
) -> list[ChecklistItem]:
    """This week's dated checklist: open items soonest first, done ones at the bottom.

    An item without a date of the candidate's own gets a suggested one, counted from
    when they heard the news (else from `started`, else today) and never in the past
    while it is still open.
    """
    anchor = iso_date(answers.get("news_date")) or started or today
    saved = _saved_state(answers)
    items = []
    seen: set[str] = set()
    for todo in _items_called_for(answers):
        if todo.key in seen:  # two rows with the same name are one thing to do
            continue
        seen.add(todo.key)
        state = saved.get(todo.key, {})
        done = state.get("done") == "yes"
        chosen = iso_date(state.get("due")) or todo.own
        if chosen:
            due, suggested = chosen, False
        else:
            due = anchor + dt.timedelta(days=todo.after_days)
            if not done:
                due = max(due, today)
            suggested = True
        items.append(
            ChecklistItem(
                todo.key,
                todo.title,
                due.isoformat(),
                todo.step,
                todo.detail,
                suggested,
                done,
            )
        )
    order = {item.key: n for n, item in enumerate(items)}
    return sorted(items, key=lambda i: (i.done, i.due, order[i.key]))


def checklist_update(
    answers: Mapping[str, Any],
    items: Sequence[ChecklistItem],
    key: str,
    *,
    done: bool | None = None,
    due: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The `checklist` answer after ticking or re-dating one item.

    Only items still on the list keep a row, so renamed or deleted actions don't pile up.
    """
    saved = _saved_state(answers)
    rows = []
    for item in items:
        row = {
            "item": item.key,
            "due": saved.get(item.key, {}).get("due"),
            "done": saved.get(item.key, {}).get("done"),
        }
        if item.key == key:
            if done is not None:
                row["done"] = "yes" if done else None
            if due is not None:
                row["due"] = due.isoformat()
        if row["due"] or row["done"]:
            rows.append(row)
    return rows
