"""Step 3: keep your options open — the pipeline, nudges, the agency's vacancies."""

from __future__ import annotations

import streamlit as st

from core.questionnaire import FIELDS_BY_KEY
from core.step_hints import options_hints
from ui import nav, state, step

spec = step.header("options")
if not nav.require_candidate():
    st.stop()

settings = state.settings()

step.section(
    FIELDS_BY_KEY["pipeline"].label,
    "Other companies you're applying to, talking to or just researching. Add one card "
    "each; say whether the CV you sent was shaped for that role.",
)
step.questions(spec, "pipeline", named_by_heading="pipeline")

for hint in options_hints(state.answers()):
    if hint.kind == "warning":
        st.warning(f"**{hint.title}.** {hint.text}", icon=":material/content_copy:")
    else:
        st.info(f"**{hint.title}.** {hint.text}", icon=":material/lightbulb:")

step.section("Looking for more options?")
st.write(
    f"{settings.agency_name} has live roles, and consultants who can help you tailor your "
    "CV to the ones you pick."
)
st.link_button("Browse our vacancies", settings.vacancies_url, icon=":material/work:")

step.ratings(spec)
nav.next_button("options")
