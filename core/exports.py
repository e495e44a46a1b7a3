"""Take-away copies of My plan: Markdown, a standalone HTML page, a calendar, and JSON.

Candidate text is escaped with `escape_md` before it enters the Markdown, and the HTML
is rendered from that Markdown through `render_markdown`, which sanitises with nh3, so
nothing a candidate typed can become a live tag, handler or link in any download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from core import explainer
from core.plan import ActionItem, action_items, current_drafts, dimension_rows
from core.questionnaire import STAGES
from core.safe_html import escape_html, escape_md, render_markdown
from core.scoring import explain, score
from core.settings import Settings
from core.store import Store
from core.suggestions import reasons_for

STAGE_LABELS = dict(STAGES)
ICS_LINE_OCTETS = 75


def _e(value: Any) -> str:
    return escape_md(str(value)) if value not in (None, "") else ""


def _links(settings: Settings) -> list[str]:
    phone = settings.contact_phone
    return [
        f"- [Browse {_e(settings.agency_name)}'s vacancies]({settings.vacancies_url})",
        f"- [Talk to one of our consultants]({settings.contact_url})",
        f"- E-mail: [{_e(settings.contact_email)}](mailto:{settings.contact_email})",
        f"- Phone: {_e(phone)}",
    ]


def plan_markdown(
    answers: Mapping[str, Any],
    settings: Settings,
    *,
    asked_to_talk: bool = False,
    today: dt.date | None = None,
) -> str:
    """The whole plan as one Markdown document, with every candidate string escaped."""
    today = today or dt.date.today()
    result = score(answers)
    lines = ["# My plan", "", f"*Made with Bounce Back on {today.isoformat()}.*", ""]
    company, role = answers.get("company"), answers.get("role")
    if company or role:
        about = " at ".join(_e(v) for v in (role, company) if v)
        stage = STAGE_LABELS.get(answers.get("stage_reached", ""), "")
        lines += [f"After: **{about}**" + (f" ({_e(stage)})" if stage else ""), ""]

    lines += ["## Where you are now", ""]
    if result.overall is not None:
        lines += [f"**Overall confidence: {result.overall:g} / 100 — {result.band_label}**", ""]
    else:
        lines += ["The overall score appears once at least three steps have answers.", ""]
    chart = dimension_rows(result)
    if chart:
        lines += ["| Step | Score |", "| --- | --- |"]
        lines += [f"| {_e(row['step'])} | {row['score']:g} |" for row in chart]
        lines.append("")
    why = explain(result)
    if why.raised:
        lines += ["What lifted it:", ""] + [f"- {_e(s)}" for s in why.raised] + [""]
    if why.lowered:
        lines += ["What held it back:", ""] + [f"- {_e(s)}" for s in why.lowered] + [""]
    lines += [f"*{_e(explainer.NOT_A_DIAGNOSIS)}*", ""]

    lines += ["## Your actions", ""]
    items = action_items(answers, today)
    if items:
        for item in items:
            when = item.due or "No date yet"
            detail = f" — {_e(item.detail)}" if item.detail else ""
            lines.append(f"- **{when}**: {_e(item.title)}{detail}")
    else:
        lines.append("No actions written down yet. Steps 1 to 4 are where they come from.")
    lines.append("")

    lines += ["## Messages ready to send", ""]
    for draft in current_drafts(answers, settings.agency_name):
        lines += [f"### {_e(draft.title)}", ""]
        if draft.subject:
            lines += [f"**Subject:** {_e(draft.subject)}", ""]
        # Quote every line, so a blank line in the message doesn't end the quote early.
        body = _e(draft.body) or "(empty)"
        lines += [f"> {line}" for line in body.split("\n")] + [""]

    lines += ["## Talking to someone", ""]
    reasons = reasons_for(result, answers, asked_to_talk=asked_to_talk)
    if reasons:
        lines += ["A consultant could help with:", ""]
        lines += [f"- **{_e(r.service)}**: {_e(r.text)}" for r in reasons]
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


def plan_html(
    answers: Mapping[str, Any],
    settings: Settings,
    *,
    asked_to_talk: bool = False,
    today: dt.date | None = None,
) -> str:
    """A self-contained page (no external fonts or scripts) that prints cleanly."""
    body = render_markdown(
        plan_markdown(answers, settings, asked_to_talk=asked_to_talk, today=today)
    )
    title = escape_html(f"My plan — {settings.agency_name}")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{PRINT_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


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


def _uid(item: ActionItem, seen: dict[str, int]) -> str:
    base = f"{item.step}|{item.title}|{item.due}"
    seen[base] = seen.get(base, 0) + 1
    digest = hashlib.sha256(f"{base}|{seen[base]}".encode()).hexdigest()[:32]
    # Stable across downloads, so importing the file again updates instead of duplicating.
    return f"{digest}@bounce-back"


def plan_ics(
    items: Sequence[ActionItem], *, agency_name: str = "", now: dt.datetime | None = None
) -> str:
    """An iCalendar file with one all-day event per dated action item."""
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
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
        day = item.due_date
        if day is None:
            continue
        description = item.detail or "From your Bounce Back plan"
        if agency_name:
            description += f"\n{agency_name} is here if you'd like to talk it through."
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_uid(item, seen)}",
            f"DTSTAMP:{stamp}",
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
            reflection["answers"] = {a["key"]: json.loads(a["value"]) for a in answers}
            reflection["contact_requests"] = [dict(c) for c in contacts]
            reflection["consents"] = _consents(reflection)
            out_reflections.append(reflection)
    return {
        "candidate": {"id": candidate["id"], "created_at": candidate["created_at"]},
        "reflections": out_reflections,
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
    now = now or dt.datetime.now(dt.UTC)
    data = {"exported_at": now.isoformat(timespec="seconds"), **candidate_data(store, candidate_id)}
    return json.dumps(data, ensure_ascii=False, indent=2)
