"""My plan, built once: this week's checklist, what they take forward, score, drafts, help.

`build_plan` turns a reflection's answers into one `Plan`. The page and every download
draw from that object, so the screen, the document, the printable page and the
calendar file always say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core import clock, drafts
from core.questionnaire import DIMENSION_LABELS, DIMENSIONS, STAGE_LABELS, STEPS
from core.scoring import Explanation, ScoreResult, explain, score
from core.suggestions import Reason, reasons_for

# Suggested dates, in days from when they heard (or from when they started, if we don't
# know). A reply and a feedback request are best sent within two days of the news; a
# polite chase after a week; a check-in once things have settled.
SEND_WITHIN_DAYS = 2
INVITE_AFTER_DAYS = 3
CHASE_AFTER_DAYS = 7
NEXT_STEP_AFTER_DAYS = 7
PRACTICE_AFTER_DAYS = 14
CHECK_IN_AFTER_DAYS = 28


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


def day_label(day: dt.date, today: dt.date) -> str:
    """'Wed 2 Dec', with the year only when it isn't this year's."""
    label = f"{day:%a} {day.day} {day:%b}"
    return label if day.year == today.year else f"{label} {day.year}"


def _rows(answers: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = answers.get(key)
    if not isinstance(value, list):
        return []
    return [row for row in value if isinstance(row, Mapping)]


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Draft:
    key: str
    title: str
    own: dt.date | None
    step: str
    detail: str
    after_days: int


def _candidates(answers: Mapping[str, Any]) -> list[_Draft]:
    """Every item the answers call for, in the order the article gives them."""
    out: list[_Draft] = []
    status = answers.get("feedback_status")
    who = drafts.first_name(_text(answers.get("feedback_contact_name")))
    to = f" to {who}" if who else ""
    if status in (None, "not_yet", "planning"):
        out.append(
            _Draft(
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
            _Draft(
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
            _Draft(
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
            _Draft(
                "rejection_reply",
                "Send your reply to the rejection",
                None,
                "connections",
                "A warm reply keeps the door open. Your draft is ready below.",
                SEND_WITHIN_DAYS,
            )
        )
    contacts = [(row, _text(row.get("name"))) for row in _rows(answers, "contacts")]
    for row, name in contacts:
        if name and row.get("connected") not in ("yes", "requested"):
            out.append(
                _Draft(
                    f"invite:{name}",
                    f"Send a LinkedIn invitation to {name}",
                    None,
                    "connections",
                    "Your invitation note is drafted below.",
                    INVITE_AFTER_DAYS,
                )
            )
    for row, name in contacts:
        if name:
            out.append(
                _Draft(
                    f"checkin:{name}",
                    f"Check in with {name}",
                    _date(row.get("next_check_in")),
                    "connections",
                    _text(row.get("role")),
                    CHECK_IN_AFTER_DAYS,
                )
            )
    for row in _rows(answers, "pipeline"):
        company = _text(row.get("company"))
        if company:
            out.append(
                _Draft(
                    f"pipeline:{company}",
                    f"Next step with {company}",
                    _date(row.get("next_step")),
                    "options",
                    _text(row.get("role")),
                    NEXT_STEP_AFTER_DAYS,
                )
            )
    # Lists whose every row is one thing to do by a date: (list, text, date, step, why, key).
    for field, text_key, date_key, step, why, prefix in (
        (
            "improvements",
            "action",
            "target_date",
            "approach",
            "Something you'll do differently",
            "improvement",
        ),
        ("action_points", "point", "due", "feedback", "From the feedback you received", "point"),
    ):
        for row in _rows(answers, field):
            what = _text(row.get(text_key))
            if what:
                out.append(
                    _Draft(
                        f"{prefix}:{what}",
                        what,
                        _date(row.get(date_key)),
                        step,
                        why,
                        PRACTICE_AFTER_DAYS,
                    )
                )
    return out


def _saved_state(answers: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(row.get("item")): row for row in _rows(answers, "checklist") if row.get("item")}


def checklist(
    answers: Mapping[str, Any], today: dt.date, started: dt.date | None = None
) -> list[ChecklistItem]:
    """This week's dated checklist: open items soonest first, done ones at the bottom.

    An item without a date of the candidate's own gets a suggested one, counted from
    when they heard the news (else from `started`, else today) and never in the past
    while it is still open.
    """
    anchor = _date(answers.get("news_date")) or started or today
    saved = _saved_state(answers)
    items = []
    seen: set[str] = set()
    for draft in _candidates(answers):
        if draft.key in seen:  # two rows with the same name are one thing to do
            continue
        seen.add(draft.key)
        state = saved.get(draft.key, {})
        done = state.get("done") == "yes"
        chosen = _date(state.get("due")) or draft.own
        if chosen:
            due, suggested = chosen, False
        else:
            due = anchor + dt.timedelta(days=draft.after_days)
            if not done:
                due = max(due, today)
            suggested = True
        items.append(
            ChecklistItem(
                draft.key,
                draft.title,
                due.isoformat(),
                draft.step,
                draft.detail,
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


@dataclass(frozen=True)
class StarAnswer:
    question: str
    situation: str
    task: str
    action: str
    result: str

    def parts(self) -> list[tuple[str, str]]:
        """(Situation|Task|Action|Result, what they wrote) for each part they wrote."""
        named = (
            ("Situation", self.situation),
            ("Task", self.task),
            ("Action", self.action),
            ("Result", self.result),
        )
        return [(label, text) for label, text in named if text]


@dataclass(frozen=True)
class TakingForward:
    strengths: list[str]
    wins: list[str]
    fit: str
    questions: str
    star: list[StarAnswer]

    @property
    def empty(self) -> bool:
        return not (self.strengths or self.wins or self.fit or self.questions or self.star)


def taking_forward(answers: Mapping[str, Any]) -> TakingForward:
    """What they have going for them: strengths, wins, fit, questions, STAR answers."""

    def listed(key: str, column: str) -> list[str]:
        return [t for t in (_text(r.get(column)) for r in _rows(answers, key)) if t]

    star = []
    for row in _rows(answers, "tough_questions"):
        parts = [_text(row.get(k)) for k in ("question", "situation", "task", "action", "result")]
        if parts[0] and any(parts[1:]):
            star.append(StarAnswer(*parts))
    fit = answers.get("fit_learned")
    questions = answers.get("questions_next_time")
    return TakingForward(
        strengths=listed("strengths", "strength"),
        wins=listed("small_wins", "win"),
        fit=fit.strip() if isinstance(fit, str) else "",
        questions=questions.strip() if isinstance(questions, str) else "",
        star=star,
    )


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
    """The messages to send: the candidate's edited version when saved, else a fresh draft.

    Once feedback has come back, a thank-you note takes the feedback request's place.
    """
    if answers.get("feedback_status") == "received":
        first = drafts.feedback_thanks(answers)
        first_key, first_title = "feedback_thanks", "Thank-you for the feedback"
    else:
        first = drafts.feedback_request(answers, agency_name)
        first_key, first_title = "feedback_request", "Feedback request"
    reply = drafts.rejection_reply(answers)
    note = drafts.linkedin_note(answers)
    out = []
    for key, title, subject, generated in (
        (first_key, first_title, first.subject, first.body),
        ("rejection_reply", "Reply to the rejection", reply.subject, reply.body),
        ("linkedin_note", "LinkedIn invitation note", "", note),
    ):
        saved = answers.get(key)
        edited = drafts.is_edited(saved)
        out.append(PlanDraft(key, title, subject, saved if edited else generated, edited))
    return out


@dataclass(frozen=True)
class Plan:
    today: dt.date
    about: str  # "Senior Data Analyst at Acme", or "" when neither is known
    stage: str  # "Final interview", or ""
    result: ScoreResult
    explanation: Explanation
    checklist: list[ChecklistItem]
    forward: TakingForward
    drafts: list[PlanDraft]
    reasons: list[Reason]
    chart: list[dict[str, Any]]
    unscored: list[str]

    @property
    def open_items(self) -> list[ChecklistItem]:
        return [item for item in self.checklist if not item.done]


def build_plan(
    answers: Mapping[str, Any],
    agency_name: str,
    *,
    today: dt.date | None = None,
    started: dt.date | None = None,
    asked_to_talk: bool = False,
) -> Plan:
    """Everything My plan shows, from the answers: the one source for page and downloads."""
    today = today or clock.today()
    result = score(answers)
    role, company = _text(answers.get("role")), _text(answers.get("company"))
    return Plan(
        today=today,
        about=" at ".join(v for v in (role, company) if v),
        stage=STAGE_LABELS.get(answers.get("stage_reached") or "", ""),
        result=result,
        explanation=explain(result),
        checklist=checklist(answers, today, started),
        forward=taking_forward(answers),
        drafts=current_drafts(answers, agency_name),
        reasons=reasons_for(result, answers, asked_to_talk=asked_to_talk),
        chart=dimension_rows(result),
        unscored=unscored_steps(result),
    )


def sent_status(request: Mapping[str, Any], shared: bool, today: dt.date) -> str:
    """What the candidate sent, when, and how they'll be contacted, in one paragraph.

    The request's time is its own: a reflection shared before or after it is mentioned
    as being with consultants now, without claiming it went at the same moment."""
    sent = dt.datetime.fromisoformat(str(request["created_at"]))
    when = f"{day_label(sent.date(), today)} at {sent:%H:%M} UTC"
    what = "your contact details and your message" + (
        ", and your reflection is with them too" if shared else ""
    )
    email, phone = request.get("email"), request.get("phone")
    channel = request.get("channel")
    if channel == "email" or (channel == "either" and email and not phone):
        how = f"by e-mail at {email}"
    elif channel == "phone" or (channel == "either" and phone and not email):
        how = f"by phone on {phone}"
    else:
        how = f"by e-mail at {email} or by phone on {phone}"
    timing = request.get("preferred_time")
    timing_text = f" ({timing}, if they can)" if timing else ""
    return f"Sent on {when}: {what}. A consultant will get in touch {how}{timing_text}."
