"""The answer bank: every question a candidate stumbled on, with their STAR answer, across
all their reflections.

Nothing is stored twice: the bank is read from each reflection's step 4 list
(`tough_questions`), and an edit made in the bank is saved back into that reflection's
list through `core.journey`, which validates it like any other answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core import journey
from core.answer_values import one_line, role_at_company
from core.candidate_exports import printable_page
from core.clock import day_label, today
from core.questionnaire import FIELDS_BY_KEY, QUESTION_KINDS
from core.safe_html import escape_md
from core.store import Store
from core.validation import clean_cell, is_blank

LIST_KEY = "tough_questions"
STAR_PARTS = (
    ("situation", "Situation"),
    ("task", "Task"),
    ("action", "Action"),
    ("result", "Result"),
)
KIND_LABELS: dict[str, str] = dict(QUESTION_KINDS)
# Every column of a stumbled question, in the list's order: what identifies its row.
COLUMNS = tuple(column.key for column in FIELDS_BY_KEY[LIST_KEY].columns)


class EntryGone(LookupError):
    """The question changed or went from its reflection after the bank was read.

    Saving over it then could overwrite a different answer, so nothing is written;
    `str(exc)` is the message for the candidate.
    """


@dataclass(frozen=True)
class BankEntry:
    reflection_id: int
    index: int  # the row's place in its reflection's list of stumbled questions
    started: dt.date | None  # when that reflection was started
    company: str
    role: str
    question: str
    kind: str | None
    situation: str
    task: str
    action: str
    result: str
    ready: str | None  # "yes", "no", or not answered

    @property
    def is_ready(self) -> bool:
        return self.ready == "yes"

    @property
    def kind_label(self) -> str:
        return kind_name(self.kind)

    @property
    def about(self) -> str:
        """'Analyst at Acme', or '' when the reflection names neither."""
        return role_at_company(self.role, self.company)

    def parts(self) -> list[tuple[str, str]]:
        """(Situation|Task|Action|Result, what they wrote) for each part written."""
        return [(label, text) for key, label in STAR_PARTS if (text := getattr(self, key).strip())]

    def row(self) -> dict[str, Any]:
        """The row as its reflection stores it."""
        return {key: getattr(self, key) for key in COLUMNS}


def kind_name(kind: str | None) -> str:
    """A kind as the bank names it ('Competency', 'Salary and terms'), short of its hint."""
    label = KIND_LABELS.get(kind or "")
    return label.split(" (")[0] if label else "Not sorted into a kind yet"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _choice(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _values(row: Mapping[str, Any]) -> dict[str, Any]:
    """One stored row read defensively: text as text, choices as a key or None."""
    return {
        key: _choice(row.get(key)) if key in ("kind", "ready") else _text(row.get(key))
        for key in COLUMNS
    }


def _rows(answers: Mapping[str, Any]) -> list[Any]:
    rows = answers.get(LIST_KEY)
    return rows if isinstance(rows, list) else []


def _started(created_at: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(created_at)[:10])
    except ValueError:
        return None


def entries(store: Store, candidate_id: int) -> list[BankEntry]:
    """Every stumbled question of every reflection of the candidate, newest reflection
    first, and within one reflection in the order they were written down."""
    found: list[BankEntry] = []
    for reflection in reversed(journey.history(store, candidate_id)):
        answers = journey.load_answers(store, reflection["id"])
        for index, row in enumerate(_rows(answers)):
            if not isinstance(row, Mapping) or is_blank(row.get("question")):
                continue
            found.append(
                BankEntry(
                    reflection_id=reflection["id"],
                    index=index,
                    started=_started(reflection.get("created_at")),
                    company=one_line(answers.get("company")),
                    role=one_line(answers.get("role")),
                    **_values(row),
                )
            )
    return found


def _haystack(entry: BankEntry) -> str:
    written = (entry.question, entry.situation, entry.task, entry.action, entry.result)
    return " ".join((*written, entry.company, entry.role)).casefold()


def search(bank: Iterable[BankEntry], text: str) -> list[BankEntry]:
    """The entries holding every word of `text` (any case) in the question, its STAR
    parts or the interview's company and role; all of them for empty text."""
    words = text.casefold().split()
    return [e for e in bank if all(word in _haystack(e) for word in words)]


def offers(bank: Iterable[BankEntry], kind: str, *, exclude_reflection: int) -> list[BankEntry]:
    """Earlier answers worth offering for a question of `kind`: those from other
    reflections with some STAR text written, the ones marked ready first."""
    found = [
        e for e in bank if e.kind == kind and e.reflection_id != exclude_reflection and e.parts()
    ]
    return sorted(found, key=lambda e: not e.is_ready)  # stable: newest first within each


