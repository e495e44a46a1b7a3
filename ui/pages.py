"""Every page of the app, written down once: its file, title, icon, address and layout.

The frame builds the navigation from these, and every button or link that leads to a
page names it here. `st.switch_page` and `st.page_link` take the page's file path, which
Streamlit resolves to the page the current navigation holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import streamlit as st
from streamlit.errors import StreamlitAPIException

from core.questionnaire import STEPS

# Where a session keeps the `st.Page` objects made for it (see `PageSpec.page`).
MADE_PAGES_KEY = "made_pages"


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str
    title: str
    url_path: str
    icon: str
    layout: Literal["centered", "wide"] = "centered"

    def page(
        self, *, icon: str | None = None, default: bool = False, hidden: bool = False
    ) -> st.Page:
        """The `st.Page` for the navigation; `icon` overrides the usual one (a tick, say).

        Made once per session and kept: `st.Page` resolves its file on disk when it is
        made, and the navigation is built on every run (with 48 candidates that was 5 %
        of the server's time, py-spy). Not shared between sessions: Streamlit marks the
        page it is about to run on the object itself.
        """
        made: dict[tuple[str, str | None, bool, bool], st.Page] = st.session_state.setdefault(
            MADE_PAGES_KEY, {}
        )
        wanted = (self.key, icon, default, hidden)
        if wanted not in made:
            made[wanted] = st.Page(
                self.path,
                title=self.title,
                icon=icon or self.icon,
                url_path=self.url_path,
                default=default,
                visibility="hidden" if hidden else "visible",
            )
        return made[wanted]


WELCOME = PageSpec("welcome", "views/welcome.py", "Welcome", "welcome", ":material/waving_hand:")
STEP_PAGES: dict[str, PageSpec] = {
    step.key: PageSpec(
        step.key,
        f"views/step{step.number}_{step.key}.py",
        f"{step.number}. {step.title}",
        step.key,
        ":material/radio_button_unchecked:",
    )
    for step in STEPS
}
PLAN = PageSpec("plan", "views/plan.py", "My plan", "plan", ":material/flag:")
# Off the Next-button chain: a place to come back to between interviews, not a step.
ANSWER_BANK = PageSpec(
    "answer_bank", "views/answer_bank.py", "Answer bank", "answer-bank", ":material/menu_book:"
)
STAFF_LOGIN = PageSpec("staff", "views/staff_login.py", "Staff login", "staff", ":material/lock:")
QUEUE = PageSpec("queue", "views/consultant_queue.py", "Queue", "queue", ":material/inbox:", "wide")
REFLECTION = PageSpec(
    "reflection",
    "views/consultant_detail.py",
    "Reflection",
    "reflection",
    ":material/article:",
    "wide",
)
OVERVIEW = PageSpec(
    "overview", "views/consultant_overview.py", "Overview", "overview", ":material/bar_chart:"
)
LOG_OUT = PageSpec("logout", "views/consultant_logout.py", "Log out", "logout", ":material/logout:")

# The candidate's journey, in order: the Next buttons follow it.
JOURNEY: tuple[PageSpec, ...] = (WELCOME, *STEP_PAGES.values(), PLAN)
# A logged-in consultant's own pages; their navigation ends with Log out.
WORKSPACE: tuple[PageSpec, ...] = (QUEUE, REFLECTION, OVERVIEW)
ALL: tuple[PageSpec, ...] = (*JOURNEY, ANSWER_BANK, STAFF_LOGIN, *WORKSPACE, LOG_OUT)
# The hidden page at "/" of a consultant's navigation, which leads to the queue.
WORKSPACE_HOME = "workspace"
# Addresses only consultants use: the server never lets another site frame them.
STAFF_URL_PATHS: tuple[str, ...] = (
    STAFF_LOGIN.url_path,
    *(spec.url_path for spec in WORKSPACE),
    LOG_OUT.url_path,
    WORKSPACE_HOME,
)
# The default page's `url_path` reads "", so a running page is known by its title.
BY_TITLE: dict[str, PageSpec] = {spec.title: spec for spec in ALL}


def after(spec: PageSpec) -> PageSpec | None:
    """The page after `spec` in the journey, or None at its end (or off it)."""
    if spec not in JOURNEY:
        return None
    index = JOURNEY.index(spec)
    return JOURNEY[index + 1] if index + 1 < len(JOURNEY) else None


def go(spec: PageSpec) -> None:
    st.switch_page(spec.path)


def link(spec: PageSpec, label: str, icon: str | None = None, fallback: str = "") -> None:
    """A link to `spec`; where the page runs outside the app's navigation, `fallback`."""
    try:
        st.page_link(spec.path, label=label, icon=icon or spec.icon)
    except StreamlitAPIException:
        if fallback:
            st.caption(fallback)
