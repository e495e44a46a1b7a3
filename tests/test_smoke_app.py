from core import journey


def test_welcome_start_and_context_saves(app, store):
    at = app.run()
    assert not at.exception
    at.checkbox(key="consent_store").check().run()
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state.candidate is not None
    at.text_input(key="answer_company").input("Acme Ltd").run()
    rid = at.session_state.candidate.reflection_id
    assert journey.load_answers(store, rid)["company"] == "Acme Ltd"
