"""My plan's "What keeps coming up" (AppTest): shown from the second reflection on, in
words first, with a chart after; calm when the earlier reflections can't be read."""

from __future__ import annotations

import json
from typing import Any

from core import journey, pattern_history
from core.limits import UNLIMITED
from core.store_base import StoreUnavailable

HEADING = "What keeps coming up"


def _final_round(clock) -> dict[str, Any]:
    return {
        "company": "Acme Ltd",
        "stage_reached": "final_interview",
        "news_date": clock.days_from_today(-2),
        "takes_criticism": 3,
        "keeps_in_touch": 3,
        "tough_questions": [
            {"question": "Tell me about a time you led a team", "kind": "competency"}
        ],
        "strengths": [{"strength": "calm under pressure"}],
    }


def _reflect(store, answers: dict[str, Any], candidate_id: int | None = None) -> journey.Session:
    if candidate_id is None:
        session = journey.start(store, client=UNLIMITED)
    else:
        rid = journey.new_reflection(store, candidate_id, client=UNLIMITED)
        session = journey.Session(candidate_id, rid)
    for key, value in answers.items():
        journey.save_answer(store, session.reflection_id, key, value)
    return session


def _open_plan(app, session):
    app.session_state["candidate"] = session
    app.run()
    app.switch_page("views/plan.py").run()
    assert not app.exception
    return app


def _section_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def test_two_final_rounds_a_week_apart_show_the_stage_and_the_repeated_kind(app, store, clock):
    first = _reflect(store, _final_round(clock))
    clock.advance(days=7)
    later = _final_round(clock) | {
        "company": "Globex",
        "takes_criticism": 5,
        "strengths": [{"strength": "Calm under <pressure>"}],
    }
    second = _reflect(store, later, candidate_id=first.candidate_id)

    at = _open_plan(app, second)
    headers = [h.value for h in at.header]
    assert HEADING in headers
    assert headers.index(HEADING) < headers.index("Your data")
    text = _section_text(at)
    assert "Both of your last two applications ended at the final interview" in text
    assert "Final interview, Final interview" in text
    assert (
        "Competency questions were among the tricky ones in both of your last two interviews"
        in text
    )
    assert "**Next step:**" in text and "final round weighs" in text and "answer bank" in text
    # The latest wording of a recurring strength is quoted, escaped, so no tag survives.
    assert "&lt;pressure&gt;" in text and "<pressure>" not in text
    # The trend of each step, in whole numbers and words, then one chart.
    assert "How each step has moved" in text
    assert "out of 100" in text
    trend_lines = [line for line in text.splitlines() if "out of 100" in line]
    assert all("." not in line.split("out of 100")[0].split(":")[-1] for line in trend_lines)
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    mine = [s for s in specs if s.get("encoding", {}).get("color", {}).get("field") == "step"]
    assert len(mine) == 1
    assert mine[0]["encoding"]["y"]["axis"]["format"] == "d"  # whole numbers on the axis


def test_one_reflection_shows_no_pattern(app, store, clock):
    session = _reflect(store, _final_round(clock))
    at = _open_plan(app, session)
    assert HEADING not in [h.value for h in at.header]
    assert "ended at the final interview" not in _section_text(at)


def test_a_second_reflection_with_nothing_in_common_says_so_kindly(app, store, clock):
    first = _reflect(store, {"stage_reached": "phone_screen"})
    clock.advance(days=7)
    second = _reflect(store, {"stage_reached": "final_interview"}, candidate_id=first.candidate_id)
    at = _open_plan(app, second)
    assert HEADING in [h.value for h in at.header]
    text = _section_text(at)
    assert "Nothing repeats across your reflections so far" in text
    assert "Phone screen, Final interview" in text


def test_a_failed_read_gives_a_calm_message_not_a_traceback(app, store, clock, monkeypatch):
    first = _reflect(store, _final_round(clock))
    second = _reflect(store, _final_round(clock), candidate_id=first.candidate_id)

    def unreadable(*args: Any, **kwargs: Any) -> list:
        raise StoreUnavailable("the database is not answering")

    monkeypatch.setattr(pattern_history, "load", unreadable)
    at = _open_plan(app, second)
    assert HEADING in [h.value for h in at.header]
    assert any("couldn't look back over your earlier reflections" in i.value for i in at.info)
    assert "not answering" not in _section_text(at)
