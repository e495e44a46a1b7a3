"""Bounce Back's logic: plain Python, importable without Streamlit."""
