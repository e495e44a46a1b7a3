"""Messages drafted from the candidate's answers: feedback request, reply, LinkedIn note,
and which version of each My plan offers (theirs once edited, else ours).

Every draft reads only the answers it needs and falls back to neutral wording when an
answer is missing, so a half-filled questionnaire still gives a message worth sending.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from core.answer_values import one_line, role_at_company
from core.questionnaire import LINKEDIN_NOTE_LIMIT
from core.validation import InvalidAnswer, clean_answer, is_blank

ELLIPSIS = "…"

# How each stage reads inside a sentence ("after the final interview").
STAGE_PHRASES = {
    "phone_screen": "the phone screen",
    "first_interview": "the first interview",
    "second_interview": "the second interview",
    "final_interview": "the final interview",
    "assessment_centre": "the assessment centre",
}


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str


def is_edited(saved: Any) -> bool:
    """Has the candidate made a message their own? Only then is a saved draft kept as is;
    otherwise (nothing saved, or only blanks) our suggestion follows their answers."""
    return isinstance(saved, str) and not is_blank(saved)


def _first_contact_name(answers: Mapping[str, Any]) -> str:
    contacts = answers.get("contacts")
    if isinstance(contacts, list):
        for row in contacts:
            if isinstance(row, dict) and one_line(row.get("name")):
                return one_line(row.get("name"))
    return ""


def _role_phrase(role: str, company: str, *, company_fallback: str = "") -> str:
    """'the Data Analyst role at Acme', degrading when either part is unknown."""
    where = company or company_fallback
    if role and where:
        return f"the {role} role at {where}"
    if role:
        return f"the {role} role"
    if where:
        return f"the role at {where}"
    return "the role"


TITLES = {"dr", "mr", "mrs", "ms", "mx", "prof"}
SIGNATURE_PLACEHOLDER = "[Your name]"


def first_name(name: str) -> str:
    """The name to greet someone by: 'Tom' for 'Tom Reyes', 'Dr Okafor' kept whole."""
    parts = name.split()
    if not parts:
        return ""
    if parts[0].rstrip(".").lower() in TITLES:
        return f"{parts[0]} {parts[-1]}" if len(parts) > 1 else parts[0]
    return parts[0]


def _greeting(name: str) -> str:
    first = first_name(name)
    return f"Hi {first}," if first else "Hello,"


def signature(answers: Mapping[str, Any]) -> str:
    """The candidate's own name as they gave it on Welcome, or a placeholder to fill in."""
    return one_line(answers.get("own_name")) or SIGNATURE_PLACEHOLDER


def request_planned(answers: Mapping[str, Any]) -> bool:
    """A separate feedback request is on its way (or done), so the reply needn't ask too.

    The reply and the request both go to the person named in step 1, so asking in both
    would ask the same person twice. Only with nobody chosen to ask, and no request
    made, does the reply carry the one gentle ask.
    """
    status = answers.get("feedback_status")
    if status in ("asked", "received", "declined"):
        return True
    return bool(answers.get("feedback_contact") or one_line(answers.get("feedback_contact_name")))


