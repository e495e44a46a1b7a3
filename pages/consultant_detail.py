"""consultant_detail."""

import streamlit as st

st.title("consultant_detail")
