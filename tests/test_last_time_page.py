"""Welcome's "Since last time" (AppTest): last time's plan asked about, the answer saved,
people and opportunities brought over into steps 2 and 3, and nothing on a first reflection."""

from __future__ import annotations

from core import journey
from core.limits import UNLIMITED
from ui import saving


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def two_reflections(store, clock, first_answers):
    """A candidate whose first reflection, a week ago, saved `first_answers`; now a second."""
    first = journey.start(store, client=UNLIMITED)
    for key, value in first_answers.items():
        journey.save_answer(store, first.reflection_id, key, value)
    clock.advance(days=7)
    second = journey.new_reflection(store, first.candidate_id, client=UNLIMITED)
    return first, journey.Session(first.candidate_id, second)


def open_welcome(app, session):
    app.session_state["candidate"] = session
    app.run()
    assert not app.exception
    return app


def since_radios(at):
    return [r for r in at.radio if str(r.key).startswith("last_time_status_")]


def test_second_reflection_asks_about_last_times_improvement_and_saves_done(app, store, clock):
    _, second = two_reflections(
        store,
        clock,
        {"company": "Acme", "improvements": [{"action": "Practise the case study"}]},
    )
    at = open_welcome(app, second)
    assert "Since last time" in texts(at.subheader)
    (radio,) = since_radios(at)
    assert radio.label == "Last time you planned to **practise the case study**. Did you?"
    assert radio.value is None  # nothing chosen for them
    assert radio.options == ["Done", "Partly", "Not yet"]

    radio.set_value("done").run()
    assert not at.exception
    saved = journey.load_answers(store, second.reflection_id)
    assert saved["last_time"] == [
        {"item": "Practise the case study", "source": "improvement", "status": "done"}
    ]
    # Seen again later, the choice is still there.
    at.switch_page("views/plan.py").run()
    at.switch_page("views/welcome.py").run()
    assert since_radios(at)[0].value == "done"


def test_not_yet_comes_back_on_this_weeks_checklist(app, store, clock):
    _, second = two_reflections(
        store, clock, {"improvements": [{"action": "Practise the case study"}]}
    )
    at = open_welcome(app, second)
    since_radios(at)[0].set_value("not_yet").run()
    at.switch_page("views/plan.py").run()
    assert not at.exception
    labels = " ".join(c.label for c in at.checkbox)
    assert "Carry on: Practise the case study" in labels


def test_done_shows_on_my_plan_under_done_since_last_time(app, store, clock):
    _, second = two_reflections(
        store, clock, {"improvements": [{"action": "Practise the case study"}]}
    )
    at = open_welcome(app, second)
    since_radios(at)[0].set_value("done").run()
    at.switch_page("views/plan.py").run()
    assert not at.exception
    shown = texts(at.markdown)
    assert "Done since last time" in shown and "Practise the case study" in shown
    assert "Carry on: Practise the case study" not in " ".join(c.label for c in at.checkbox)


def test_candidate_text_in_the_labels_is_escaped(app, store, clock):
    _, second = two_reflections(
        store,
        clock,
        {
            "improvements": [{"action": "Use **bold** [claims](https://x.example)"}],
            "contacts": [{"name": "Sam *the* Recruiter"}],
        },
    )
    at = open_welcome(app, second)
    (radio,) = since_radios(at)
    assert r"\*\*bold\*\*" in radio.label and r"\[claims\]" in radio.label
    (person,) = [c for c in at.checkbox if str(c.key).startswith("last_time_person_")]
    assert person.label == r"Sam \*the\* Recruiter"


