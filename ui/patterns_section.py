"""My plan's "What keeps coming up": the patterns across a candidate's reflections.

Shown from the second reflection on. Words first (each finding with its next step, then
how each step's score moved), a chart after; the rules themselves live in `core.patterns`.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from core import pattern_history, patterns
from core.questionnaire import STAGE_LABELS, STEPS
from core.safe_html import escape_md
from core.store import STORE_ERRORS
from ui import state

log = logging.getLogger(__name__)

HEADING = "What keeps coming up"
CONTAINER_KEY = "keeps_coming_up"
READ_FAILED = (
    "We couldn't look back over your earlier reflections just now. Nothing is lost; "
    "this part of your plan will be here when you next open the page."
)
NOTHING_REPEATS = (
    "Nothing repeats across your reflections so far. As you add more, anything that "
    "comes up again will show here with a next step."
)
STAGE_NOT_NOTED = "not noted"


def read(candidate_id: int, reflection_id: int) -> patterns.Patterns | None:
    """What keeps coming up across the candidate's reflections up to this one, read once
    per run for the section and the offer to share it; None when it couldn't be read."""
    try:
        return patterns.find(pattern_history.load(state.store(), candidate_id, up_to=reflection_id))
    except STORE_ERRORS as exc:
        log.warning("Could not read earlier reflections: %s", type(exc).__name__)
        return None


def section(found: patterns.Patterns | None) -> None:
    """The section, or nothing while the candidate has only one reflection."""
    if found is None:
        with st.container(key=CONTAINER_KEY):
            st.header(HEADING, divider="gray")
            st.info(READ_FAILED, icon=":material/cloud_off:")
        return
    if found.reflections < patterns.REPEATS_AT:
        return
    with st.container(key=CONTAINER_KEY):
        st.header(HEADING, divider="gray")
        st.caption(
            f"Looking across your {patterns.in_words(found.reflections)} reflections. A "
            "pattern is something to work on, with a next step, not a judgement of you."
        )
        _stages(found.stages)
        if not found.findings:
            st.write(NOTHING_REPEATS)
        for finding in found.findings:
            _finding(finding)
        if found.trends:
            _trends(found)


def _stages(stages: Sequence[str | None]) -> None:
    if not any(stages):
        return
    said = [STAGE_LABELS.get(s, STAGE_NOT_NOTED) if s else STAGE_NOT_NOTED for s in stages]
    st.markdown("**How far you got each time, oldest first:** " + ", ".join(said) + ".")


def _finding(finding: patterns.Finding) -> None:
    # Strengths and wins quote the candidate's own words, so every line is escaped.
    with st.container(border=True):
        st.markdown(f"**{escape_md(finding.headline)}**\n\n{escape_md(finding.detail)}")
        st.markdown(f":material/arrow_forward: **Next step:** {escape_md(finding.next_step)}")


def _trends(found: patterns.Patterns) -> None:
    st.subheader("How each step has moved")
    st.markdown("\n".join(f"- {escape_md(trend.sentence)}" for trend in found.trends))
    rows = patterns.chart_rows(found)
    if rows:
        st.vega_lite_chart(trend_spec(rows))
        st.caption(
            "Each line is one step's score out of 100, one point per reflection, oldest "
            "on the left."
        )


# One colour (readable on white, told apart by most colour-blind readers) and one point
# shape per step, in the questionnaire's order.
STEP_COLOURS = dict(
    zip(
        (step.title for step in STEPS),
        ("#1f6fb2", "#c2410c", "#15803d", "#7e22ce", "#a16207"),
        strict=True,
    )
)
STEP_SHAPES = dict(
    zip(
        (step.title for step in STEPS),
        ("circle", "square", "triangle-up", "diamond", "cross"),
        strict=True,
    )
)


def trend_chart(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """One line per step across reflections, each with its own colour and point shape
    (so the lines tell apart without colour too), legend underneath for a phone. The
    height is the whole chart's, legend included, so it leaves the plot room for five
    legend rows."""
    frame = pd.DataFrame(list(rows), columns=["reflection", "step", "score"])
    # Only the steps with a line are in the legend; each keeps its own colour and shape
    # whichever others are there, so a step looks the same from one visit to the next.
    drawn = set(frame["step"])
    steps = [step.title for step in STEPS if step.title in drawn]
    colours = [STEP_COLOURS[step.title] for step in STEPS if step.title in drawn]
    shapes = [STEP_SHAPES[step.title] for step in STEPS if step.title in drawn]
    legend = alt.Legend(orient="bottom", columns=1, title=None, labelLimit=300, rowPadding=2)
    return (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=70, filled=True))
        .encode(
            x=alt.X(
                "reflection:O",
                title="Reflection (oldest first)",
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y(
                "score:Q",
                title="Score out of 100",
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(format="d"),
            ),
            color=alt.Color("step:N", scale=alt.Scale(domain=steps, range=colours), legend=legend),
            shape=alt.Shape("step:N", scale=alt.Scale(domain=steps, range=shapes), legend=legend),
            tooltip=[
                alt.Tooltip("step:N", title="Step"),
                alt.Tooltip("reflection:O", title="Reflection"),
                alt.Tooltip("score:Q", title="Score", format="d"),
            ],
        )
        .properties(height=420)
    )


@functools.lru_cache(maxsize=256)
def _cached_spec(rows_json: str) -> dict[str, Any]:
    # Building an Altair chart costs tens of milliseconds; rows change only with answers.
    return trend_chart(json.loads(rows_json)).to_dict()


def trend_spec(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The chart's Vega-Lite spec, for `st.vega_lite_chart`."""
    spec = _cached_spec(json.dumps(list(rows), sort_keys=True))
    return json.loads(json.dumps(spec))
