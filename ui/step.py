"""The frame every step page shares: heading, intro, its fields, Next."""

from __future__ import annotations

import streamlit as st

from core.questionnaire import STEPS_BY_KEY, Step


def header(step_key: str) -> Step:
    step = STEPS_BY_KEY[step_key]
    st.caption(f"Step {step.number} of 5")
    st.title(step.title)
    st.write(step.intro)
    return step
