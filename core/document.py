"""One submitted reflection as a readable document, for the detail view and its export.

Built as Markdown with every candidate string passed through `escape_md`, then rendered
by `core.safe_html.render_markdown` (which sanitises with nh3). Whatever a candidate
typed, the consultant sees it as text: no tags, handlers, links or remote images.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from core import patterns
from core.answer_values import role_at_company
from core.contact import CHANNELS
from core.journey import shared_patterns
from core.questionnaire import (
    BAND_LABELS,
    CONTEXT_FIELDS,
    DIMENSION_LABELS,
    DIMENSIONS,
    LIKERT_LABELS,
    STAGE_LABELS,
    STEPS,
    Field,
)
from core.queue import reasons_of
from core.reasons import flags, for_staff
from core.review import STATUS_LABELS
from core.safe_html import escape_md, render_markdown
from core.scoring import whole

LIKERT = dict(LIKERT_LABELS)
CHANNEL_LABELS = dict(CHANNELS)


def text(value: Any) -> str:
    """Candidate text of any kind made inert for Markdown (numbers and dates too)."""
    return escape_md(str(value))


def cell(value: Any) -> str:
    """Candidate text for one table cell: a cell cannot hold a line break."""
    return text(" ".join(str(value).split()))


def when(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return text(iso)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
        return moment.strftime("%d %b %Y, %H:%M UTC")
    return moment.strftime("%d %b %Y")


def _choice(field_options: Sequence[tuple[str, str]], value: Any) -> str:
    return dict(field_options).get(value, str(value))


def _field_lines(f: Field, value: Any) -> list[str]:
    label = text(f.label)
    if f.kind == "table":
        rows = [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []
        if not rows:
            return []
        header = "| " + " | ".join(text(c.label) for c in f.columns) + " |"
        # The blank line first ends any list above, so the heading never runs into the
        # answer before it ("I'm drafting it People worth staying in touch with").
        lines = ["", f"**{label}**", "", header, "|" + " --- |" * len(f.columns)]
        for row in rows:
            cells = []
            for c in f.columns:
                v = row.get(c.key)
                if v in (None, ""):
                    cells.append(" ")
                elif c.kind == "choice":
                    cells.append(cell(_choice(c.options, v)))
                else:
                    cells.append(cell(v))
            lines.append("| " + " | ".join(cells) + " |")
        return [*lines, ""]
    if value in (None, ""):
        return []
    if f.kind == "likert":
        shown = f"{LIKERT.get(value, value)} ({value}/5)"
        return [f"- {label} **{text(shown)}**"]
    if f.kind == "choice":
        return [f"- {label} **{text(_choice(f.options, value))}**"]
    if f.kind == "date":
        return [f"- {label} **{text(value)}**"]
    if f.kind == "text":
        return [f"- {label} **{text(value)}**"]
    return ["", f"**{label}**", "", text(value), ""]


def _section(fields: Sequence[Field], answers: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    for f in fields:
        lines += _field_lines(f, answers.get(f.key))
    return lines or ["*Nothing written here.*"]


def score_rows(reflection: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The per-step scores stored at submission, for the chart."""
    rows = []
    for order, dim in enumerate(DIMENSIONS):
        value = reflection.get(f"score_{dim}")
        if value is not None:
            rows.append({"step": DIMENSION_LABELS[dim], "order": order, "score": value})
    return rows


def reflection_markdown(
    reflection: Mapping[str, Any],
    answers: Mapping[str, Any],
    contacts: Sequence[Mapping[str, Any]] = (),
    *,
    title: bool = True,
    scores: bool = True,
) -> str:
    """The whole reflection as Markdown. Contact details appear only from contact
    requests, each of which carries the candidate's consent to be contacted.

    `title=False` leaves out the heading (the page shows its own); `scores=False` leaves
    out the score table (the page shows the same scores as a chart, once).
    """
    lines = [f"# {text(heading(reflection))}", ""] if title else []
    about = role_at_company(reflection.get("role"), reflection.get("company"))
    about = text(about) if about else "Role and company not given"
    stage = STAGE_LABELS.get(reflection.get("stage_reached") or "", "")
    lines += [f"**{about}**" + (f" — reached: {text(stage)}" if stage else ""), ""]
    meta = [
        f"- In the queue since: {when(reflection.get('submitted_at'))}",
        f"- Status: {STATUS_LABELS.get(reflection.get('review_status') or '', '')}",
    ]
    campaign = [
        f"{k.removeprefix('utm_')}: {text(reflection[k])}"
        for k in ("utm_source", "utm_medium", "utm_campaign", "ref")
        if reflection.get(k)
    ]
    if campaign:
        meta.append("- Came from: " + ", ".join(campaign))
    lines += [*meta, ""]

    if scores:
        lines += ["## Score when shared", ""]
        overall = reflection.get("overall")
        if overall is not None:
            band = BAND_LABELS.get(reflection.get("band") or "", "")
            lines += [f"**Overall {whole(overall)} / 100** — {text(band)}", ""]
        else:
            lines += ["Not enough steps were answered for an overall score.", ""]
        rows = score_rows(reflection)
        if rows:
            lines += ["| Step | Score |", "| --- | ---: |"]
            lines += [f"| {text(r['step'])} | {whole(r['score'])} |" for r in rows]
            lines.append("")

    lines += ["## Why a consultant might help", ""]
    reasons = reasons_of(reflection.get("reasons_json"))
    if reasons:
        # Consultants read this: the reason in their words, not the candidate's.
        lines += [f"- **{text(r.get('service', ''))}**: {text(for_staff(r))}" for r in reasons]
    else:
        lines.append("No particular reason flagged; the candidate chose to share it.")
    lines.append("")

    lines += patterns_lines(reflection)

    lines += ["## Contact details", ""]
    if contacts:
        lines += contact_lines(contacts)
    else:
        lines.append("The candidate didn't ask to be contacted, so no contact details are held.")
    lines.append("")

    lines += ["## About the interview", ""]
    lines += [*_section(CONTEXT_FIELDS, answers), ""]
    for step in STEPS:
        lines += [f"## {step.number}. {text(step.title)}", ""]
        lines += [*_section(step.fields, answers), ""]
    return "\n".join(lines)


