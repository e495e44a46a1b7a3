"""Last time's plan, checked (core): the reflection before, what it planned, what carries
over, bringing it into the new reflection, and how the answers feed the plan and the score."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from core import candidate_exports, explainer, journey, last_time
from core.answer_values import normalised
from core.limits import UNLIMITED
from core.plan import build_plan
from core.questionnaire import FIELDS_BY_KEY
from core.scoring import explain, score
from core.validation import clean_answer

TODAY = dt.date(2026, 11, 25)


def _texts(items):
    return [(i.text, i.source) for i in items]


# ---------------------------------------------------------------- the reflection before


def test_previous_is_the_reflection_made_just_before_this_one(store, clock):
    first = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, first.reflection_id, "company", "Acme")
    journey.save_answer(store, first.reflection_id, "role", "Data Analyst")
    clock.advance(days=7)
    second = journey.new_reflection(store, first.candidate_id, client=UNLIMITED)
    # Started in the same second as the second: told apart by the order they were made.
    third = journey.new_reflection(store, first.candidate_id, client=UNLIMITED)
    # Another candidate's reflection, made in between, is never theirs.
    journey.start(store, client=UNLIMITED)

    before_second = last_time.previous(store, first.candidate_id, second)
    assert before_second is not None
    assert before_second.reflection_id == first.reflection_id
    assert before_second.about == "Data Analyst at Acme"
    assert before_second.started == clock.today() - dt.timedelta(days=7)
    assert last_time.previous(store, first.candidate_id, third).reflection_id == second
    assert last_time.previous(store, first.candidate_id, first.reflection_id) is None


def test_previous_is_none_for_a_reflection_of_someone_else(store):
    mine = journey.start(store, client=UNLIMITED)
    theirs = journey.start(store, client=UNLIMITED)
    assert last_time.previous(store, mine.candidate_id, theirs.reflection_id) is None


def test_previous_carries_what_it_planned(store, clock):
    first = journey.start(store, client=UNLIMITED)
    journey.save_answer(
        store, first.reflection_id, "improvements", [{"action": "Practise the case study"}]
    )
    second = journey.new_reflection(store, first.candidate_id, client=UNLIMITED)
    past = last_time.previous(store, first.candidate_id, second)
    assert _texts(past.items) == [("Practise the case study", "improvement")]


# ---------------------------------------------------------------- what it planned


PLANNED = {
    "news_date": "2026-11-20",
    "feedback_status": "planning",
    "improvements": [
        {"action": "Practise the case study", "target_date": "2026-12-10"},
        {"action": "Ask the recruiter about the format", "target_date": "2026-12-01"},
    ],
    "action_points": [
        # The same words as an improvement, due later: asked about once, as the improvement.
        {"point": "practise  the case study", "due": "2026-12-20"},
        {"point": "Bring numbers to every answer", "due": "2026-11-28"},
    ],
    "contacts": [{"name": "Sam Patel", "connected": "no"}],
    "pipeline": [{"company": "Globex", "next_step": "2026-11-30"}],
    "checklist": [{"item": "improvement:Ask the recruiter about the format", "done": "yes"}],
}


def test_planned_items_are_the_open_ones_each_once_with_where_they_came_from():
    items = last_time.planned_items(PLANNED, today=TODAY)
    assert _texts(items) == [
        ("Send your feedback request", "checklist"),
        ("Bring numbers to every answer", "action_point"),
        ("Practise the case study", "improvement"),
    ]
    # Ticked done last time: not asked again. The invitation, the check-in and the next
    # step come back with the person or the opportunity, not as questions.
    texts = " ".join(i.text for i in items)
    assert "Ask the recruiter" not in texts
    assert "Sam" not in texts and "Globex" not in texts


def test_a_reflection_left_blank_planned_nothing():
    assert last_time.planned_items({}, today=TODAY) == []
    # Our suggested messages count only once the question behind them was answered.
    assert _texts(last_time.planned_items({"replied_to_rejection": "no"}, today=TODAY)) == [
        ("Send your reply to the rejection", "checklist")
    ]


def test_something_carried_on_from_the_time_before_keeps_its_source():
    answers = {
        "last_time": [
            {"item": "Practise the case study", "source": "improvement", "status": "partly"},
            {"item": "Update my CV", "source": "action_point", "status": "done"},
        ]
    }
    assert _texts(last_time.planned_items(answers, today=TODAY)) == [
        ("Practise the case study", "improvement")
    ]


ROOM = FIELDS_BY_KEY["last_time"].max_rows


@given(
    st.lists(
        st.sampled_from(["Practise", "practise", "PRACTISE  ", "Ask", "Read", "Rest"]), max_size=3
    ),
    st.lists(st.sampled_from(["Practise", "ask", "Write", "Sleep"]), max_size=3),
    st.integers(0, ROOM),
)
def test_planned_items_never_repeat_and_never_exceed_the_answer_it_saves_to(
    actions, points, carried
):
    answers = {
        "improvements": [{"action": a} for a in actions],
        "action_points": [{"point": p} for p in points],
        "last_time": [
            {"item": f"Carry {n}", "source": "checklist", "status": "not_yet"}
            for n in range(carried)
        ],
    }
    items = last_time.planned_items(answers, today=TODAY)
    keys = [i.key for i in items]
    assert len(keys) == len(set(keys))
    every = {normalised(t) for t in actions + points} | {f"carry {n}" for n in range(carried)}
    # Each distinct thing once, up to what the answer holds.
    assert len(items) == min(len(every), ROOM)
    assert set(keys) <= every
    # Whatever they answer about them saves as a valid `last_time` answer.
    chosen = {i.key: "done" for i in items}
    assert len(clean_answer("last_time", last_time.answers_for(items, chosen))) == len(items)


# ---------------------------------------------------------------- who and what carries over


def test_every_named_person_and_every_opportunity_still_open_carries_over():
    answers = {
        "contacts": [
            {"name": "Sam Patel", "role": "Hiring manager", "connected": "yes"},
            {"name": "sam  patel", "connected": "no"},  # the same person twice
            {"name": "Priya", "connected": "no"},
            {"name": "", "role": "Recruiter"},  # no name: nobody to carry
        ],
        "pipeline": [
            {"company": "Globex", "stage": "applied"},
            {"company": "Initech", "stage": "interviewing"},
        ],
    }
    carry = last_time.carry_over(answers)
    assert [p["name"] for p in carry.people] == ["Sam Patel", "Priya"]
    assert carry.people[0]["role"] == "Hiring manager"
    assert [o["company"] for o in carry.opportunities] == ["Globex", "Initech"]
    # The company whose no this new reflection is about has closed that opening.
    closed = last_time.carry_over(answers, rejected_by=" initech ")
    assert [o["company"] for o in closed.opportunities] == ["Globex"]
    assert last_time.carry_over({}).empty


def test_bring_over_adds_the_confirmed_rows_without_duplicating(store):
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "contacts", [{"name": "Sam Patel"}])
    brought = last_time.bring_over(
        store,
        session.reflection_id,
        [{"name": "sam  PATEL", "role": "Hiring manager"}, {"name": "Priya", "connected": "yes"}],
        [{"company": "Globex", "stage": "applied", "cv_tailored": "yes"}],
    )
    assert brought.people == ["Priya"]
    assert brought.opportunities == ["Globex"]
    assert brought.already_there == ["sam PATEL"]
    assert brought.no_room == []
    saved = journey.load_answers(store, session.reflection_id)
    assert [p["name"] for p in saved["contacts"]] == ["Sam Patel", "Priya"]
    assert saved["contacts"][1]["connected"] == "yes"
    assert saved["pipeline"][0]["company"] == "Globex"
    assert saved["pipeline"][0]["cv_tailored"] == "yes"
    # Bringing the same ones again adds nothing.
    again = last_time.bring_over(store, session.reflection_id, [{"name": "Priya"}], [])
    assert again.added == 0 and again.already_there == ["Priya"]
    assert len(journey.load_answers(store, session.reflection_id)["contacts"]) == 2


def test_bring_over_stays_within_the_list_and_says_what_did_not_fit(store):
    session = journey.start(store, client=UNLIMITED)
    room = FIELDS_BY_KEY["contacts"].max_rows
    journey.save_answer(
        store,
        session.reflection_id,
        "contacts",
        [{"name": f"Person {n}"} for n in range(room - 1)],
    )
    brought = last_time.bring_over(
        store, session.reflection_id, [{"name": "Ana"}, {"name": "Ben"}, {"name": "Cy"}], []
    )
    assert brought.people == ["Ana"]
    assert brought.no_room == ["Ben", "Cy"]
    assert len(journey.load_answers(store, session.reflection_id)["contacts"]) == room


def test_the_answers_export_and_delete_like_everything_else(store):
    first = journey.start(store, client=UNLIMITED)
    second = journey.new_reflection(store, first.candidate_id, client=UNLIMITED)
    rows = [{"item": "Practise the case study", "source": "improvement", "status": "done"}]
    journey.save_answer(store, second, "last_time", rows)
    exported = candidate_exports.candidate_data(store, first.candidate_id)
    assert [r["answers"].get("last_time") for r in exported["reflections"]] == [None, rows]
    journey.delete_candidate(store, first.candidate_id)
    assert journey.load_answers(store, second) == {}
    assert last_time.previous(store, first.candidate_id, second) is None


# ---------------------------------------------------------------- the new plan and the score

ANSWERED = [
    {"item": "Practise the case study", "source": "improvement", "status": "not_yet"},
    {"item": "Bring numbers to every answer", "source": "action_point", "status": "partly"},
    {"item": "Send your feedback request", "source": "checklist", "status": "done"},
]


def test_not_yet_and_partly_come_back_to_carry_on_and_done_ones_are_taken_forward():
    plan = build_plan({"last_time": ANSWERED}, "Harbour", today=TODAY)
    carried = {i.title: i for i in plan.open_items if i.key.startswith("carry:")}
    assert set(carried) == {
        "Carry on: Practise the case study",
        "Carry on: Bring numbers to every answer",
    }
    assert carried["Carry on: Practise the case study"].step == "approach"
    assert "made a start" in carried["Carry on: Bring numbers to every answer"].detail
    assert plan.forward.done_since == ["Send your feedback request"]
    assert "You've followed through on last time's plan" in plan.explanation.done


def test_planned_again_this_time_it_is_not_carried_on_twice():
    answers = {"last_time": ANSWERED, "improvements": [{"action": "practise the case study"}]}
    titles = [i.title for i in build_plan(answers, "Harbour", today=TODAY).open_items]
    assert "Carry on: Practise the case study" not in titles
    assert "practise the case study" in titles


def test_the_score_counts_last_times_plan_only_when_answered():
    strengths = {"strengths": [{"strength": s} for s in ("Calm", "Clear", "Curious")]}
    first = score(strengths)
    # A first reflection: no rows, nothing changes.
    assert score({**strengths, "last_time": []}) == first
    assert "last_plan_done" not in {c.item.key for c in first.contributions}
    # One of two done: that behaviour counts half, beside full marks for strengths.
    half = [
        {"item": "Practise", "status": "done"},
        {"item": "Read up", "status": "not_yet"},
    ]
    assert first.dimensions["learning"] == 100
    assert score({**strengths, "last_time": half}).dimensions["learning"] == 75
    all_done = [{"item": "Practise", "status": "done"}]
    assert score({**strengths, "last_time": all_done}).dimensions["learning"] == 100


def test_a_first_reflection_is_never_told_to_finish_last_times_plan():
    # Learning is low, so finishing "last time's plan" would be the biggest lift, if
    # there were one; with no rows there is none to finish.
    low = {"strengths": [{"strength": "Calm"}], "giving_up": 5, "not_good_enough": 5}
    lifts = [lift.item.key for lift in explain(score(low), limit=20).lift]
    assert "strengths_named" in lifts
    assert "last_plan_done" not in lifts
    not_yet = {**low, "last_time": [{"item": "Practise", "status": "not_yet"}]}
    assert "last_plan_done" in [lift.item.key for lift in explain(score(not_yet)).lift]


def test_the_explainer_explains_the_new_item():
    (row,) = [
        row for row in explainer.rows() if row.item == "Share of last time's plan you've done"
    ]
    assert (row.step, row.counts_as) == ("Learn from every interview", "What you did")
    assert row.counted == "The share of your rows marked done"
