"""AppTest of the pages' side of remembered browsers: claims after consent, Forget."""

from __future__ import annotations

from core.consent import STORE_ANSWERS


def start(at):
    at.run()
    at.checkbox(key="consent_store").check().run()
    [b for b in at.button if b.label == "Start my reflection"][0].click().run()
    assert not at.exception
    return at


def device_rows(store):
    with store.read() as conn:
        return [dict(r) for r in conn.execute("SELECT * FROM device_tokens")]


def test_no_token_before_consent(app, store):
    at = app.run()
    assert not at.exception
    assert device_rows(store) == []
    # (The sidebar's static text guard is the only other script; it carries no data.)
    assert not [h for h in at.main.get("html") if h.proto.unsafe_allow_javascript]


def test_starting_asks_the_browser_to_claim_a_token_for_this_candidate(app, store):
    at = start(app)
    [row] = device_rows(store)
    assert row["candidate_id"] == at.session_state["candidate"].candidate_id
    assert row["token_hash"] is None and row["claim_hash"]  # waiting for the browser
    route, payload = at.session_state["cookie_calls"]["device"]
    assert route == "claim" and payload["kind"] == "device"
    # The ticket is in the page's script, and only its hash in the database.
    assert payload["ticket"] not in str(row)
    scripts = [h.proto.body for h in at.get("html") if h.proto.unsafe_allow_javascript]
    assert any(payload["ticket"] in body for body in scripts)
    assert STORE_ANSWERS.version == "store-2026-11-browser"


def test_forget_this_browser_on_my_plan(app, store):
    at = start(app)
    at.switch_page("views/plan.py").run()
    at.button(key="forget_browser_plan").click().run()
    assert not at.exception
    assert "candidate" not in at.session_state
    assert device_rows(store)[0]["revoked_at"]
    assert at.session_state["cookie_calls"]["device"][0] == "clear"


def test_forget_this_browser_on_welcome(app, store):
    at = start(app)
    at.button(key="forget_browser_welcome").click().run()
    assert not at.exception
    assert "candidate" not in at.session_state
    assert device_rows(store)[0]["revoked_at"]
    assert any("forgotten you" in i.value for i in at.info)
