"""My plan."""

from __future__ import annotations

import streamlit as st

from core.scoring import score
from ui import nav, state

st.title("My plan")
if nav.require_candidate():
    result = score(state.answers())
    st.metric("Confidence", result.overall if result.overall is not None else "–")
