"""consultant_overview."""

import streamlit as st

st.title("consultant_overview")
