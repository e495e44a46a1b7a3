"""Candidate reminders: confirmed first, then at most one a day on due days, with a
one-click unsubscribe; stopped by unsubscribing, finishing, turning off or deleting."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email
import json
import threading
from email import policy

import pytest
from smtp_recorder import Recorder

from core import addresses, journey, reminders
from core.limits import UNLIMITED
from core.session_tokens import hash_secret
from core.settings import load_settings

ADDRESS = "zoe@example.com"


@pytest.fixture
def recorder(smtp_server):
    found = Recorder()
    found.server = smtp_server(found)
    return found


@pytest.fixture
def settings(recorder):
    return dataclasses.replace(
        load_settings(),
        public_url="https://app.harbour.example",
        notify_from="bounce-back@harbour.example",
        notify_mail_url=f"smtp://127.0.0.1:{recorder.server.port}?starttls=0",
        working_time_zone="UTC",
    )


def _reflection(store, clock, due_in_days: int = 1) -> int:
    rid = journey.start(store, {}, client=UNLIMITED).reflection_id
    journey.save_answer(
        store,
        rid,
        "improvements",
        [{"action": "Mock interview with Sam", "target_date": clock.days_from_today(due_in_days)}],
    )
    return rid


def _messages(recorder) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(envelope.original_content, policy=policy.default)
        for envelope in recorder.received
    ]


def _link_token(message, path: str) -> str:
    text = message.get_body(("plain",)).get_content()
    line = next(line for line in text.splitlines() if path in line)
    return line.split("token=")[1].strip()


def _reminder_days(store) -> list[str]:
    with store.read() as conn:
        rows = conn.execute(
            "SELECT day FROM reminder_messages WHERE kind = 'reminder' ORDER BY day"
        ).fetchall()
    return [row["day"] for row in rows]


def _opt_in_and_confirm(store, settings, recorder, clock, rid: int):
    reminders.opt_in(store, rid, ADDRESS, clock=clock)
    assert reminders.run_pass(store, settings, clock=clock).sent == 1
    (confirmation,) = _messages(recorder)
    assert confirmation["To"] == ADDRESS
    assert reminders.confirm(store, _link_token(confirmation, reminders.CONFIRM_PATH), clock=clock)


def test_nothing_but_the_confirmation_goes_until_the_link_is_opened(
    store, settings, recorder, clock
):
    rid = _reflection(store, clock, due_in_days=0)
    reminders.opt_in(store, rid, ADDRESS, clock=clock)
    assert reminders.run_pass(store, settings, clock=clock) == reminders.Outcome(sent=1)
    assert reminders.run_pass(store, settings, clock=clock) == reminders.Outcome()
    (confirmation,) = _messages(recorder)
    token = _link_token(confirmation, reminders.CONFIRM_PATH)
    # Only the hash is kept.
    with store.read() as conn:
        (kept,) = conn.execute("SELECT token_hash FROM reminder_tokens").fetchall()
    assert kept["token_hash"] == hash_secret(token) and token not in str(dict(kept))
    assert reminders.current(store, rid) == reminders.OptIn(ADDRESS, False, "")
    assert not reminders.confirm(store, "x" * 43, clock=clock)
    assert reminders.confirm(store, token, clock=clock)
    assert reminders.confirm(store, token, clock=clock)  # opening it twice is harmless
    assert reminders.current(store, rid).confirmed
    # Confirmed on a due day: today's reminder goes on the next pass, and only one.
    assert reminders.run_pass(store, settings, clock=clock) == reminders.Outcome(written=1, sent=1)
    assert reminders.run_pass(store, settings, clock=clock) == reminders.Outcome()
    assert len(recorder.received) == 2


def test_one_reminder_on_the_due_day_listing_items_and_drafts_with_one_click_unsubscribe(
    store, settings, recorder, clock
):
    rid = _reflection(store, clock, due_in_days=1)
    _opt_in_and_confirm(store, settings, recorder, clock, rid)
    assert reminders.run_pass(store, settings, clock=clock) == reminders.Outcome()  # not due
    clock.advance(days=1)
    assert reminders.run_pass(store, settings, clock=clock).sent == 1
    clock.advance(hours=5)
    assert reminders.run_pass(store, settings, clock=clock) == reminders.Outcome()  # once a day
    reminder = _messages(recorder)[-1]
    text = reminder.get_body(("plain",)).get_content()
    assert "Mock interview with Sam" in text
    assert "https://app.harbour.example/plan" in text and "token" not in text.split("/plan")[1][:5]
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = reminder["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://app.harbour.example/_bb/unsubscribe?token=")
    assert reminders.unsubscribe(store, link.split("token=")[1], clock=clock)
    assert reminders.current(store, rid).stopped_why == reminders.STOPPED_UNSUBSCRIBED
    clock.advance(days=1)
    journey.save_answer(
        store,
        rid,
        "improvements",
        [{"action": "Mock interview with Sam", "target_date": clock.days_from_today(0)}],
    )
    assert reminders.run_pass(store, settings, clock=clock) == reminders.Outcome()
    assert len(recorder.received) == 2


def test_finishing_every_item_stops_reminders(store, settings, recorder, clock):
    rid = _reflection(store, clock, due_in_days=1)
    _opt_in_and_confirm(store, settings, recorder, clock, rid)
    plan = reminders._plan(store, rid, settings, clock.today())
    ticked = [{"item": item.key, "due": None, "done": "yes"} for item in plan.checklist]
    journey.save_answer(store, rid, "checklist", ticked)
    clock.advance(days=1)
    assert reminders.run_pass(store, settings, clock=clock) == reminders.Outcome()
    assert reminders.current(store, rid).stopped_why == reminders.STOPPED_ALL_DONE


def test_turning_off_and_deleting_stop_them_and_erase_the_address(store, settings, recorder, clock):
    rid = _reflection(store, clock, due_in_days=1)
    _opt_in_and_confirm(store, settings, recorder, clock, rid)
    reminders.turn_off(store, rid, clock=clock)
    clock.advance(days=1)
    assert reminders.run_pass(store, settings, clock=clock) == reminders.Outcome()
    candidate_id = journey.reflection(store, rid)["candidate_id"]
    journey.delete_candidate(store, candidate_id)
    with store.read() as conn:
        for table in ("reminder_optins", "reminder_messages", "reminder_tokens"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


def test_a_permanent_refusal_is_recorded_and_not_retried(store, smtp_server, clock):
    server = smtp_server(Recorder(rcpt_reply="550 No such mailbox"))
    chosen = dataclasses.replace(
        load_settings(),
        public_url="https://app.harbour.example",
        notify_mail_url=f"smtp://127.0.0.1:{server.port}?starttls=0",
    )
    rid = _reflection(store, clock)
    reminders.opt_in(store, rid, ADDRESS, clock=clock)
    assert reminders.run_pass(store, chosen, clock=clock) == reminders.Outcome(refused=1)
    clock.advance(days=2)
    assert reminders.run_pass(store, chosen, clock=clock) == reminders.Outcome()
    with store.read() as conn:
        (row,) = conn.execute("SELECT refused_at, last_error FROM reminder_messages").fetchall()
    assert row["refused_at"] and "550" in row["last_error"]


@pytest.mark.parametrize(
    "typed", ["not an address", "zoe@example.com\r\nBcc: all@example.com", "zoe@", ""]
)
def test_bad_addresses_and_header_injection_are_refused_at_entry(store, clock, typed):
    rid = _reflection(store, clock)
    with pytest.raises(addresses.AddressError) as refused:
        reminders.opt_in(store, rid, typed, clock=clock)
    assert str(refused.value)
    assert reminders.current(store, rid) is None


def test_two_passes_at_once_send_each_message_once(store, settings, recorder, clock):
    for _ in range(4):
        reminders.opt_in(store, _reflection(store, clock), ADDRESS, clock=clock)
    outcomes: list[reminders.Outcome] = []
    passes = [
        threading.Thread(
            target=lambda: outcomes.append(reminders.run_pass(store, settings, clock=clock))
        )
        for _ in range(2)
    ]
    for thread in passes:
        thread.start()
    for thread in passes:
        thread.join()
    assert sum(outcome.sent for outcome in outcomes) == 4
    assert len(recorder.received) == 4


def _open_plan(app, store, clock):
    rid = _reflection(store, clock)
    with store.read() as conn:
        candidate_id = conn.execute(
            "SELECT candidate_id FROM reflections WHERE id = ?", (rid,)
        ).fetchone()[0]
    app.session_state["candidate"] = journey.Session(candidate_id, rid)
    app.run()
    app.switch_page("views/plan.py").run()
    assert not app.exception
    return rid


def test_the_my_plan_form_says_what_is_wrong_next_to_the_field_then_asks_to_confirm(
    app, store, clock
):
    rid = _open_plan(app, store, clock)
    app.text_input(key="reminder_email").input("zoe@@example")
    app.checkbox(key="reminder_consent").check()
    app.button(key="reminders_on").click().run()
    assert not app.exception
    assert reminders.current(store, rid) is None
    (shown,) = [error.value for error in app.error]
    with pytest.raises(addresses.AddressError) as expected:
        addresses.check_email("zoe@@example")
    assert shown == str(expected.value)
    app.text_input(key="reminder_email").input(ADDRESS)
    app.checkbox(key="reminder_consent").uncheck()
    app.button(key="reminders_on").click().run()
    assert [error.value for error in app.error] == ["Tick the box to say you agree first."]
    assert reminders.current(store, rid) is None
    app.checkbox(key="reminder_consent").check()
    app.button(key="reminders_on").click().run()
    assert reminders.current(store, rid) == reminders.OptIn(ADDRESS, False, "")
    assert any("Open it to start" in info.value for info in app.info)
    with store.read() as conn:
        consent = conn.execute("SELECT consent_version FROM reminder_optins").fetchone()[0]
    assert consent == reminders.REMINDERS.version
    app.button(key="reminders_off").click().run()
    assert reminders.current(store, rid).stopped_why == reminders.STOPPED_TURNED_OFF


def test_the_address_is_in_the_export_and_gone_after_purge(store, clock):
    from core import admin, candidate_exports

    rid = _reflection(store, clock)
    reminders.opt_in(store, rid, ADDRESS, clock=clock)
    candidate_id = journey.reflection(store, rid)["candidate_id"]
    exported = json.loads(candidate_exports.candidate_json(store, candidate_id))
    (reflection,) = exported["reflections"]
    assert reflection["reminders"]["email"] == ADDRESS
    assert "reminders by e-mail" in [consent["purpose"] for consent in reflection["consents"]]
    assert "token" not in json.dumps(reflection["reminders"])
    admin.purge(store, 30, 30, now=clock() + dt.timedelta(days=400))
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM reminder_optins").fetchone()[0] == 0


def _http(method: str, target: str, body: bytes = b"") -> tuple[int, str]:
    """One request straight into the app's routes (ASGI), on a loop of its own."""
    from starlette.applications import Starlette

    from web import routes

    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [
            (b"host", b"app.harbour.example"),
            (b"content-length", str(len(body)).encode()),
        ],
        "scheme": "http",
        "server": ("127.0.0.1", 8501),
        "client": ("127.0.0.1", 50000),
        "http_version": "1.1",
        "root_path": "",
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    worker = threading.Thread(
        target=lambda: asyncio.run(Starlette(routes=routes.make_routes())(scope, receive, send))
    )
    worker.start()
    worker.join()
    start = next(m for m in sent if m["type"] == "http.response.start")
    text = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], text.decode()


