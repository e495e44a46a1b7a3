"""My plan's one offer of help: reasons in the candidate's words, one form, a lasting status.

The status is read from the store on every visit, so it stays after a reload and is
never hidden inside an expander.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import contact, journey, patterns
from core.consent import CONSULTANT_REVIEW, CONTACT_ME, PATTERNS_SHARE
from core.contact_status import sent_status
from core.plan import Plan
from core.safe_html import escape_md
from core.store import STORE_ERRORS
from ui import client, fields, state

CHANGING_KEY = "contact_changing"
SHARE_FAILED_KEY = "contact_share_failed"
SEND_FAILED = (
    "We couldn't send this just now. What you typed is still here: please press "
    "Send again in a moment."
)
WRITE_FAILED = "We couldn't save that just now. Nothing has changed: please try again in a moment."
SHARE_FAILED = (
    "Your request was sent, but sharing your reflection didn't go through just now. "
    "You can share it with the button below."
)


def section(
    p: Plan,
    reflection_row: dict,
    asked_to_talk: bool,
    keeps_coming_up: patterns.Patterns | None,
) -> None:
    """`keeps_coming_up` is what My plan read for its own section (None: it couldn't be
    read), offered for sharing when there is something in it."""
    settings = state.settings()
    st.header("Talk to a consultant", divider="gray")
    reasons = [r for r in p.reasons if r.code != "asked_to_talk"]
    if reasons:
        st.write(
            f"From your answers, a conversation with one of {settings.agency_name}'s "
            "consultants could really help:"
        )
        st.markdown("\n".join(f"- **{r.service}**: {escape_md(r.text)}" for r in reasons))
    else:
        st.write(
            f"Whenever you're ready, one of {settings.agency_name}'s consultants can look at "
            "your CV, suggest vacancies or simply talk it through. It's free."
        )
    # Shared means a snapshot of the answers is with consultants; a contact request alone
    # also puts the reflection in their queue, but without answers.
    shared_at = reflection_row.get("submitted_at") if journey.is_shared(reflection_row) else None
    requests = contact.requests_for(state.store(), reflection_row["id"])
    if st.session_state.pop(SHARE_FAILED_KEY, False):
        st.warning(SHARE_FAILED, icon=":material/error:")
    if requests and not st.session_state.get(CHANGING_KEY):
        status = sent_status(requests[-1], shared_at is not None, p.today)
        st.success(escape_md(status), icon=":material/mark_email_read:")
        if len(requests) < contact.MAX_REQUESTS_PER_REFLECTION:
            st.button(
                "Change my details or add something",
                key="contact_change",
                icon=":material/edit:",
                on_click=_change_details,
                args=(requests[-1],),
                help="Sends a new request; consultants see the latest one first.",
            )
    else:
        _form(p, shared_at)
    _sharing(p, reflection_row, asked_to_talk, keeps_coming_up)
    st.link_button(
        f"Browse {settings.agency_name}'s vacancies", settings.vacancies_url, icon=":material/work:"
    )


def _change_details(last: dict) -> None:
    """Open the form again, filled in from the last request (consent is asked afresh)."""
    st.session_state[CHANGING_KEY] = True
    for key, column in (
        ("contact_name", "name"),
        ("contact_email", "email"),
        ("contact_phone", "phone"),
        ("contact_channel", "channel"),
        ("contact_time", "preferred_time"),
        ("contact_message", "message"),
    ):
        st.session_state[key] = last.get(column) or ""
    st.session_state["contact_consent"] = False


def _form(p: Plan, shared_at: str | None) -> None:
    errors: dict[str, str] = st.session_state.setdefault("contact_errors", {})
    answers = state.answers()
    if "contact_name" not in st.session_state and answers.get("own_name"):
        st.session_state.contact_name = answers["own_name"]
    st.markdown("**Ask a consultant to contact you**")
    with st.form("contact_form", clear_on_submit=False, border=True):
        slots = {}
        st.text_input("Your name", key="contact_name", max_chars=contact.NAME_MAX)
        slots["name"] = st.empty()
        left, right = st.columns(2)
        left.text_input("E-mail", key="contact_email", max_chars=contact.EMAIL_MAX)
        slots["email"] = left.empty()
        right.text_input("Phone", key="contact_phone", max_chars=contact.PHONE_MAX)
        slots["phone"] = right.empty()
        labels = dict(contact.CHANNELS)
        left, right = st.columns(2)
        left.selectbox(
            "How should we get in touch?",
            list(labels),
            format_func=labels.get,
            key="contact_channel",
        )
        slots["channel"] = left.empty()
        right.text_input(
            "Best time to reach you (optional)",
            key="contact_time",
            placeholder="e.g. weekday mornings",
            max_chars=contact.PREFERRED_TIME_MAX,
        )
        slots["time"] = right.empty()
        st.text_area(
            "Anything you'd like us to know (optional)",
            key="contact_message",
            help=f"Up to {contact.MESSAGE_MAX} characters.",
        )
        slots["message"] = st.empty()
        if not shared_at:
            st.checkbox(
                "Also (optional): " + CONSULTANT_REVIEW.text,
                key="contact_share",
            )
        st.checkbox(CONTACT_ME.text, key="contact_consent")
        slots["consent"] = st.empty()
        sent = st.form_submit_button("Send my request", type="primary", key="contact_submit")
        slots["form"] = st.empty()
    if sent:
        _send(p, errors, bool(shared_at))
    for key, message in errors.items():
        if key in slots:
            slots[key].error(message, icon=":material/error:")


def _send(p: Plan, errors: dict[str, str], already_shared: bool) -> None:
    get = st.session_state.get
    try:
        request = contact.validate(
            get("contact_name"),
            get("contact_email"),
            get("contact_phone"),
            get("contact_channel"),
            get("contact_message"),
            bool(get("contact_consent")),
            get("contact_time"),
        )
    except contact.ContactInvalid as exc:
        errors.clear()
        errors.update(exc.errors)
        return
    errors.clear()
    session = state.candidate()
    store = state.store()
    try:
        # Reaches the queue at once; a reflection shared before moves up with its answers
        # as they were shared.
        contact.save_request(store, session.reflection_id, request, client=client.key())
    except contact.ContactInvalid as exc:
        errors.update(exc.errors)
        return
    except STORE_ERRORS as exc:
        fields.log.warning("Could not save a contact request: %s", type(exc).__name__)
        errors["form"] = SEND_FAILED
        return
    st.session_state.pop(CHANGING_KEY, None)
    if get("contact_share") and not already_shared:
        try:
            journey.submit_for_review(
                store, session.reflection_id, state.answers(), asked_to_talk=True
            )
        except STORE_ERRORS as exc:
            fields.log.warning("Could not share after a contact request: %s", type(exc).__name__)
            st.session_state[SHARE_FAILED_KEY] = True
    st.rerun()


def _patterns_choice(found: patterns.Patterns | None, key: str, included: bool) -> dict | None:
    """The tick that adds "what keeps coming up" to a share; the snapshot to send, or None."""
    if found is None:
        return None
    if key not in st.session_state:
        st.session_state[key] = included
    ticked = st.checkbox(PATTERNS_SHARE.text, key=key)
    return found.to_snapshot() if ticked else None


def _sharing(
    p: Plan, reflection_row: dict, asked_to_talk: bool, read: patterns.Patterns | None
) -> None:
    store = state.store()
    session = state.candidate()
    found = None if read is None or read.empty else read
    if journey.is_shared(reflection_row):
        st.info(
            "Your reflection is shared with our consultants. They see your "
            "answers, score and plan as they were when you shared them; changes you make now "
            "stay private until you send them.",
            icon=":material/visibility:",
        )
        if journey.shared_patterns(reflection_row) is not None:
            st.caption("What keeps coming up across your reflections is shared with it.")
        shared_patterns = journey.shared_patterns(reflection_row)
        resend_patterns = _patterns_choice(
            found, "resend_patterns", included=shared_patterns is not None
        )
        if read is None and shared_patterns is not None:
            # Earlier reflections couldn't be read just now: what was shared stays as it
            # was, rather than going without a word.
            resend_patterns = shared_patterns
        update, withdraw = st.columns(2)
        if update.button(
            "Send my latest answers", key="resubmit_review", icon=":material/refresh:"
        ) and _written(
            journey.submit_for_review,
            store,
            session.reflection_id,
            state.answers(),
            asked_to_talk=asked_to_talk,
            patterns=resend_patterns,
        ):
            st.toast("Updated. Consultants now see your latest answers.", icon=":material/check:")
            st.rerun()
        if withdraw.button("Withdraw it", key="withdraw_review", icon=":material/undo:") and (
            _written(journey.withdraw_review, store, session.reflection_id)
        ):
            st.rerun()
        return
    if asked_to_talk:
        st.caption(
            "Only your contact details and message were sent. If you'd like the consultant "
            "to read your reflection before they get in touch, you can share it too:"
        )
    else:
        st.caption(
            "Rather not be contacted? You can still share your reflection for a consultant "
            "to look over. Nothing is shared unless you choose to."
        )
    agreed = st.checkbox(CONSULTANT_REVIEW.text, key="consent_review")
    with_patterns = _patterns_choice(found, "share_patterns", included=False)
    if st.button(
        "Share my reflection", key="submit_review", disabled=not agreed, icon=":material/send:"
    ) and _written(
        journey.submit_for_review,
        store,
        session.reflection_id,
        state.answers(),
        asked_to_talk=asked_to_talk,
        patterns=with_patterns,
    ):
        st.rerun()


def _written(write: Any, *args: Any, **kwargs: Any) -> bool:
    """Run one of My plan's writes; if the database refuses it, say so and change nothing."""
    try:
        write(*args, **kwargs)
    except STORE_ERRORS as exc:
        fields.log.warning("My plan could not save a change: %s", type(exc).__name__)
        st.error(WRITE_FAILED, icon=":material/error:")
        return False
    return True
