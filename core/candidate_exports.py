"""Take-away copies of My plan: Markdown, a standalone HTML page, a calendar, and JSON.

Every download is drawn from the one `core.plan.Plan` the page shows. Candidate text
enters the Markdown through `safe_html.escape_md`, which escapes only what Markdown would
act on (so the file reads cleanly, without stray backslashes), and the HTML is rendered from
that Markdown through `render_markdown`, which sanitises with nh3, so nothing a
candidate typed can become a live tag, handler or link in any download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from core import explainer, pattern_history, patterns
from core.checklist import ChecklistItem
from core.clock import day_label, stamp, system_clock
from core.plan import Plan
from core.safe_html import escape_html, escape_md, render_markdown
from core.settings import Settings
from core.store import Store
from core.taking_forward import DONE_SINCE_TITLE

ICS_LINE_OCTETS = 75

_e = escape_md


def _links(settings: Settings) -> list[str]:
    phone = settings.contact_phone
    return [
        f"- [Browse {_e(settings.agency_name)}'s vacancies]({settings.vacancies_url})",
        f"- [Talk to one of our consultants]({settings.contact_url})",
        f"- E-mail: [{_e(settings.contact_email)}](mailto:{settings.contact_email})",
        f"- Phone: {_e(phone)}",
    ]


def checklist_lines(plan: Plan) -> list[str]:
    if not plan.checklist:
        return ["Nothing to do yet. Your actions from steps 1 to 4 gather here.", ""]
    lines = []
    for item in plan.checklist:
        box = "[x]" if item.done else "[ ]"
        when = day_label(item.due_date, plan.today)
        note = " (suggested date)" if item.suggested and not item.done else ""
        detail = f" — {_e(item.detail)}" if item.detail else ""
        lines.append(f"- {box} **{when}**{note}: {_e(item.title)}{detail}")
    return [*lines, ""]


def forward_lines(plan: Plan) -> list[str]:
    forward = plan.forward
    if forward.empty:
        return [
            "Step 5 is where you note your strengths, small wins and what you learned. "
            "They're worth carrying into your next interview.",
            "",
        ]
    lines: list[str] = []
    for title, values in (
        (DONE_SINCE_TITLE, forward.done_since),
        ("Strengths you showed", forward.strengths),
        ("Small wins", forward.wins),
    ):
        if values:
            lines += [f"### {title}", "", *[f"- {_e(v)}" for v in values], ""]
    for title, text in (
        ("What you learned about the fit you want", forward.fit),
        ("Questions to ask next time", forward.questions),
    ):
        if text:
            lines += [f"### {title}", "", _e(text), ""]
    if forward.star:
        lines += ["### Your STAR answers", ""]
        for answer in forward.star:
            lines += [f"**{_e(answer.question)}**", ""]
            lines += [f"- *{label}:* {_e(text)}" for label, text in answer.parts()]
            lines.append("")
    return lines


def score_lines(plan: Plan) -> list[str]:
    result, why = plan.result, plan.explanation
    lines: list[str] = []
    if result.overall is not None:
        lines += [f"**Overall confidence: {result.overall} out of 100 ({result.band_label})**", ""]
    else:
        lines += [
            f"The overall score appears once at least {explainer.MIN_STEPS} steps have answers.",
            "",
        ]
    if plan.chart:
        lines += ["| Step | Score |", "| --- | --- |"]
        lines += [f"| {row['step']} | {row['score']} |" for row in plan.chart]
        lines.append("")
    if why.done:
        lines += ["What you've done:", ""] + [f"- {s}" for s in why.done] + [""]
    if why.lift:
        lines += ["What would lift it next:", ""]
        lines += [f"- {explainer.lift_sentence(lift)}" for lift in why.lift] + [""]
    if why.feelings:
        lines += ["About how you're feeling:", ""] + [f"- {s}" for s in why.feelings] + [""]
    return [*lines, f"*{explainer.NOT_A_DIAGNOSIS}*", ""]


def plan_markdown(plan: Plan, settings: Settings) -> str:
    """The whole plan as one Markdown document, with every candidate string escaped."""
    lines = ["# My plan", "", f"*Made with Bounce Back on {day_label(plan.today, dt.date.min)}.*"]
    lines.append("")
    if plan.about:
        stage = f" ({plan.stage})" if plan.stage else ""
        lines += [f"After: **{_e(plan.about)}**{stage}", ""]

    lines += ["## This week", "", *checklist_lines(plan)]
    lines += ["## What you're taking forward", "", *forward_lines(plan)]
    lines += ["## Where you are now", "", *score_lines(plan)]

    lines += ["## Messages ready to send", ""]
    for draft in plan.drafts:
        lines += [f"### {draft.title}", ""]
        if draft.subject:
            lines += [f"**Subject:** {_e(draft.subject)}", ""]
        # Quote every line, so a blank line in the message doesn't end the quote early.
        body = _e(draft.body) or "(empty)"
        lines += [f"> {line}" for line in body.split("\n")] + [""]

    lines += ["## Talk to a consultant", ""]
    if plan.reasons:
        lines += ["From your answers, a consultant could help:", ""]
        lines += [f"- **{_e(r.service)}**: {_e(r.text)}" for r in plan.reasons]
        lines.append("")
    lines += _links(settings) + [""]
    return "\n".join(lines)


PRINT_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.5;
       max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1f2933; }
h1, h2, h3 { line-height: 1.2; }
h2 { border-bottom: 1px solid #d9e2ec; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d9e2ec; padding: .3rem .7rem; text-align: left; }
blockquote { margin: .5rem 0; padding: .5rem 1rem; background: #f0f4f8;
             border-left: 4px solid #829ab1; white-space: normal; }
a { color: #0b5cad; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; color: #000; }
  a { color: #000; text-decoration: underline; }
  a[href^="https:"]::after { content: " (" attr(href) ")"; font-size: 9pt; }
  h2, h3 { break-after: avoid; }
  blockquote, tr, li { break-inside: avoid; }
}
"""