def _ready_answer(wanted: Any, before: str | None) -> Any:
    """A ticked or unticked toggle as the list's yes/no, keeping "not answered" unticked."""
    if not isinstance(wanted, bool):
        return wanted
    if wanted:
        return "yes"
    return None if before is None else "no"


def update(store: Store, entry: BankEntry, values: Mapping[str, Any]) -> BankEntry:
    """Save new values for one entry's columns into its own reflection; the entry as saved.

    Raises InvalidAnswer (nothing written) for a value the list refuses, named by the
    column's label, and EntryGone when the row is no longer exactly what `entry` read
    (removed, reordered or edited elsewhere), so another answer is never overwritten.
    `ready` may be given as a bool (the bank's toggle).
    """
    columns = {c.key: c for c in FIELDS_BY_KEY[LIST_KEY].columns}
    unknown = set(values) - set(columns)
    if unknown:
        raise ValueError(f"Not a column of {LIST_KEY}: {sorted(unknown)}")
    cleaned = {
        key: clean_cell(
            columns[key],
            _ready_answer(value, entry.ready) if key == "ready" else value,
            columns[key].label,
        )
        for key, value in values.items()
    }
    gone = EntryGone(
        f"“{one_line(entry.question)}” has changed or been removed in its reflection "
        "since this page was drawn, so we didn't save over it."
    )
    read = journey.load_answers(store, entry.reflection_id).get(LIST_KEY)
    rows = _rows({LIST_KEY: read})
    here = rows[entry.index] if entry.index < len(rows) else None
    if not isinstance(here, Mapping) or _values(here) != _values(entry.row()):
        raise gone
    new_rows = list(rows)
    new_rows[entry.index] = {**here, **cleaned}
    try:
        # Checked again inside the write: an edit landing since the read above is kept.
        saved = journey.store_answer(
            store, entry.reflection_id, LIST_KEY, new_rows, if_still=read
        ).value
    except journey.AnswerChanged:
        raise gone from None
    return dataclasses.replace(entry, **_values(saved[entry.index]))


# --- Taking it away ----------------------------------------------------------------------------

_e = escape_md


def _source(entry: BankEntry, on: dt.date) -> str:
    about = f"after {_e(entry.about)}" if entry.about else "from a reflection"
    when = f", started {day_label(entry.started, on)}" if entry.started else ""
    return f"*{about}{when}*"


def _entry_lines(entry: BankEntry, on: dt.date) -> list[str]:
    ready = "Ready to use again." if entry.is_ready else "Still being worked on."
    lines = [f"**{_e(one_line(entry.question))}**", "", f"{_source(entry, on)} · {ready}", ""]
    if entry.parts():
        lines += [f"- **{label}:** {_e(text)}" for label, text in entry.parts()]
    else:
        lines.append("No answer written down yet.")
    return [*lines, ""]


def _known(kind: str | None) -> str | None:
    return kind if kind in KIND_LABELS else None


def markdown(bank: Iterable[BankEntry], agency_name: str, *, on: dt.date | None = None) -> str:
    """The bank to take away: one Markdown document, grouped by kind of question, every
    string the candidate wrote escaped so it reads as text."""
    on = on or today()
    bank = list(bank)
    ready = sum(entry.is_ready for entry in bank)
    lines = [
        "# My answer bank",
        "",
        f"*Made with Bounce Back from {_e(agency_name)} on {day_label(on, dt.date.min)}.*",
        "",
    ]
    if not bank:
        lines += [
            "No questions yet. Step 4 of a reflection is where you write down the questions "
            "that caught you out, with a better answer for next time.",
            "",
        ]
        return "\n".join(lines)
    lines += [
        f"{len(bank)} {'question' if len(bank) == 1 else 'questions'}, {ready} of them marked "
        "ready to use again. Read them aloud before your next interview: an answer you have "
        "said before comes more easily.",
        "",
    ]
    for kind in [*KIND_LABELS, None]:
        of_kind = [entry for entry in bank if _known(entry.kind) == kind]
        if of_kind:
            lines += [f"## {kind_name(kind)}", ""]
            for entry in of_kind:
                lines += _entry_lines(entry, on)
    return "\n".join(lines)


def printable(bank: Iterable[BankEntry], agency_name: str, *, on: dt.date | None = None) -> str:
    """The same document as a self-contained page that prints cleanly (the plan's style)."""
    return printable_page(f"My answer bank — {agency_name}", markdown(bank, agency_name, on=on))
