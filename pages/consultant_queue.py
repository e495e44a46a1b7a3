"""consultant_queue."""

import streamlit as st

st.title("consultant_queue")
