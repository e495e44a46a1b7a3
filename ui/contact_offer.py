"""My plan's one offer of help: reasons in the candidate's words, one form, a lasting status.

The status is read from the store on every visit, so it stays after a reload and is
never hidden inside an expander.
"""

from __future__ import annotations

import streamlit as st

from core import contact, journey
from core.consent import CONSULTANT_REVIEW, CONTACT_ME
from core.plan import Plan, sent_status
from core.safe_html import escape_md
from ui import state


def section(p: Plan, reflection_row: dict, asked_to_talk: bool) -> None:
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
    if requests:
        status = sent_status(requests[-1], shared_at is not None, p.today)
        st.success(escape_md(status), icon=":material/mark_email_read:")
    else:
        _form(p, shared_at)
    _sharing(p, reflection_row, asked_to_talk)
    st.link_button(
        f"Browse {settings.agency_name}'s vacancies", settings.vacancies_url, icon=":material/work:"
    )


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
        contact.save_request(store, session.reflection_id, request)
    except contact.ContactInvalid as exc:
        errors.update(exc.errors)
        return
    if get("contact_share") and not already_shared:
        journey.submit_for_review(store, session.reflection_id, state.answers(), asked_to_talk=True)
    st.rerun()


def _sharing(p: Plan, reflection_row: dict, asked_to_talk: bool) -> None:
    store = state.store()
    session = state.candidate()
    if journey.is_shared(reflection_row):
        st.info(
            "Your reflection is shared with our consultants. They see your "
            "answers, score and plan as they were when you shared them; changes you make now "
            "stay private until you send them.",
            icon=":material/visibility:",
        )
        update, withdraw = st.columns(2)
        if update.button(
            "Send my latest answers", key="resubmit_review", icon=":material/refresh:"
        ):
            journey.submit_for_review(
                store, session.reflection_id, state.answers(), asked_to_talk=asked_to_talk
            )
            st.toast("Updated. Consultants now see your latest answers.", icon=":material/check:")
            st.rerun()
        if withdraw.button("Withdraw it", key="withdraw_review", icon=":material/undo:"):
            journey.withdraw_review(store, session.reflection_id)
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
    if st.button(
        "Share my reflection", key="submit_review", disabled=not agreed, icon=":material/send:"
    ):
        journey.submit_for_review(
            store, session.reflection_id, state.answers(), asked_to_talk=asked_to_talk
        )
        st.rerun()