def printable_page(title: str, markdown: str) -> str:
    """`markdown` (already escaped where the candidate wrote it) as a self-contained page,
    no external fonts or scripts, that prints cleanly; `title` is plain text."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape_html(title)}</title>\n<style>{PRINT_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{render_markdown(markdown)}\n</main>\n</body>\n</html>\n"
    )


def plan_html(plan: Plan, settings: Settings) -> str:
    return printable_page(f"My plan — {settings.agency_name}", plan_markdown(plan, settings))


def _ics_text(value: str) -> str:
    """RFC 5545 TEXT escaping: backslash first, then ; and , and line breaks."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Split a content line into pieces of at most 75 octets, never inside a character."""
    pieces: list[str] = []
    current, size = "", 0
    limit = ICS_LINE_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            # Continuation lines start with one space, which counts toward the limit.
            current, size = " ", 1
        current += ch
        size += width
    pieces.append(current)
    return pieces


def _uid(item: ChecklistItem, seen: dict[str, int]) -> str:
    base = f"{item.step}|{item.key}"
    seen[base] = seen.get(base, 0) + 1
    digest = hashlib.sha256(f"{base}|{seen[base]}".encode()).hexdigest()[:32]
    # Stable across downloads, so importing the file again updates instead of duplicating.
    return f"{digest}@bounce-back"


def plan_ics(
    items: Sequence[ChecklistItem], *, agency_name: str = "", now: dt.datetime | None = None
) -> str:
    """An iCalendar file with one all-day event per open checklist item."""
    now = now or system_clock()
    dtstamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Bounce Back//My plan//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + _ics_text("My plan"),
    ]
    seen: dict[str, int] = {}
    for item in items:
        if item.done:
            continue
        day = item.due_date
        description = item.detail or "From your Bounce Back plan"
        if agency_name:
            description += f"\n{agency_name} is here if you'd like to talk it through."
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_uid(item, seen)}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(day + dt.timedelta(days=1)).strftime('%Y%m%d')}",
            "SUMMARY:" + _ics_text(item.title),
            "DESCRIPTION:" + _ics_text(description),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(piece + "\r\n" for line in lines for piece in _fold(line))


