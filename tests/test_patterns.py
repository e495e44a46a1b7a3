"""What keeps coming up (`core.patterns`): each rule on its own, properties across any
reflections (hypothesis), the snapshot consultants get, and the loader on both engines."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import journey, pattern_history, patterns
from core.limits import UNLIMITED
from core.patterns import Finding, PastReflection, Patterns, find, from_snapshot
from core.questionnaire import FIELDS_BY_KEY, QUESTION_KINDS, SCORE_ITEMS, STAGES, STEPS
from core.scoring import score

DAY = dt.date(2026, 3, 2)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def past(reflection_id: int, days: int = 0, **answers: Any) -> PastReflection:
    return PastReflection(reflection_id, DAY + dt.timedelta(days=days), answers)


def asked(*kinds: str | None) -> list[dict[str, Any]]:
    return [{"question": f"Question {i}", "kind": k} for i, k in enumerate(kinds)]


def of(found: Patterns, topic: str) -> list[Finding]:
    return [f for f in found.findings if f.topic == topic]


def all_words(found: Patterns) -> list[str]:
    texts = [t.sentence for t in found.trends]
    for f in found.findings:
        texts += [f.headline, f.detail, f.next_step]
    line = patterns.consultant_line(found)
    return texts + ([line] if line else [])


# --- The stage reached ------------------------------------------------------------------------


def test_three_of_four_ending_at_the_final_interview_is_said_in_words():
    found = find(
        [
            past(1, 0, stage_reached="final_interview"),
            past(2, 7, stage_reached="first_interview"),
            past(3, 14, stage_reached="final_interview"),
            past(4, 21, stage_reached="final_interview"),
        ]
    )
    [stage] = of(found, "stage")
    assert stage.headline == "Three of your last four applications ended at the final interview"
    assert "recruiter" in stage.next_step and "consultant" in stage.next_step
    assert found.stages == (
        "final_interview",
        "first_interview",
        "final_interview",
        "final_interview",
    )


def test_two_out_of_two_reads_both_and_different_stages_give_no_stage_pattern():
    both = find([past(1, stage_reached="phone_screen"), past(2, 3, stage_reached="phone_screen")])
    assert of(both, "stage")[0].headline.startswith("Both of your last two applications")
    differ = find(
        [past(1, stage_reached="phone_screen"), past(2, 3, stage_reached="final_interview")]
    )
    assert of(differ, "stage") == []
    assert differ.stages == ("phone_screen", "final_interview")


def test_a_stage_not_noted_still_counts_among_the_last_few():
    """Never "two of your last three" when the last three include ones that said nothing."""
    found = find(
        [
            past(1, stage_reached="second_interview"),
            past(2, 1),
            past(3, 2, stage_reached="the moon"),
            past(4, 3, stage_reached="second_interview"),
        ]
    )
    assert found.stages == ("second_interview", None, None, "second_interview")
    assert of(found, "stage")[0].headline.startswith("Two of your last four applications")


def test_every_stage_has_its_own_next_step():
    steps = set()
    for key, _ in STAGES:
        found = find([past(1, stage_reached=key), past(2, 1, stage_reached=key)])
        steps.add(of(found, "stage")[0].next_step)
    assert len(steps) == len(STAGES)


# --- Kinds of question stumbled on ------------------------------------------------------------


def test_a_kind_stumbled_on_in_two_reflections_is_called_out_with_its_count():
    found = find(
        [
            past(1, tough_questions=asked("competency", "competency", "technical")),
            past(2, 5, tough_questions=asked("competency", "salary")),
            past(3, 9, tough_questions=asked("salary")),
        ]
    )
    kinds = of(found, "question_kind")
    assert [f.key for f in kinds] == ["competency", "salary"]
    assert kinds[0].headline == (
        "Competency questions were among the tricky ones in two of your last three interviews"
    )
    assert "three of them" in kinds[0].detail
    assert "answer bank" in kinds[0].next_step and "STAR" in kinds[0].next_step


def test_many_questions_of_a_kind_in_one_reflection_are_not_a_pattern():
    found = find(
        [
            past(1, tough_questions=asked("technical", "technical", "technical")),
            past(2, 5, tough_questions=asked("motivation", None, "other")),
        ]
    )
    assert of(found, "question_kind") == []


def test_something_else_and_no_kind_do_not_count_as_a_kind():
    found = find(
        [
            past(1, tough_questions=asked("other", None, "nonsense")),
            past(2, 1, tough_questions=asked("other", None, "nonsense")),
        ]
    )
    assert of(found, "question_kind") == []


def test_every_kind_but_something_else_has_words_and_a_next_step():
    kinds = [key for key, _ in QUESTION_KINDS if key != "other"]
    for kind in kinds:
        found = find(
            [past(1, tough_questions=asked(kind)), past(2, 1, tough_questions=asked(kind))]
        )
        assert [f.key for f in of(found, "question_kind")] == [kind]


# --- Strengths and wins ------------------------------------------------------------------------


def test_a_strength_recurs_whatever_its_case_spacing_or_punctuation():
    found = find(
        [
            past(1, strengths=[{"strength": "Clear storytelling!"}, {"strength": "Calm"}]),
            past(2, 4, strengths=[{"strength": "  clear   STORYTELLING "}]),
        ]
    )
    [strength] = of(found, "strength")
    assert "storytelling" in strength.headline.lower()
    assert "Calm" not in strength.headline
    assert strength.next_step


def test_a_strength_named_twice_in_one_reflection_is_not_recurring():
    twice = [{"strength": "Calm"}, {"strength": "calm."}]
    assert of(find([past(1, strengths=twice), past(2, 1)]), "strength") == []


def test_recurring_wins_are_gathered_into_one_finding():
    found = find(
        [
            past(1, small_wins=[{"win": "Reached the final"}, {"win": "Got a call back"}]),
            past(2, 2, small_wins=[{"win": "reached the final"}, {"win": "Got a call-back"}]),
        ]
    )
    [win] = of(found, "win")
    assert "reached the final" in win.headline.lower()
    assert "call back" in win.headline.lower() or "call-back" in win.headline.lower()


# --- Score trends ------------------------------------------------------------------------------


def test_each_dimension_trend_is_whole_numbers_in_words():
    first = {"takes_criticism": 2, "feedback_status": "not_yet"}
    second = {"takes_criticism": 5, "feedback_status": "received"}
    found = find([past(1, **first), past(2, 7, **second)])
    before, after = score(first).dimensions["feedback"], score(second).dimensions["feedback"]
    assert before is not None and after is not None and after > before
    feedback = next(t for t in found.trends if t.dimension == "feedback")
    assert feedback.title == next(s.title for s in STEPS if s.dimension == "feedback")
    assert feedback.values == (before, after)
    assert feedback.sentence == f"{feedback.title}: up from {before} to {after} out of 100."
    backwards = find([past(1, **second), past(2, 7, **first)])
    dip = next(t for t in backwards.trends if t.dimension == "feedback")
    assert f"down from {after} to {before} out of 100" in dip.sentence
    assert "step 1" in dip.sentence


def test_a_dimension_scored_once_has_no_trend():
    found = find([past(1, takes_criticism=3), past(2, 7)])
    assert found.trends == ()
    assert found.empty  # nothing repeats and nothing moved


# --- Properties over any reflections -----------------------------------------------------------

STAGE_KEYS = [key for key, _ in STAGES]
KIND_KEYS = [key for key, _ in QUESTION_KINDS]
LIKERT_SOURCES = sorted({i.source for i in SCORE_ITEMS if FIELDS_BY_KEY[i.source].kind == "likert"})
# A few names in differing case and punctuation, so repeats happen often.
NAMES = st.sampled_from(["Calm", "calm!", "Clear storytelling", "clear  storytelling.", "Grit"])


@st.composite
def reflection_answers(draw: st.DrawFn) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    stage = draw(st.sampled_from([*STAGE_KEYS, None, "junk"]))
    if stage is not None:
        answers["stage_reached"] = stage
    kinds = draw(st.lists(st.sampled_from([*KIND_KEYS, None]), max_size=4))
    if kinds:
        answers["tough_questions"] = asked(*kinds)
    strengths = draw(st.lists(NAMES, max_size=3))
    if strengths:
        answers["strengths"] = [{"strength": s} for s in strengths]
    wins = draw(st.lists(NAMES, max_size=3))
    if wins:
        answers["small_wins"] = [{"win": w} for w in wins]
    for source in draw(st.lists(st.sampled_from(LIKERT_SOURCES), max_size=4, unique=True)):
        answers[source] = draw(st.integers(1, 5))
    return answers


@st.composite
def histories(draw: st.DrawFn, min_size: int = 0) -> list[PastReflection]:
    answers = draw(st.lists(reflection_answers(), min_size=min_size, max_size=6))
    ids = draw(st.permutations(range(1, len(answers) + 1)))
    days = draw(st.lists(st.integers(0, 3), min_size=len(answers), max_size=len(answers)))
    return [past(i, d, **a) for i, d, a in zip(ids, days, answers, strict=True)]


@PROPERTY_SETTINGS
@given(histories(), st.randoms(use_true_random=False))
def test_the_order_reflections_come_in_changes_nothing(history, rnd):
    shuffled = list(history)
    rnd.shuffle(shuffled)
    assert find(shuffled) == find(history)


@PROPERTY_SETTINGS
@given(reflection_answers())
def test_one_reflection_gives_no_pattern(answers):
    found = find([past(1, **answers)])
    assert found.empty and found.findings == () and found.trends == ()
    assert patterns.consultant_line(found) is None


@PROPERTY_SETTINGS
@given(histories())
def test_no_wording_says_always_or_never(history):
    for text in all_words(find(history)):
        assert not re.search(r"\b(always|never)\b", text, re.IGNORECASE), text


@PROPERTY_SETTINGS
@given(histories())
def test_every_number_said_is_whole(history):
    found = find(history)
    for text in all_words(found):
        assert not re.search(r"\d[.,]\d", text), text
    for trend in found.trends:
        assert all(v is None or (isinstance(v, int) and 0 <= v <= 100) for v in trend.values)
        assert len(trend.values) == len(history)


@PROPERTY_SETTINGS
@given(histories(min_size=2))
def test_every_finding_has_a_next_step_and_counts_that_add_up(history):
    for finding in find(history).findings:
        assert finding.topic in patterns.TOPICS
        assert finding.headline and finding.detail and finding.next_step
        assert 2 <= finding.times <= finding.out_of <= len(history)


@PROPERTY_SETTINGS
@given(histories())
def test_a_snapshot_reads_back_as_the_same_patterns(history):
    import json

    found = find(history)
    assert from_snapshot(json.loads(json.dumps(found.to_snapshot()))) == found


JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


@PROPERTY_SETTINGS
@given(JUNK)
def test_a_junk_snapshot_reads_as_no_patterns(junk):
    read = from_snapshot(junk)
    assert isinstance(read, Patterns) and read.empty
    assert patterns.consultant_line(read) is None


def test_a_damaged_snapshot_keeps_what_it_can_read():
    found = find(
        [
            past(1, stage_reached="final_interview", takes_criticism=2),
            past(2, 7, stage_reached="final_interview", takes_criticism=4),
        ]
    )
    snapshot = found.to_snapshot()
    snapshot["findings"].append({"topic": "stage", "headline": 3})
    snapshot["trends"].append({"dimension": "feedback", "values": ["x"]})
    snapshot["stages"].append("nowhere")
    read = from_snapshot(snapshot)
    assert read.findings == found.findings and read.trends == found.trends
    assert read.stages == (*found.stages, None)
    assert from_snapshot(None).empty and from_snapshot({"version": 99}).empty


# --- For consultants ---------------------------------------------------------------------------


def test_the_consultant_line_names_the_strongest_pattern_without_candidate_text():
    found = find(
        [
            past(1, stage_reached="final_interview", tough_questions=asked("technical")),
            past(2, 1, stage_reached="final_interview", tough_questions=asked("technical")),
            past(3, 2, stage_reached="first_interview", tough_questions=asked("technical")),
            past(4, 3, stage_reached="phone_screen", strengths=[{"strength": "Secret <b>x</b>"}]),
            past(5, 4, stage_reached="second_interview", strengths=[{"strength": "secret b x b"}]),
        ]
    )
    line = patterns.consultant_line(found)
    assert (
        line
        == "Technical questions were among the tricky ones in three of their last five interviews."
    )
    only_strengths = find(
        [past(1, strengths=[{"strength": "Calm"}]), past(2, 1, strengths=[{"strength": "calm"}])]
    )
    assert patterns.consultant_line(only_strengths) == (
        "Names the same strength in more than one reflection."
    )
    assert "calm" not in (patterns.consultant_line(only_strengths) or "").lower()


def test_the_consultant_line_prefers_where_it_ended_on_a_tie():
    found = find(
        [
            past(1, stage_reached="final_interview", tough_questions=asked("salary")),
            past(2, 1, stage_reached="final_interview", tough_questions=asked("salary")),
        ]
    )
    assert patterns.consultant_line(found) == (
        "Both of their last two applications ended at the final interview."
    )


# --- The loader --------------------------------------------------------------------------------


def test_the_loader_reads_every_reflection_oldest_first_and_stops_at_up_to(store, clock):
    first = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, first.reflection_id, "stage_reached", "final_interview")
    clock.advance(days=7)
    second = journey.new_reflection(store, first.candidate_id, client=UNLIMITED)
    journey.save_answer(store, second, "stage_reached", "final_interview")
    someone_else = journey.start(store, client=UNLIMITED)

    loaded = pattern_history.load(store, first.candidate_id)
    assert [p.reflection_id for p in loaded] == [first.reflection_id, second]
    assert [p.started for p in loaded] == [clock.today() - dt.timedelta(days=7), clock.today()]
    assert loaded[1].answers == {"stage_reached": "final_interview"}
    assert of(find(loaded), "stage")[0].headline.startswith("Both of your last two")

    upto = pattern_history.load(store, first.candidate_id, up_to=first.reflection_id)
    assert [p.reflection_id for p in upto] == [first.reflection_id]
    assert pattern_history.load(store, first.candidate_id, up_to=someone_else.reflection_id) == []