def test_the_links_a_prefetch_cannot_use_and_the_one_click_post(store, settings, recorder, clock):
    rid = _reflection(store, clock, due_in_days=0)
    reminders.opt_in(store, rid, ADDRESS, clock=clock)
    reminders.run_pass(store, settings, clock=clock)
    token = _link_token(_messages(recorder)[0], reminders.CONFIRM_PATH)
    # A scanner fetching the link confirms nothing; the page's button does.
    page = _http("GET", f"{reminders.CONFIRM_PATH}?token={token}")
    assert page[0] == 200 and 'method="post"' in page[1]
    assert not reminders.current(store, rid).confirmed
    assert "Reminders are on" in _http("POST", f"{reminders.CONFIRM_PATH}?token={token}")[1]
    assert reminders.current(store, rid).confirmed
    reminders.run_pass(store, settings, clock=clock)
    link = _messages(recorder)[-1]["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("https://app.harbour.example")
    assert _http("GET", path)[0] == 200 and reminders.current(store, rid).active
    stopped = _http("POST", path, b"List-Unsubscribe=One-Click")
    assert stopped[0] == 200
    assert reminders.current(store, rid).stopped_why == reminders.STOPPED_UNSUBSCRIBED
    unknown = _http("POST", f"{reminders.UNSUBSCRIBE_PATH}?token=<script>")
    assert "<script>" not in unknown[1]
