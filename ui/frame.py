"""The shared frame every session runs: navigation, progress, first-load capture.

`app.py` calls `draw()` on every script run.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.progress import progress
from core.questionnaire import STEPS
from ui import browser, guard, nav, state
from ui.consultant import JUST_ENDED_KEY, current_consultant

# A local file, not a Material icon: those make the browser fetch the favicon from Google.
ASSETS = Path(__file__).resolve().parent.parent / "assets"


def draw() -> None:
    st.set_page_config(
        page_title="Bounce Back", page_icon=str(ASSETS / "favicon.png"), layout="centered"
    )
    guard.before_page()

    state.capture_entry_params()
    # A browser that remembers its candidate opens their reflection on whichever page
    # is in the address bar; so does a resume link (once the visitor says yes).
    browser.restore_candidate()
    nav.resume_from_link()

    done = progress(state.answers()) if state.candidate() is not None else None

    welcome = st.Page(
        "views/welcome.py",
        title="Welcome",
        icon=":material/waving_hand:",
        url_path="welcome",
        default=True,
    )
    step_pages = [
        st.Page(
            f"views/step{step.number}_{step.key}.py",
            title=f"{step.number}. {step.title}",
            url_path=step.key,
            # The navigation doubles as the progress indicator: a tick once a step is done.
            icon=(
                ":material/check_circle:"
                if done and done[step.key]
                else ":material/radio_button_unchecked:"
            ),
        )
        for step in STEPS
    ]
    plan = st.Page("views/plan.py", title="My plan", icon=":material/flag:", url_path="plan")
    login = st.Page(
        "views/staff_login.py",
        title="Staff login",
        icon=":material/lock:",
        url_path="staff",
        visibility="hidden",
    )

    sections: dict[str, list] = {"Your reflection": [welcome, *step_pages, plan]}
    consultant = current_consultant()
    if consultant is not None or st.session_state.pop(JUST_ENDED_KEY, False):
        sections["Consultants"] = [
            st.Page(
                "views/consultant_queue.py",
                title="Queue",
                icon=":material/inbox:",
                url_path="queue",
            ),
            st.Page(
                "views/consultant_detail.py",
                title="Reflection",
                icon=":material/article:",
                url_path="reflection",
            ),
            st.Page(
                "views/consultant_overview.py",
                title="Overview",
                icon=":material/bar_chart:",
                url_path="overview",
            ),
        ]
    sections["Your reflection"].append(login)
    current = st.navigation(sections)

    st.session_state.pages = {
        "welcome": welcome,
        "plan": plan,
        "login": login,
        **{step.key: page for step, page in zip(STEPS, step_pages, strict=True)},
    }

    browser.remember_candidate()
    browser.draw_cookie_calls()
    progress_slot = st.sidebar.empty() if done is not None else None

    if nav.resume_prompt():
        return
    browser.notices()
    with guard.friendly_errors():
        current.run()

    # Drawn after the page so a table saved during this run already counts.
    if progress_slot is not None and state.candidate() is not None:
        done = progress(state.answers())
        finished = sum(done.values())
        with progress_slot.container():
            st.progress(
                finished / len(done),
                text=f"Your progress: {finished} of {len(done)} steps done",
            )
            st.caption(
                "Steps can be done in any order. A step is ticked once its self-ratings and "
                "at least one other question are answered."
            )