def test_a_person_ticked_and_brought_over_fills_step_2(app, store, clock):
    _, second = two_reflections(
        store,
        clock,
        {
            "contacts": [
                {"name": "Sam Patel", "role": "Hiring manager", "connected": "yes"},
                {"name": "Priya Shah", "connected": "no"},
            ],
            "pipeline": [{"company": "Globex", "role": "Analyst", "stage": "applied"}],
        },
    )
    at = open_welcome(app, second)
    # Step 2 opened first: its cards are seeded (empty) for this reflection already.
    at.switch_page("views/step2_connections.py").run()
    assert not [w for w in at.text_input if str(w.key).startswith("card_contacts_")]
    at.switch_page("views/welcome.py").run()

    boxes = {c.label: c for c in at.checkbox if str(c.key).startswith("last_time_")}
    assert set(boxes) == {"Sam Patel, Hiring manager", "Priya Shah", "Globex (Analyst, Applied)"}
    assert not any(box.value for box in boxes.values())  # the candidate ticks each one
    boxes["Sam Patel, Hiring manager"].check()
    boxes["Globex (Analyst, Applied)"].check()
    at.button(key="last_time_bring").click().run()
    assert not at.exception
    assert "On step 2 now: Sam Patel." in texts(at.success)
    # Brought over: said so in place of its box, and not offered again.
    assert "Sam Patel, Hiring manager: already in this reflection." in texts(at.caption)
    remaining = [c.label for c in at.checkbox if str(c.key).startswith("last_time_")]
    assert remaining == ["Priya Shah"]

    saved = journey.load_answers(store, second.reflection_id)
    assert [p["name"] for p in saved["contacts"]] == ["Sam Patel"]
    assert [o["company"] for o in saved["pipeline"]] == ["Globex"]

    at.switch_page("views/step2_connections.py").run()
    assert not at.exception
    assert at.text_input(key="card_contacts_0_name").value == "Sam Patel"
    assert at.text_input(key="card_contacts_0_role").value == "Hiring manager"
    at.switch_page("views/step3_options.py").run()
    assert at.text_input(key="card_pipeline_0_company").value == "Globex"


def test_first_reflection_shows_no_since_last_time(app, store, clock):
    first = journey.start(store, client=UNLIMITED)
    journey.save_answer(
        store, first.reflection_id, "improvements", [{"action": "Practise the case study"}]
    )
    at = open_welcome(app, first)
    assert "Since last time" not in texts(at.subheader)
    assert since_radios(at) == []
    assert not [c for c in at.checkbox if str(c.key).startswith("last_time_")]


def test_starting_a_new_reflection_from_welcome_shows_last_times_plan(app, store, clock):
    first = journey.start(store, client=UNLIMITED)
    journey.save_answer(
        store, first.reflection_id, "action_points", [{"point": "Give shorter answers"}]
    )
    at = open_welcome(app, first)
    at.button(key="new_reflection").click().run()
    assert not at.exception
    assert at.session_state["candidate"].reflection_id != first.reflection_id
    assert "A fresh reflection has started" in texts(at.success)
    (radio,) = since_radios(at)
    assert "give shorter answers" in radio.label


def test_a_card_still_being_filled_in_on_step_2_stays_when_people_are_brought_over(
    app, store, clock
):
    _, second = two_reflections(
        store, clock, {"contacts": [{"name": "Sam Patel", "role": "Hiring manager"}]}
    )
    at = open_welcome(app, second)
    at.switch_page("views/step2_connections.py").run()
    at.button(key="add_contacts").click().run()
    at.text_input(key="card_contacts_0_role").input("Recruiter at Globex").run()  # no name yet
    at.switch_page("views/welcome.py").run()
    (box,) = [c for c in at.checkbox if str(c.key).startswith("last_time_")]
    box.check()
    at.button(key="last_time_bring").click().run()
    assert "On step 2 now: Sam Patel." in texts(at.success)

    at.switch_page("views/step2_connections.py").run()
    assert not at.exception
    shown = {w.key: w.value for w in at.text_input if str(w.key).startswith("card_contacts_")}
    assert shown["card_contacts_0_role"] == "Recruiter at Globex"  # still there
    assert shown["card_contacts_1_name"] == "Sam Patel"
    saved = journey.load_answers(store, second.reflection_id)
    assert [p["name"] for p in saved["contacts"]] == ["Sam Patel"]


def test_people_wait_while_a_step_2_change_is_still_to_be_saved(app, store, clock):
    _, second = two_reflections(store, clock, {"contacts": [{"name": "Sam Patel"}]})
    at = open_welcome(app, second)
    (box,) = [c for c in at.checkbox if str(c.key).startswith("last_time_")]
    box.check()
    # A step 2 save the database refused a moment ago, waiting to be tried again.
    waiting = [{"name": "Priya Shah"}]
    at.session_state[saving.PENDING_KEY] = {"contacts": (second.reflection_id, waiting)}
    at.button(key="last_time_bring").click().run()
    assert "still waiting to be saved" in texts(at.error)
    # The waiting save went through on that run; Sam was not written under it.
    saved = journey.load_answers(store, second.reflection_id)
    assert [p["name"] for p in saved["contacts"]] == ["Priya Shah"]
