"""Consent wording, versioned. The version and time of every consent given are stored.

Change a text → bump its version, so stored consents keep pointing at what was shown.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConsentText:
    version: str
    text: str


STORE_ANSWERS = ConsentText(
    version="store-2026-11-browser",
    text=(
        "Save my answers so I can come back to them with my resume code. This browser "
        "will remember me too, with one cookie and no tracking, until I tell it to forget "
        "me. They stay "
        "private to me unless I later choose to send them to a consultant, and I can "
        "delete them at any time from My plan."
    ),
)

CONSULTANT_REVIEW = ConsentText(
    version="review-2026-11",
    text=(
        "Share this reflection, its score and my plan with the agency's consultants so "
        "they can review it and suggest next steps. I can withdraw this from My plan."
    ),
)

CONTACT_ME = ConsentText(
    version="contact-2026-11",
    text=(
        "Let a consultant contact me using the details above about this reflection. "
        "The agency will not use them for anything else."
    ),
)

REMINDERS = ConsentText(
    version="reminders-2026-12",
    text=(
        "E-mail me at this address on the days I planned something, listing what is due "
        "and how my drafts begin. At most one e-mail a day, starting only once I confirm "
        "from the first e-mail. The address is used for nothing else, and I can stop the "
        "e-mails with one click or here on My plan."
    ),
)

PATTERNS_SHARE = ConsentText(
    version="patterns-2026-12-wins",
    text=(
        "Include what keeps coming up across my reflections (where each one ended, the "
        "kinds of question that caught me out, strengths and small wins that recur, in my "
        "own words, and how my scores have moved), as it stands when I share. I can leave "
        "it out by sharing again without this, or withdraw everything."
    ),
)
