"""Session state in one place: the store handle, the candidate session, saved answers."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import journey
from core.campaign import clean_campaign
from core.settings import Settings, load_settings
from core.store import Store, open_store


def settings() -> Settings:
    # Read each time (it is cheap) so tests can point BOUNCE_BACK_DB_PATH elsewhere.
    return load_settings()


def store() -> Store:
    # open_store keeps one Store per path per process; tests point the path elsewhere.
    return open_store(settings().db_path)


def capture_entry_params() -> None:
    """On a session's first run, keep what the landing URL said (it is lost on navigation)."""
    if "campaign" in st.session_state:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    st.session_state.campaign = clean_campaign(params)
    st.session_state.embedded = st.query_params.get("embed") == "true"
    resume = st.query_params.get("resume")
    st.session_state.pending_resume = resume[:64] if isinstance(resume, str) else None
    if "resume" in st.query_params:
        # The code is a secret: out of the address bar (and history, bookmarks) at once.
        del st.query_params["resume"]


def candidate() -> journey.Session | None:
    return st.session_state.get("candidate")


def begin(session: journey.Session) -> None:
    st.session_state.candidate = session
    st.session_state.answers = journey.load_answers(store(), session.reflection_id)
    st.session_state.errors = {}


# Everything a candidate's session holds about their reflection: their answers and the
# widgets showing them (fields, cards, draft suggestions, checklist ticks, the contact
# form and its consents), the codes on screen, the delete confirmation. Forgotten
# together, whether they switch reflection, delete their data or forget this browser.
CANDIDATE_KEYS = (
    "candidate",
    "answers",
    "errors",
    "new_code",
    "resume_code",
    "device_row",
    "confirm_delete",
    "consent_review",
    "share_patterns",
    "resend_patterns",
)
CANDIDATE_PREFIXES = (
    "answer_",
    "card_",
    "cards_",
    "draft_seed_",
    "check_",
    "contact_",
    "bank_",
    "last_time_",
)


def drop(keys: tuple[str, ...], prefixes: tuple[str, ...] = ()) -> None:
    """Remove these session-state entries, and every one whose key starts with a prefix."""
    for key in list(st.session_state.keys()):
        if key in keys or str(key).startswith(prefixes):
            del st.session_state[key]


def forget_candidate() -> None:
    drop(CANDIDATE_KEYS, CANDIDATE_PREFIXES)


def answers() -> dict[str, Any]:
    if "answers" not in st.session_state:
        session = candidate()
        st.session_state.answers = (
            journey.load_answers(store(), session.reflection_id) if session else {}
        )
    return st.session_state.answers


def errors() -> dict[str, str]:
    return st.session_state.setdefault("errors", {})
