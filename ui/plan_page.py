"""My plan's sections, each drawn from the one `core.plan.Plan` the page builds.

Small functions, one per section, so views/plan.py reads like the screen.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import streamlit as st

from core import addresses, candidate_exports, explainer, journey, reminders
from core.checklist import ChecklistItem, checklist_update
from core.clock import day_label
from core.consent import REMINDERS
from core.plan import Plan
from core.safe_html import escape_md
from core.score_charts import trend_rows
from core.taking_forward import DONE_SINCE_TITLE
from ui import charts, saving, state
from ui.step import copy_button


def _widget_id(item: ChecklistItem) -> str:
    # Item keys hold names the candidate typed; a digest makes a tidy, stable widget key.
    return hashlib.sha256(item.key.encode()).hexdigest()[:12]


def _save_checklist(
    items: list[ChecklistItem],
    key: str,
    *,
    done: bool | None = None,
    due: dt.date | None = None,
) -> None:
    rows = checklist_update(state.answers(), items, key, done=done, due=due)
    if not saving.save("checklist", rows):
        # What they ticked stays on screen; say it didn't save so they can try again.
        st.session_state.checklist_error = state.errors().get("checklist", "")


def _on_tick(items: list[ChecklistItem], item: ChecklistItem) -> None:
    ticked = bool(st.session_state.get(f"check_{_widget_id(item)}"))
    _save_checklist(items, item.key, done=ticked)


def this_week(p: Plan) -> None:
    st.header("This week", divider="gray")
    if not p.checklist:
        st.write(
            "Nothing to do yet. As you go through the steps, your messages to send, "
            "check-ins, next steps and improvements gather here with dates."
        )
        return
    st.caption(
        "Tick things off as you go; it saves straight away, and done items move down. "
        "Dates marked suggested are ours: change any of them below."
    )
    with st.container(key="this_week"):
        _checklist_rows(p)
    error = st.session_state.pop("checklist_error", "")
    if error:
        st.error(f"That didn't save: {error} Please try again.", icon=":material/error:")
    _change_a_date(p)


def _checklist_rows(p: Plan) -> None:
    for item in p.checklist:
        when = day_label(item.due_date, p.today)
        suggested = " (suggested)" if item.suggested and not item.done else ""
        title = f"~~{escape_md(item.title)}~~" if item.done else escape_md(item.title)
        st.checkbox(
            f"**{when}**{suggested} · {title}",
            value=item.done,
            key=f"check_{_widget_id(item)}",
            on_change=_on_tick,
            args=(p.checklist, item),
            help=(item.detail or None),
        )


def _change_a_date(p: Plan) -> None:
    open_items = p.open_items
    if open_items:
        with st.expander("Change a date", icon=":material/edit_calendar:"):
            labels = {i.key: f"{day_label(i.due_date, p.today)} · {i.title}" for i in open_items}
            chosen = st.selectbox(
                "Which item?", list(labels), format_func=labels.get, key="redate_item"
            )
            current = next(i for i in open_items if i.key == chosen)
            new_day = st.date_input(
                "New date",
                value=current.due_date,
                format="DD/MM/YYYY",
                # One box per item, so switching items shows that item's own date.
                key=f"redate_day_{_widget_id(current)}",
            )
            if st.button("Save the date", key="redate_save", icon=":material/save:"):
                _save_checklist(p.checklist, chosen, due=new_day)
                st.rerun()


def taking_forward(p: Plan) -> None:
    st.header("What you're taking forward", divider="gray")
    forward = p.forward
    if forward.empty:
        st.write(
            "Step 5 is where you note your strengths, small wins and what you learned "
            "about fit. They're worth carrying into your next interview."
        )
        return
    if forward.done_since:
        st.markdown(
            f"**{DONE_SINCE_TITLE}**\n\n"
            + "\n".join(f"- {escape_md(v)}" for v in forward.done_since)
        )
    left, right = st.columns(2)
    for column, title, values in (
        (left, "Strengths you showed", forward.strengths),
        (right, "Small wins", forward.wins),
    ):
        if values:
            column.markdown(f"**{title}**\n\n" + "\n".join(f"- {escape_md(v)}" for v in values))
    for title, text in (
        ("What you learned about the fit you want", forward.fit),
        ("Questions to ask next time", forward.questions),
    ):
        if text:
            st.markdown(f"**{title}**\n\n{escape_md(text)}")
    if forward.star:
        with st.expander(
            f"Your STAR answers ({len(forward.star)})", icon=":material/star:", expanded=True
        ):
            for answer in forward.star:
                parts = [f"**{escape_md(answer.question)}**"]
                parts += [f"- *{label}:* {escape_md(text)}" for label, text in answer.parts()]
                st.markdown("\n".join(parts))


def where_you_are(p: Plan) -> None:
    st.header("Where you are now", divider="gray")
    result, why = p.result, p.explanation
    if result.overall is None:
        st.info(
            f"Your score appears once at least {explainer.MIN_STEPS} steps have some answers, "
            "so it reflects more than one corner of the picture. Still to fill in: "
            + "; ".join(p.unscored)
            + ".",
            icon=":material/hourglass_empty:",
        )
    else:
        left, right = st.columns([1, 2])
        left.metric("Overall confidence", f"{result.overall} / 100")
        right.markdown(f"**{result.band_label}**")
        right.caption(
            "A snapshot of how ready you feel to go again, based on your answers today. "
            "It moves as you act on your plan."
        )
    if p.chart:
        st.vega_lite_chart(charts.spec("dimensions", p.chart))
    if why.done:
        st.markdown("**What you've done**\n\n" + "\n".join(f"- {s}" for s in why.done))
    if why.lift:
        lines = [f"- {explainer.lift_sentence(lift)}" for lift in why.lift]
        st.markdown("**What would lift it next**\n\n" + "\n".join(lines))
    for line in why.feelings:
        st.info(line, icon=":material/favorite:")
    with st.expander("How is this worked out?", icon=":material/calculate:"):
        st.markdown("\n".join(f"- {line}" for line in explainer.method_lines()))
        st.markdown("**Bands**: " + "; ".join(explainer.band_lines()) + ".")
        st.caption("For the curious, every answer that counts and how:")
        st.dataframe(
            [
                {
                    "Question": row.item,
                    "Step": row.step,
                    "Counts as": row.counts_as,
                    "Weight": row.weight,
                    "How it's counted": row.counted,
                }
                for row in explainer.rows()
            ],
            hide_index=True,
        )
        st.caption(explainer.NOT_A_DIAGNOSIS)


def messages(p: Plan) -> None:
    st.header("Messages ready to send", divider="gray")
    for draft in p.drafts:
        st.subheader(draft.title)
        st.caption("Your edited version." if draft.edited else "Our suggestion, from your answers.")
        if draft.subject:
            st.code(draft.subject, language=None, wrap_lines=True)
        st.code(draft.body, language=None, wrap_lines=True)
        copy_button(draft.body)


def downloads(p: Plan, candidate_id: int) -> None:
    st.header("Take it with you", divider="gray")
    settings = state.settings()
    store = state.store()
    cols = st.columns(2)
    common = {"on_click": "ignore", "width": "stretch"}
    cols[0].download_button(
        "Plan (document)",
        lambda: candidate_exports.plan_markdown(p, settings),
        file_name="my-plan.md",
        mime="text/markdown",
        icon=":material/description:",
        key="download_md",
        **common,
    )
    cols[1].download_button(
        "Add dates to my calendar",
        lambda: candidate_exports.plan_ics(p.open_items, agency_name=settings.agency_name).encode(),
        file_name="my-plan.ics",
        mime="text/calendar",
        icon=":material/calendar_month:",
        key="download_ics",
        disabled=not p.open_items,
        **common,
    )
    cols[0].download_button(
        "Printable page",
        lambda: candidate_exports.plan_html(p, settings),
        file_name="my-plan.html",
        mime="text/html",
        icon=":material/print:",
        key="download_html",
        **common,
    )
    cols[1].download_button(
        "All my data (JSON)",
        lambda: candidate_exports.candidate_json(store, candidate_id),
        file_name="bounce-back-my-data.json",
        mime="application/json",
        icon=":material/data_object:",
        key="download_json",
        **common,
    )


def trend(candidate_id: int) -> None:
    rows = trend_rows(journey.history(state.store(), candidate_id))
    if len(rows) > 1:
        st.header("Your confidence over time", divider="gray")
        st.vega_lite_chart(charts.spec("trend", rows))


# --- Reminders by e-mail, opt-in --------------------------------------------------------------
_STOPPED_WORDS = {
    reminders.STOPPED_UNSUBSCRIBED: "You unsubscribed from the reminder e-mails.",
    reminders.STOPPED_TURNED_OFF: "You turned the reminder e-mails off.",
    reminders.STOPPED_ALL_DONE: "Every item is ticked, so the reminder e-mails have stopped.",
}


def _ask_for_reminders() -> None:
    typed = st.session_state.get("reminder_email", "")
    if not st.session_state.get("reminder_consent"):
        st.session_state.reminder_consent_error = "Tick the box to say you agree first."
        return
    try:
        saved = reminders.opt_in(state.store(), state.candidate().reflection_id, typed)
    except addresses.AddressError as refused:
        st.session_state.reminder_email_error = str(refused)
        return
    st.session_state.reminder_sent_to = saved


def _turn_reminders_off() -> None:
    reminders.turn_off(state.store(), state.candidate().reflection_id)


def reminders_section(reflection_id: int) -> None:
    st.header("Reminders by e-mail", divider="gray")
    current = reminders.current(state.store(), reflection_id)
    if current is not None and current.active:
        if current.confirmed:
            st.write(
                f"We e-mail **{escape_md(current.email)}** on the days you planned "
                "something, at most once a day."
            )
        else:
            st.info(
                f"We sent a link to **{escape_md(current.email)}**. Open it to start the "
                "reminders; nothing else is sent until you do.",
                icon=":material/mail:",
            )
        st.button(
            "Stop the reminder e-mails",
            key="reminders_off",
            on_click=_turn_reminders_off,
            icon=":material/notifications_off:",
        )
        return
    if current is not None:
        st.caption(_STOPPED_WORDS.get(current.stopped_why, ""))
    st.write("E-mail me on the days I planned. At most one e-mail a day; stop at any time.")
    st.text_input("Your e-mail address", key="reminder_email", max_chars=254)
    email_error = st.session_state.pop("reminder_email_error", "")
    if email_error:
        st.error(email_error, icon=":material/error:")
    st.checkbox(REMINDERS.text, key="reminder_consent")
    consent_error = st.session_state.pop("reminder_consent_error", "")
    if consent_error:
        st.error(consent_error, icon=":material/error:")
    st.button(
        "E-mail me on the days I planned",
        key="reminders_on",
        on_click=_ask_for_reminders,
        icon=":material/mail:",
    )
