"""A page shaped like the busiest step page, with plain widgets and no `core` calls.

`scripts/bench.py` times a rerun of it next to the real pages, so the difference is what
our own code adds on top of what Streamlit itself costs for this many widgets.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

RATING_TEXT = {1: "Strongly disagree", 2: "Disagree", 3: "Neither", 4: "Agree", 5: "Strongly agree"}
RATINGS = list(RATING_TEXT)

st.set_page_config(page_title="Reference", layout="centered")

with st.sidebar:
    # The app's shared frame: a progress bar and one line per step.
    st.caption("Your progress")
    st.progress(0.4, text="2 of 5 steps done")
    for number in range(1, 6):
        st.markdown(f":material/radio_button_unchecked: Step {number}")

st.caption("Step 5 of 5")
st.title("Reference page")
st.write("An introduction paragraph roughly as long as a real step's introduction text.")

st.subheader("Tables")
for name, column in (("strengths", "Strength"), ("wins", "Win")):
    if f"base_{name}" not in st.session_state:
        st.session_state[f"base_{name}"] = pd.DataFrame(
            {column: pd.Series(["Stayed calm", "Clear examples"], dtype="object")}
        )
    st.markdown(f"**{column}s**")
    st.data_editor(
        st.session_state[f"base_{name}"],
        key=f"table_{name}",
        num_rows="dynamic",
        hide_index=True,
        column_config={column: st.column_config.TextColumn(column, max_chars=400)},
    )
    st.caption("Up to 6 rows. Changes save as you go.")

st.subheader("Your thoughts")
left, right = st.columns(2)
with left:
    st.text_area("What did you learn about the fit you want?", key="ref_text_0", height=120)
with right:
    st.text_area("Questions you'll ask next time", key="ref_text_1", height=120)
st.selectbox(
    "How many final-stage rejections?",
    ["0", "1", "2", "3+"],
    index=None,
    placeholder="Choose…",
    key="ref_choice",
)

st.subheader("How you feel about it")
for index in range(6):
    st.segmented_control(
        f"Statement number {index + 1} about how you feel.",
        RATINGS,
        format_func=RATING_TEXT.get,
        selection_mode="single",
        key=f"ref_rating_{index}",
    )
st.caption("Your ratings stay private unless you choose to share them.")

st.button("Next: My plan", type="primary", key="ref_next")
