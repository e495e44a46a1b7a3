"""The shared frame every session runs: navigation, progress, first-load capture.

`app.py` calls `draw()` on every script run.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.progress import progress
from ui import browser, guard, nav, pages, state
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

    consultant = current_consultant()
    # Just ended: the workspace stays for this one run, so the page they were on (also
    # after a reload) still opens and explains why, instead of "Page not found".
    if consultant is not None or st.session_state.pop(JUST_ENDED_KEY, False):
        current = st.navigation(_workspace())
    else:
        current = st.navigation(_journey(done))
    spec = pages.BY_TITLE.get(current.title)
    if spec is not None and spec.layout != "centered":
        st.set_page_config(layout=spec.layout)

    browser.remember_candidate()
    browser.draw_cookie_calls()
    progress_slot = st.sidebar.empty() if done is not None and consultant is None else None

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


def _journey(done: dict[str, bool] | None) -> dict[str, list[st.Page]]:
    """A candidate's navigation: Welcome, the five steps, My plan, the answer bank (and the
    hidden login)."""
    welcome = pages.WELCOME.page(default=True)
    # The navigation doubles as the progress indicator: a tick once a step is done.
    steps = [
        spec.page(icon=":material/check_circle:" if done and done[key] else None)
        for key, spec in pages.STEP_PAGES.items()
    ]
    return {
        "Your reflection": [
            welcome,
            *steps,
            pages.PLAN.page(),
            pages.ANSWER_BANK.page(),
            pages.STAFF_LOGIN.page(hidden=True),
        ]
    }


def _workspace() -> dict[str, list[st.Page]]:
    """A logged-in consultant's own navigation: their pages only, no candidate steps."""
    return {
        "Consultant workspace": [
            *(spec.page() for spec in pages.WORKSPACE),
            pages.LOG_OUT.page(),
            pages.STAFF_LOGIN.page(hidden=True),
            # The default page answers at "/" only (its own address stops working), so
            # the queue keeps /queue and a hidden page at "/" leads there.
            st.Page(
                lambda: pages.go(pages.QUEUE),
                title="Workspace",
                url_path=pages.WORKSPACE_HOME,
                default=True,
                visibility="hidden",
            ),
        ]
    }
