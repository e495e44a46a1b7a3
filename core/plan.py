"""What goes on My plan: dated action items, chart data, drafts to send, what's missing.

Pure functions over a reflection's answers; the page and the exports both read them, so
the screen and the downloads always say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core import drafts
from core.questionnaire import DIMENSION_LABELS, DIMENSIONS, STEPS
from core.scoring import ScoreResult

# When someone is waiting on feedback, a week is a fair time before a polite nudge.
CHASE_AFTER_DAYS = 7


@dataclass(frozen=True)
class ActionItem:
    title: str
    due: str | None  # ISO date, or None when the candidate gave no date
    step: str  # the questionnaire step it came from
    detail: str = ""

    @property
    def due_date(self) -> dt.date | None:
        return dt.date.fromisoformat(self.due) if self.due else None


def _rows(answers: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = answers.get(key)
    if not isinstance(value, list):
        return []
    return [row for row in value if isinstance(row, Mapping)]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _iso(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def _chase_item(answers: Mapping[str, Any], today: dt.date) -> ActionItem | None:
    if answers.get("feedback_status") != "asked":
        return None
    who = _text(answers.get("feedback_contact_name"))
    title = f"Chase your feedback from {who}" if who else "Chase your feedback"
    news = _iso(answers.get("news_date"))
    due = None
    if news:
        # Never suggest a date that has already gone by: if the week is up, chase now.
        due = max(dt.date.fromisoformat(news) + dt.timedelta(days=CHASE_AFTER_DAYS), today)
    return ActionItem(
        title=title,
        due=due.isoformat() if due else None,
        step="feedback",
        detail="A short, friendly follow-up is normal if you haven't heard back.",
    )


def action_items(answers: Mapping[str, Any], today: dt.date | None = None) -> list[ActionItem]:
    """Every action the candidate has written down, soonest first, undated ones last."""
    today = today or dt.date.today()
    items: list[ActionItem] = []
    for row in _rows(answers, "action_points"):
        point = _text(row.get("point"))
        if point:
            items.append(ActionItem(point, None, "feedback", "From the feedback you received"))
    chase = _chase_item(answers, today)
    if chase:
        items.append(chase)
    for row in _rows(answers, "contacts"):
        name = _text(row.get("name"))
        if not name:
            continue
        role = _text(row.get("role"))
        items.append(
            ActionItem(
                f"Check in with {name}",
                _iso(row.get("next_check_in")),
                "connections",
                role,
            )
        )
    for row in _rows(answers, "pipeline"):
        company = _text(row.get("company"))
        if not company:
            continue
        role = _text(row.get("role"))
        items.append(
            ActionItem(
                f"Next step with {company}",
                _iso(row.get("next_step")),
                "options",
                role,
            )
        )
    for row in _rows(answers, "improvements"):
        action = _text(row.get("action"))
        if action:
            items.append(
                ActionItem(action, _iso(row.get("target_date")), "approach", "Your improvement")
            )
    # Stable sort: undated items keep the order they were written in, after the dated ones.
    return sorted(items, key=lambda item: (item.due is None, item.due or ""))


def dated_items(items: Sequence[ActionItem]) -> list[ActionItem]:
    return [item for item in items if item.due]


def dimension_rows(result: ScoreResult) -> list[dict[str, Any]]:
    """One row per scored dimension, in journey order, for the breakdown chart."""
    return [
        {"step": DIMENSION_LABELS[d], "order": i + 1, "score": result.dimensions[d]}
        for i, d in enumerate(DIMENSIONS)
        if result.dimensions[d] is not None
    ]


def unscored_steps(result: ScoreResult) -> list[str]:
    """Titles of the steps that have no score yet, as 'Step 2: Keep connections open'."""
    return [
        f"Step {step.number}: {step.title}"
        for step in STEPS
        if result.dimensions.get(step.dimension) is None
    ]


def trend_rows(history: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Overall score per reflection over time, skipping reflections with no overall yet."""
    rows = []
    for number, entry in enumerate(history, start=1):
        if entry.get("overall") is None:
            continue
        label = _text(entry.get("company")) or f"Reflection {number}"
        rows.append(
            {
                "date": str(entry.get("created_at", ""))[:10],
                "reflection": f"{number}. {label}",
                "overall": entry["overall"],
            }
        )
    return rows


@dataclass(frozen=True)
class PlanDraft:
    key: str
    title: str
    subject: str
    body: str
    edited: bool


def current_drafts(answers: Mapping[str, Any], agency_name: str) -> list[PlanDraft]:
    """The three messages: the candidate's edited version when saved, else a fresh draft."""
    request = drafts.feedback_request(answers, agency_name)
    reply = drafts.rejection_reply(answers)
    note = drafts.linkedin_note(answers)
    out = []
    for key, title, subject, generated in (
        ("feedback_request", "Feedback request", request.subject, request.body),
        ("rejection_reply", "Reply to the rejection", reply.subject, reply.body),
        ("linkedin_note", "LinkedIn invitation note", "", note),
    ):
        saved = answers.get(key)
        edited = isinstance(saved, str) and bool(saved.strip())
        out.append(PlanDraft(key, title, subject, saved if edited else generated, edited))
    return out
