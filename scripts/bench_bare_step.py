"""A bare Streamlit page with the elements of step 1 (Ask for feedback): no `core`, no store.

`make bench-load` drives it next to the real step with the same interactions (typing into
its text boxes), so the ratio of their CPU per interaction is what our own code adds on
top of what Streamlit itself costs for a page of this shape. The element kinds and counts
follow what the real page sends for a new reflection (`scripts/bench_load.py --floor`
prints both): 10 markdown, 4 headings, 4 html, 2 selectboxes, 1 text input, 2 text
areas, 2 segmented controls, 3 buttons, 1 link button, 1 code block, 1 iframe (the copy
button), 1 progress bar, 1 empty, and the blocks that hold them.
"""

from __future__ import annotations

import gc

import streamlit as st
import streamlit.components.v1 as components


@st.cache_resource
def _freeze_startup_objects() -> bool:
    # The same treatment the app gets from its lifespan warm-up (web/startup.py): what the
    # process made before the first visitor is kept out of every later collection.
    gc.collect()
    gc.freeze()
    return True


_freeze_startup_objects()

RATINGS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither", 4: "Agree", 5: "Strongly agree"}

with st.sidebar:
    st.caption("Your progress")
    st.progress(0.2, text="1 of 5 steps done")
    for number in range(1, 6):
        st.markdown(f":material/radio_button_unchecked: Step {number}")

st.html("<style>.bare{}</style>")
st.html("<style>.bare-two{}</style>")
st.html("<div class='bare'></div>")
st.html("<div class='bare-two'></div>")
st.empty()
st.caption("Step 1 of 5")
st.title("A bare step")
st.markdown("An introduction about as long as the real step's first paragraph, in words.")
st.header("Where things stand")
st.selectbox("Status", ["asked", "planning", "received"], index=None, key="b_status")
st.selectbox("Who", ["recruiter", "hiring manager"], index=None, key="b_who")
st.text_input("Their name", key="b_name")
st.header("What they said")
st.text_area("Feedback in their words", key="b_feedback", height=120)
st.markdown("A hint under the box, in a sentence or two.")
st.header("Your message")
message = st.text_area("Message", key="b_msg")
st.caption("Our suggestion from your answers. Edit freely.")
left, right = st.columns(2)
left.button("Start again from our suggestion", key="b_reset")
right.link_button("Open in my e-mail app", "mailto:someone@example.com")
components.html(f"<button>Copy</button><pre hidden>{len(message)}</pre>", height=40)
st.code("Subject line", language=None)
st.header("How you take it")
for index in range(2):
    st.segmented_control(
        f"Statement {index + 1}",
        list(RATINGS),
        format_func=RATINGS.get,
        selection_mode="single",
        key=f"b_rating_{index}",
    )
st.markdown("Your ratings stay private unless you choose to share them.")
with st.container():
    st.markdown("One more line of guidance.")
    st.markdown("And another.")
back, forward = st.columns(2)
back.button("Back", key="b_back")
forward.button("Next", type="primary", key="b_next")
st.markdown("Saved as you go.")
