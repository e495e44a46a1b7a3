"""Answer bank: every question that caught the candidate out, with their STAR answers."""

from __future__ import annotations

import streamlit as st

from ui import answer_bank_page, nav
from ui.step import phone_fixes

st.title("Answer bank")
phone_fixes()
if not nav.require_candidate():
    st.stop()

answer_bank_page.page()