def candidate_data(store: Store, candidate_id: int) -> dict[str, Any]:
    """Everything stored about one candidate, read in one go, as plain JSON-ready data."""
    with store.read() as conn:
        candidate = conn.execute(
            "SELECT id, created_at FROM candidates WHERE id = ?", (candidate_id,)
        ).fetchone()
        if candidate is None:
            return {}
        reflections = conn.execute(
            "SELECT * FROM reflections WHERE candidate_id = ? ORDER BY created_at, id",
            (candidate_id,),
        ).fetchall()
        out_reflections = []
        for row in reflections:
            reflection = dict(row)
            answers = conn.execute(
                "SELECT key, value, updated_at FROM answers WHERE reflection_id = ? ORDER BY key",
                (row["id"],),
            ).fetchall()
            contacts = conn.execute(
                "SELECT * FROM contact_requests WHERE reflection_id = ? ORDER BY id",
                (row["id"],),
            ).fetchall()
            reflection["reasons"] = json.loads(reflection.pop("reasons_json") or "[]")
            reflection["shared_patterns"] = json.loads(
                reflection.pop("shared_patterns_json", None) or "null"
            )
            reflection["answers"] = {a["key"]: json.loads(a["value"]) for a in answers}
            reflection["contact_requests"] = [dict(c) for c in contacts]
            # The reminder opt-in and its address; the link tokens are hashes and stay out.
            reminder = conn.execute(
                "SELECT email, consent_version, consent_at, confirmed_at, stopped_at, "
                "stopped_why FROM reminder_optins WHERE reflection_id = ?",
                (row["id"],),
            ).fetchone()
            reflection["reminders"] = dict(reminder) if reminder is not None else None
            reflection["consents"] = _consents(reflection)
            out_reflections.append(reflection)
    # Worked out from the answers above, and written out too so the export says what the
    # candidate was shown.
    keeps_coming_up = patterns.find(pattern_history.load(store, candidate_id))
    return {
        "candidate": {"id": candidate["id"], "created_at": candidate["created_at"]},
        "reflections": out_reflections,
        "what_keeps_coming_up": None if keeps_coming_up.empty else keeps_coming_up.to_snapshot(),
    }


def _consents(reflection: Mapping[str, Any]) -> list[dict[str, Any]]:
    consents = []
    if reflection.get("consent_store_version"):
        consents.append(
            {
                "purpose": "store answers",
                "version": reflection["consent_store_version"],
                "given_at": reflection["consent_store_at"],
            }
        )
    if reflection.get("consent_review_version"):
        consents.append(
            {
                "purpose": "consultant review",
                "version": reflection["consent_review_version"],
                "given_at": reflection["consent_review_at"],
            }
        )
    if reflection.get("consent_patterns_version"):
        consents.append(
            {
                "purpose": "include what keeps coming up when sharing",
                "version": reflection["consent_patterns_version"],
                "given_at": reflection["consent_patterns_at"],
            }
        )
    if reflection.get("reminders"):
        consents.append(
            {
                "purpose": "reminders by e-mail",
                "version": reflection["reminders"]["consent_version"],
                "given_at": reflection["reminders"]["consent_at"],
            }
        )
    for request in reflection.get("contact_requests", []):
        consents.append(
            {
                "purpose": "contact me",
                "version": request["consent_version"],
                "given_at": request["consent_at"],
            }
        )
    return consents


def candidate_json(store: Store, candidate_id: int, now: dt.datetime | None = None) -> str:
    now = now or system_clock()
    data = {"exported_at": stamp(now), **candidate_data(store, candidate_id)}
    return json.dumps(data, ensure_ascii=False, indent=2)
