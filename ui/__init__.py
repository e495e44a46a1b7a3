"""Streamlit glue shared by the pages: session state, the store handle, field widgets.

Everything here draws or reads `st.session_state`; decisions belong in `core`.
"""