def shared_keeps_coming_up(reflection: Mapping[str, Any]) -> patterns.Patterns | None:
    """The candidate's "what keeps coming up", if they chose to share it with this reflection."""
    snapshot = shared_patterns(reflection)
    if snapshot is None:
        return None
    found = patterns.from_snapshot(snapshot)
    return None if found.empty else found


def patterns_lines(reflection: Mapping[str, Any]) -> list[str]:
    """The candidate's "what keeps coming up", as shared (nothing if it was not)."""
    found = shared_keeps_coming_up(reflection)
    if found is None:
        return []
    lines = [
        "## What keeps coming up",
        "",
        f"Shared by the candidate, across {found.reflections} reflections, as it stood when "
        "they shared.",
        "",
    ]
    for finding in found.findings:
        lines.append(f"- **{text(finding.headline)}**. {text(finding.detail)}")
        lines.append(f"    - Next step suggested to them: {text(finding.next_step)}")
    lines += [f"- {text(trend.sentence)}" for trend in found.trends]
    return [*lines, ""]


def contact_lines(contacts: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each contact request as a Markdown list item: only what was given with consent."""
    lines = []
    for c in contacts:
        lines.append(f"- **{text(c.get('name') or '')}**")
        if c.get("email"):
            lines.append(f"    - E-mail: {text(c['email'])}")
        if c.get("phone"):
            lines.append(f"    - Phone: {text(c['phone'])}")
        channel = CHANNEL_LABELS.get(c.get("channel") or "", c.get("channel") or "")
        lines.append(f"    - Prefers: {text(channel)}")
        if c.get("preferred_time"):
            lines.append(f"    - Best time: {text(c['preferred_time'])}")
        if c.get("message"):
            lines.append(f"    - Message: {text(' '.join(str(c['message']).split()))}")
        lines.append(
            f"    - Consent to contact given {when(c.get('consent_at'))} "
            f"({text(c.get('consent_version') or '')})"
        )
    return lines


def contact_request_markdown(
    reflection: Mapping[str, Any],
    contacts: Sequence[Mapping[str, Any]],
    *,
    title: bool = True,
) -> str:
    """A contact request from a candidate who did not share their answers: the contact
    details and message they gave with their consent, and nothing else."""
    rid = reflection["id"]
    lines = [f"# Contact request #{int(rid)}", ""] if title else []
    lines += [
        "The candidate asked one of our consultants to contact them. They haven't shared "
        "their reflection, so only what they gave with their request is here.",
        "",
        f"- Asked: {when(reflection.get('submitted_at'))}",
        f"- Status: {STATUS_LABELS.get(reflection.get('review_status') or '', '')}",
        "",
        "## Contact details",
        "",
        *contact_lines(contacts),
        "",
    ]
    return "\n".join(lines)


def reflection_html(
    reflection: Mapping[str, Any],
    answers: Mapping[str, Any],
    contacts: Sequence[Mapping[str, Any]] = (),
    *,
    title: bool = True,
    scores: bool = True,
) -> str:
    return render_markdown(
        reflection_markdown(reflection, answers, contacts, title=title, scores=scores)
    )


def heading(reflection: Mapping[str, Any]) -> str:
    """'Senior Data Analyst at Northwind · Reflection #12' (the number is how colleagues
    refer to it), or just 'Reflection #12' when neither role nor company is known.

    Plain text: callers escape it for wherever it goes (st.title takes Markdown)."""
    about = role_at_company(reflection.get("role"), reflection.get("company"))
    number = f"Reflection #{int(reflection['id'])}"
    return f"{about} · {number}" if about else number


def summary(
    reflection: Mapping[str, Any],
    answers: Mapping[str, Any],
    contacts: Sequence[Mapping[str, Any]] = (),
) -> list[str]:
    """The detail page's one-glance line, in parts: contact preference, the top two
    reasons in a consultant's words, and key flags. Plain text, for escaping by callers."""
    parts = []
    if contacts:
        latest = contacts[-1]
        how = CHANNEL_LABELS.get(latest.get("channel") or "", "")
        timing = latest.get("preferred_time")
        parts.append("Wants contact: " + how + (f", {timing}" if timing else ""))
    else:
        parts.append("No contact requested")
    reasons = [r for r in reasons_of(reflection.get("reasons_json")) if r.get("code")]
    top = [for_staff(r) for r in reasons]
    if top:
        parts.append("Top reasons: " + "; ".join(top[:2]))
    raised = flags(answers)
    if raised:
        parts.append("Flags: " + "; ".join(raised))
    found = shared_keeps_coming_up(reflection)
    line = patterns.consultant_line(found) if found is not None else None
    if line:
        parts.append("Keeps coming up: " + line)
    return parts