def feedback_request(answers: Mapping[str, Any], agency_name: str) -> Draft:
    """A polite request for specific, actionable feedback, shaped by who is asked.

    `agency_name` is accepted so callers can pass the branding along, but the message
    does not name the agency: the candidate may have applied through someone else.
    """
    del agency_name
    contact = answers.get("feedback_contact")
    name = one_line(answers.get("feedback_contact_name"))
    company = one_line(answers.get("company"))
    role = one_line(answers.get("role"))
    stage = STAGE_PHRASES.get(answers.get("stage_reached") or "")

    if contact in ("hiring_manager", "hr"):
        about = _role_phrase(role, company, company_fallback="your company")
    else:
        about = _role_phrase(role, company)

    if role and company:
        subject = f"Feedback on my interview for {role} at {company}"
    elif role:
        subject = f"Feedback on my interview for the {role} role"
    elif company:
        subject = f"Feedback on my interview with {company}"
    else:
        subject = "Feedback on my recent interview"

    outcome = (
        f"I was disappointed not to go further after {stage}, but I'd like to learn from it."
        if stage
        else "I was disappointed by the outcome, but I'd like to learn from it."
    )

    if contact == "recruiter":
        opening = f"Thank you for your help with my application for {about}."
        ask = (
            "I know feedback often comes through you. Could you ask the interviewers"
            + (f" at {company}" if company else "")
            + " whether they'd share two or three specific points I could work on?"
        )
    elif contact == "hiring_manager":
        opening = f"Thank you for your time interviewing me for {about}."
        ask = (
            "As you led the interviews, your view would help me most. Could you share "
            "two or three specific points I could work on?"
        )
    elif contact == "hr":
        opening = f"Thank you for looking after me during the process for {about}."
        ask = (
            "Could you share, or ask the interview panel for, two or three specific "
            "points I could work on?"
        )
    else:
        opening = f"Thank you for the opportunity to interview for {about}."
        ask = "Could you share two or three specific points I could work on?"

    detail = (
        "For example: where my answers fell short of what the team was looking for, any "
        "skills or experience that tipped the decision, and anything about how I came "
        "across that I could do differently. Honest, detailed points are the most useful "
        "to me, even if they're brief."
    )
    closing = (
        "Thank you for considering this. I'd still be glad to hear about suitable roles in future."
    )
    body = "\n\n".join(
        [
            _greeting(name),
            f"{opening} {outcome}",
            f"{ask} {detail}",
            closing,
            f"Kind regards,\n{signature(answers)}",
        ]
    )
    return Draft(subject=subject, body=body)


def feedback_thanks(answers: Mapping[str, Any]) -> Draft:
    """A short thank-you once feedback has come back: it closes the loop warmly."""
    name = one_line(answers.get("feedback_contact_name"))
    company = one_line(answers.get("company"))
    role = one_line(answers.get("role"))
    subject = (
        f"Thank you for the feedback – {role or company}"
        if role or company
        else ("Thank you for the feedback")
    )
    points = answers.get("action_points")
    acting = (
        "I've already picked out a few points to work on before my next interview."
        if isinstance(points, list) and points
        else "I'll be working on it before my next interview."
    )
    body = "\n\n".join(
        [
            _greeting(name),
            "Thank you for taking the time to share feedback on my interview"
            + (f" for {_role_phrase(role, company)}." if role or company else ".")
            + " It was genuinely useful.",
            f"{acting} I'd be glad to be considered for future roles that fit, and I hope "
            "we stay in touch.",
            f"Best wishes,\n{signature(answers)}",
        ]
    )
    return Draft(subject=subject, body=body)


def rejection_reply(answers: Mapping[str, Any]) -> Draft:
    """A gracious reply to the rejection that keeps the door open for later roles."""
    name = one_line(answers.get("feedback_contact_name"))
    company = one_line(answers.get("company"))
    role = one_line(answers.get("role"))
    stage = STAGE_PHRASES.get(answers.get("stage_reached") or "")

    if role or company:
        subject = f"Thank you – {role_at_company(role, company)}"
    else:
        subject = "Thank you for letting me know"

    about = _role_phrase(role, company, company_fallback="")
    journey = (
        f"I enjoyed getting as far as {stage} and meeting the team"
        if stage
        else "I enjoyed meeting the team"
    )
    team = f"the work at {company}" if company else "the work you do"
    closing = (
        "I hope we stay in touch."
        if request_planned(answers)
        else "If you're able to share any feedback, I'd welcome it. I hope we stay in touch."
    )
    body = "\n\n".join(
        [
            _greeting(name),
            f"Thank you for letting me know the outcome of my application for {about}, and "
            "for the time everyone gave me during the process.",
            f"Of course I'm disappointed, but {journey}, and it confirmed how interested I "
            f"am in {team}. I'd be very glad to be considered for future roles that fit my "
            "experience, so please do keep me in mind.",
            closing,
            f"Best wishes,\n{signature(answers)}",
        ]
    )
    return Draft(subject=subject, body=body)


