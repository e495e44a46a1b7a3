"""My plan: score and why, actions, drafts, downloads, talking to someone, privacy."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import contact, explainer, exports, journey
from core import plan as plan_core
from core.consent import CONSULTANT_REVIEW, CONTACT_ME
from core.questionnaire import DIMENSION_LABELS
from core.safe_html import escape_md
from core.scoring import explain, score
from core.suggestions import reasons_for
from ui import browser, charts, nav, state

st.title("My plan")

if st.session_state.pop("data_deleted", False):
    st.success(
        "Your answers, reflections and resume code have been deleted. The code no longer "
        "works. Thank you for trusting us with them, and good luck with what comes next.",
        icon=":material/delete:",
    )
    st.page_link(
        st.session_state.pages["welcome"], label="Start afresh", icon=":material/waving_hand:"
    )
    st.stop()

if not nav.require_candidate():
    st.stop()

session = state.candidate()
store = state.store()
settings = state.settings()
answers = state.answers()
result = score(answers)
asked_to_talk = contact.has_asked_to_talk(store, session.reflection_id)
reflection_row = journey.reflection(store, session.reflection_id) or {}

# --- Where you are -------------------------------------------------------------------------
st.header("Where you are now", divider="gray")
if result.overall is not None:
    left, right = st.columns([1, 2])
    left.metric("Overall confidence", f"{result.overall:g} / 100")
    right.markdown(f"**{result.band_label}**")
    right.caption(
        "A snapshot of how ready you feel to go again, based on your answers today. "
        "It moves as you act on your plan."
    )
    st.vega_lite_chart(charts.spec("dimensions", plan_core.dimension_rows(result)))
    why = explain(result)
    if why.raised:
        st.markdown("**What lifted it**\n\n" + "\n".join(f"- {escape_md(s)}" for s in why.raised))
    if why.lowered:
        st.markdown(
            "**What held it back**\n\n" + "\n".join(f"- {escape_md(s)}" for s in why.lowered)
        )
else:
    missing = plan_core.unscored_steps(result)
    st.info(
        "Your score appears once at least three steps have some answers, so it reflects "
        "more than one corner of the picture. Still to fill in: " + "; ".join(missing) + ".",
        icon=":material/hourglass_empty:",
    )

with st.expander("How is this worked out?", icon=":material/calculate:"):
    st.markdown("\n".join(f"- {line}" for line in explainer.method_lines()))
    st.dataframe(
        [
            {
                "Item": row.item,
                "Step": row.step,
                "How it's counted": row.counted,
                "Keying / target": row.keying,
                "Weight": row.weight,
            }
            for row in explainer.rows()
        ],
        hide_index=True,
    )
    st.markdown("**Bands**: " + "; ".join(explainer.band_lines()) + ".")
    st.caption(explainer.NOT_A_DIAGNOSIS)

# --- Actions -------------------------------------------------------------------------------
st.header("Your actions", divider="gray")
items = plan_core.action_items(answers, dt.date.today())
if items:
    st.dataframe(
        [
            {
                "When": item.due or "No date yet",
                "What": item.title,
                "Details": item.detail,
                "Step": DIMENSION_LABELS[item.step],
            }
            for item in items
        ],
        hide_index=True,
        key="actions_table",
        column_config={
            "When": st.column_config.TextColumn(width="small"),
            "What": st.column_config.TextColumn(width="medium"),
            "Step": st.column_config.TextColumn(width="small"),
        },
    )
else:
    st.write(
        "Nothing written down yet. Action points (step 1), check-ins (step 2), next steps "
        "(step 3) and improvements (step 4) all gather here, with their dates."
    )

# --- Drafts --------------------------------------------------------------------------------
st.header("Messages ready to send", divider="gray")
for draft in plan_core.current_drafts(answers, settings.agency_name):
    st.subheader(draft.title)
    st.caption("Your edited version." if draft.edited else "Our suggestion, from your answers.")
    if draft.subject:
        st.code(draft.subject, language=None, wrap_lines=True)
    st.code(draft.body, language=None, wrap_lines=True)

# --- Downloads -----------------------------------------------------------------------------
st.header("Take it with you", divider="gray")
snapshot = dict(answers)
candidate_id = session.candidate_id
cols = st.columns(2)
cols[0].download_button(
    "Plan (Markdown)",
    lambda: exports.plan_markdown(snapshot, settings, asked_to_talk=asked_to_talk),
    file_name="my-plan.md",
    mime="text/markdown",
    on_click="ignore",
    icon=":material/description:",
    key="download_md",
)
cols[1].download_button(
    "Plan (web page, printable)",
    lambda: exports.plan_html(snapshot, settings, asked_to_talk=asked_to_talk),
    file_name="my-plan.html",
    mime="text/html",
    on_click="ignore",
    icon=":material/print:",
    key="download_html",
)
cols[0].download_button(
    "Dates (calendar file)",
    lambda: exports.plan_ics(
        plan_core.action_items(snapshot), agency_name=settings.agency_name
    ).encode("utf-8"),
    file_name="my-plan.ics",
    mime="text/calendar",
    on_click="ignore",
    icon=":material/calendar_month:",
    key="download_ics",
    disabled=not plan_core.dated_items(items),
)
cols[1].download_button(
    "All my data (JSON)",
    lambda: exports.candidate_json(store, candidate_id),
    file_name="bounce-back-my-data.json",
    mime="application/json",
    on_click="ignore",
    icon=":material/data_object:",
    key="download_json",
)

# --- Talking to someone --------------------------------------------------------------------
st.header("Talking to someone", divider="gray")
reasons = reasons_for(result, answers, asked_to_talk=asked_to_talk)
if reasons:
    st.write(
        f"From your answers, a conversation with one of {settings.agency_name}'s consultants "
        "could help. Here's why, and what they could do:"
    )
    st.markdown("\n".join(f"- **{r.service}**: {r.text}" for r in reasons))
st.write(
    f"Whenever you're ready, you can browse {settings.agency_name}'s current vacancies or "
    "talk to one of our specialist consultants about your CV or your job search."
)
links = st.columns(2)
links[0].link_button("Browse vacancies", settings.vacancies_url, icon=":material/work:")
links[1].link_button("Contact a consultant", settings.contact_url, icon=":material/forum:")
st.caption(f"Or e-mail {settings.contact_email} or call {settings.contact_phone}.")

errors: dict[str, str] = st.session_state.setdefault("contact_errors", {})
with st.expander("Ask a consultant to contact me", expanded=bool(errors), icon=":material/call:"):
    shared = bool(reflection_row.get("submitted_at"))
    if asked_to_talk and shared:
        st.success(
            "We have your request. A consultant will be in touch using the details you gave.",
            icon=":material/check:",
        )
    elif asked_to_talk:
        # Consultants only ever see shared reflections; say so rather than leave them waiting.
        st.warning(
            "We've saved your request. One more step: share your reflection below, so a "
            "consultant can see it. Requests like yours go to the top of their list.",
            icon=":material/arrow_downward:",
        )
    else:
        st.caption(
            "Your request reaches our consultants together with your reflection, once you "
            "share it in the next section."
        )
    with st.form("contact_form", clear_on_submit=False):
        slots = {}
        st.text_input("Your name", key="contact_name", max_chars=contact.NAME_MAX)
        slots["name"] = st.empty()
        st.text_input("E-mail", key="contact_email", max_chars=contact.EMAIL_MAX)
        slots["email"] = st.empty()
        st.text_input("Phone", key="contact_phone", max_chars=contact.PHONE_MAX)
        slots["phone"] = st.empty()
        channel_labels = dict(contact.CHANNELS)
        st.selectbox(
            "How should we get in touch?",
            list(channel_labels),
            format_func=channel_labels.get,
            key="contact_channel",
        )
        slots["channel"] = st.empty()
        st.text_area(
            "Anything you'd like us to know (optional)",
            key="contact_message",
            help=f"Up to {contact.MESSAGE_MAX} characters.",
        )
        slots["message"] = st.empty()
        st.checkbox(CONTACT_ME.text, key="contact_consent")
        slots["consent"] = st.empty()
        sent = st.form_submit_button("Send my request", type="primary", key="contact_submit")
    if sent:
        try:
            request = contact.validate(
                st.session_state.get("contact_name"),
                st.session_state.get("contact_email"),
                st.session_state.get("contact_phone"),
                st.session_state.get("contact_channel"),
                st.session_state.get("contact_message"),
                bool(st.session_state.get("contact_consent")),
            )
        except contact.ContactInvalid as exc:
            errors.clear()
            errors.update(exc.errors)
        else:
            errors.clear()
            contact.save_request(store, session.reflection_id, request)
            if shared:
                # Already shared: consultants should see the request move it up the queue.
                journey.submit_for_review(store, session.reflection_id, answers, asked_to_talk=True)
            st.session_state.contact_sent = True
            st.rerun()
    for key, message in errors.items():
        if key in slots:
            slots[key].error(message, icon=":material/error:")
    if st.session_state.pop("contact_sent", False):
        st.toast("Request sent. Thank you.", icon=":material/check:")

# --- Consultant review ---------------------------------------------------------------------
st.header("Share with a consultant", divider="gray")
if reflection_row.get("submitted_at"):
    st.success(
        f"Shared with our consultants on {reflection_row['submitted_at'][:10]}. They'll see your "
        "answers, your score and your plan.",
        icon=":material/mark_email_read:",
    )
    update, withdraw = st.columns(2)
    if update.button("Send my latest answers", key="resubmit_review", icon=":material/refresh:"):
        journey.submit_for_review(
            store, session.reflection_id, answers, asked_to_talk=asked_to_talk
        )
        st.toast("Updated. Consultants now see your latest answers.", icon=":material/check:")
        st.rerun()
    if withdraw.button("Withdraw it", key="withdraw_review", icon=":material/undo:"):
        journey.withdraw_review(store, session.reflection_id)
        st.rerun()
else:
    st.write(
        "If you'd like a consultant to look over your reflection and suggest next steps, "
        "you can share it. Nothing is shared unless you do this."
    )
    agreed = st.checkbox(CONSULTANT_REVIEW.text, key="consent_review")
    if st.button(
        "Share my reflection",
        type="primary",
        key="submit_review",
        disabled=not agreed,
        icon=":material/send:",
    ):
        journey.submit_for_review(
            store, session.reflection_id, answers, asked_to_talk=asked_to_talk
        )
        st.rerun()

# --- Trend ---------------------------------------------------------------------------------
trend = plan_core.trend_rows(journey.history(store, session.candidate_id))
if len(trend) > 1:
    st.header("Your confidence over time", divider="gray")
    st.vega_lite_chart(charts.spec("trend", trend))

# --- Delete --------------------------------------------------------------------------------
st.header("Your data", divider="gray")
if not st.session_state.get("confirm_delete"):
    st.write(
        "You can delete everything we hold about you: every reflection, answer and request. "
        "Your resume code stops working."
    )
    if st.button("Delete my data", key="delete_data", icon=":material/delete:"):
        st.session_state.confirm_delete = True
        st.rerun()
    st.caption("On a shared computer? This browser remembers you until you tell it not to.")
    browser.forget_button("forget_browser_plan")
else:
    st.warning(
        "This deletes all your reflections and answers for good, including anything shared "
        "with consultants. It can't be undone. Download your data first if you want a copy.",
        icon=":material/warning:",
    )
    yes, no = st.columns(2)
    if yes.button("Yes, delete everything", type="primary", key="delete_confirm"):
        journey.delete_candidate(store, session.candidate_id)
        state.forget_candidate()
        browser.after_data_deleted()
        for key in list(st.session_state.keys()):
            if key.startswith("contact_") or key in ("confirm_delete", "consent_review"):
                del st.session_state[key]
        st.session_state.data_deleted = True
        st.rerun()
    if no.button("No, keep my data", key="delete_cancel"):
        st.session_state.confirm_delete = False
        st.rerun()
