"""Every field the questionnaire gives a step is drawn on that step's page.

A page that forgets a field (a lost `step.questions` part, a message never drawn, a
`section` in the questionnaire no page draws) would otherwise fail silently: the answer
simply cannot be given. Read from the widgets AppTest sees, by their keys: a field's
own widget is `answer_<key>`, a list's cards have their `add_<key>` button.
"""

from __future__ import annotations

import pytest
from test_step_pages import open_step

from core.questionnaire import STEPS


def drawn_keys(at) -> set[str]:
    widgets = [
        *at.text_input,
        *at.text_area,
        *at.selectbox,
        *at.segmented_control,
        *at.date_input,
        *at.button,
    ]
    keys = {w.key for w in widgets if w.key}
    answers = {k.removeprefix("answer_") for k in keys if k.startswith("answer_")}
    lists = {k.removeprefix("add_") for k in keys if k.startswith("add_")}
    return answers | lists


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.key)
def test_every_field_of_the_step_is_drawn_on_its_page(app, store, step):
    at, _ = open_step(app, store, step.key)
    expected = {f.key for f in step.fields}
    drawn = drawn_keys(at)
    assert expected - drawn == set(), "fields of this step missing from its page"
    assert drawn - expected == set(), "fields of another step drawn on this page"