def _extends_previous(ch: str) -> bool:
    """True for characters that belong to the character before them (accents, emoji
    modifiers, joiners, variation selectors)."""
    return unicodedata.category(ch) in ("Mn", "Me", "Cf") or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _shorten(text: str, length: int) -> str:
    """Cut `text` to at most `length` characters, ending in '…', at a boundary that does
    not split a letter from its accent or an emoji from its joiner or modifier."""
    if len(text) <= length:
        return text
    keep = length - len(ELLIPSIS)
    if keep <= 0:
        return ""
    # Move the cut back while the first dropped character still belongs to the last
    # kept one, or the last kept one is a joiner waiting for what follows.
    while keep > 0 and (_extends_previous(text[keep]) or text[keep - 1] == "\u200d"):
        keep -= 1
    cut = text[:keep].rstrip(" ,.;:-–")
    return cut + ELLIPSIS if cut else ""


def _note_text(name: str, role: str, company: str, long_form: bool) -> str:
    first = first_name(name)
    greeting = f"Hi {first}, " if first else "Hello, "
    if role or company:
        about = _role_phrase(role, company)
        met = f"thank you for meeting me about {about}."
    else:
        met = "thank you for meeting me recently."
    if long_form:
        rest = " I enjoyed our conversation and would like to stay in touch for future roles."
    else:
        rest = " I'd like to stay in touch."
    return greeting + met + rest


def linkedin_note(answers: Mapping[str, Any], limit: int = LINKEDIN_NOTE_LIMIT) -> str:
    """A LinkedIn invitation note that always fits `limit` characters.

    Long names are shortened with '…' (longest first) rather than cutting the
    message itself, so the note always ends properly.
    """
    name = _first_contact_name(answers) or one_line(answers.get("feedback_contact_name"))
    role = one_line(answers.get("role"))
    company = one_line(answers.get("company"))

    for long_form in (True, False):
        text = _note_text(name, role, company, long_form)
        if len(text) <= limit:
            return text

    parts = {"name": name, "role": role, "company": company}
    for _ in range(50):
        text = _note_text(parts["name"], parts["role"], parts["company"], False)
        excess = len(text) - limit
        if excess <= 0:
            return text
        longest = max(parts, key=lambda k: len(parts[k]))
        current = parts[longest]
        # Shorten the longest part; past a readable minimum, drop it altogether.
        target = max(len(current) - excess, 12)
        shortened = _shorten(current, target) if target < len(current) else ""
        parts[longest] = shortened if len(shortened) < len(current) else ""
    # Only reachable with a limit smaller than the shortest sentence.
    return _shorten(_note_text("", "", "", False), limit)


def mailto_link(draft: Draft, to: str | None = None) -> str:
    """A mailto: URL with the subject and body percent-encoded (RFC 6068)."""
    address = quote(to.strip(), safe="@.+-_") if to and to.strip() else ""
    body = draft.body.replace("\r\n", "\n").replace("\n", "\r\n")
    query = f"subject={quote(draft.subject, safe='')}&body={quote(body, safe='')}"
    return f"mailto:{address}?{query}"


# Longer mailto: links are cut off or refused by some browsers and mail apps.
MAILTO_MAX_LENGTH = 2000


def mailto_link_if_fits(key: str, draft: Draft) -> str | None:
    """A mailto: link for the message in field `key`, or None when only copying will do:
    when the text would be refused on save, or the link would be too long to open."""
    try:
        clean_answer(key, draft.body)
    except InvalidAnswer:
        return None
    link = mailto_link(draft)
    return link if len(link) <= MAILTO_MAX_LENGTH else None


def overflow(text: str, limit: int = LINKEDIN_NOTE_LIMIT) -> int:
    """How many characters a message is over `limit` (0 when it fits), counted the way
    validation counts them."""
    return max(len(text) - limit, 0)


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
        first = feedback_thanks(answers)
        first_key, first_title = "feedback_thanks", "Thank-you for the feedback"
    else:
        first = feedback_request(answers, agency_name)
        first_key, first_title = "feedback_request", "Feedback request"
    reply = rejection_reply(answers)
    note = linkedin_note(answers)
    out = []
    for key, title, subject, generated in (
        (first_key, first_title, first.subject, first.body),
        ("rejection_reply", "Reply to the rejection", reply.subject, reply.body),
        ("linkedin_note", "LinkedIn invitation note", "", note),
    ):
        saved = answers.get(key)
        edited = is_edited(saved)
        out.append(PlanDraft(key, title, subject, saved if edited else generated, edited))
    return out
