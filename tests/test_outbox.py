"""Consultants hear of every request: the outbox row is written with the event, the
sender delivers it once, retries while the mail server is away, records a refusal, and
no message carries what the candidate wrote."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import json
import threading
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller
from smtp_recorder import Recorder, free_port

from core import contact, journey, outbox
from core.limits import UNLIMITED
from core.settings import load_settings

SECRET_WORDS = ("Zoë Ahmed", "zoe@example.com", "Evenings are best", "Acme Robotics")


def _settings(**changes):
    base = dataclasses.replace(
        load_settings(),
        notify_team_email="team@harbour.example",
        notify_from="bounce-back@harbour.example",
        notify_webhook_url="",
        public_url="https://app.harbour.example",
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture
def settings(monkeypatch):
    chosen = _settings()
    monkeypatch.setattr(outbox, "load_settings", lambda: chosen)
    return chosen


def _ask_to_talk(store, **company) -> int:
    rid = journey.start(store, {}, client=UNLIMITED).reflection_id
    for key, value in company.items():
        journey.save_answer(store, rid, key, value)
    request = contact.validate(
        name=SECRET_WORDS[0],
        email=SECRET_WORDS[1],
        phone="",
        channel="email",
        message=SECRET_WORDS[2] + ", thank you.",
        consent=True,
    )
    contact.save_request(store, rid, request, client=UNLIMITED)
    return rid


def _rows(store):
    with store.read() as conn:
        return conn.execute("SELECT * FROM outbox ORDER BY id").fetchall()


def test_a_contact_request_writes_one_notification_per_channel(store, settings, monkeypatch):
    _ask_to_talk(store)
    (row,) = _rows(store)
    assert (row["event"], row["channel"], row["target"]) == (
        outbox.CONTACT_REQUEST,
        outbox.MAIL,
        "team@harbour.example",
    )
    both = _settings(notify_webhook_url="https://chat.example/hook", notify_webhook_secret="s")
    monkeypatch.setattr(outbox, "load_settings", lambda: both)
    _ask_to_talk(store)
    assert [r["channel"] for r in _rows(store)][1:] == [outbox.MAIL, outbox.WEBHOOK]


def test_a_request_refused_by_the_cap_announces_nothing(store, settings):
    rid = _ask_to_talk(store)
    for _ in range(contact.MAX_REQUESTS_PER_REFLECTION - 1):
        contact.save_request(
            store,
            rid,
            contact.validate(
                name="A", email="a@example.com", phone="", channel="email", message="", consent=True
            ),
            client=UNLIMITED,
        )
    before = len(_rows(store))
    with pytest.raises(contact.ContactInvalid):
        contact.save_request(
            store,
            rid,
            contact.validate(
                name="A", email="a@example.com", phone="", channel="email", message="", consent=True
            ),
            client=UNLIMITED,
        )
    assert len(_rows(store)) == before


def test_only_the_first_share_is_news(store, settings):
    rid = journey.start(store, {}, client=UNLIMITED).reflection_id
    journey.save_answer(store, rid, "company", SECRET_WORDS[3])
    journey.submit_for_review(store, rid, journey.load_answers(store, rid))
    journey.submit_for_review(store, rid, journey.load_answers(store, rid))
    assert [r["event"] for r in _rows(store)] == [outbox.SHARED]


def test_no_channel_set_writes_nothing(store, monkeypatch):
    quiet = _settings(notify_team_email="", notify_webhook_url="")
    monkeypatch.setattr(outbox, "load_settings", lambda: quiet)
    _ask_to_talk(store)
    assert _rows(store) == []


def test_the_mail_says_why_and_links_but_carries_nothing_the_candidate_wrote(
    store, settings, smtp_server, clock
):
    recorder = Recorder()
    server = smtp_server(recorder)
    chosen = dataclasses.replace(
        settings, notify_mail_url=f"smtp://127.0.0.1:{server.port}?starttls=0"
    )
    rid = _ask_to_talk(store, company=SECRET_WORDS[3])
    assert outbox.send_due(store, chosen, clock=clock) == outbox.Outcome(sent=1)
    assert outbox.send_due(store, chosen, clock=clock) == outbox.Outcome()  # once
    (envelope,) = recorder.received
    raw = envelope.original_content.decode()
    message = email.message_from_string(raw, policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for words in SECRET_WORDS:
        assert words not in raw and words not in text and words not in html
    assert f"https://app.harbour.example/reflection?id={rid}" in text
    assert "Asked to talk" in text and "Please respond by" in text
    assert envelope.rcpt_tos == ["team@harbour.example"]


def test_a_server_that_is_down_gets_the_message_once_it_is_back(store, settings, clock):
    port = free_port()
    chosen = dataclasses.replace(settings, notify_mail_url=f"smtp://127.0.0.1:{port}?starttls=0")
    _ask_to_talk(store)
    assert outbox.send_due(store, chosen, clock=clock) == outbox.Outcome(retrying=1)
    (row,) = _rows(store)
    assert row["attempts"] == 1 and row["sent_at"] is None and row["last_error"]
    # Not due again at once: the back-off holds it.
    assert outbox.send_due(store, chosen, clock=clock) == outbox.Outcome()
    recorder = Recorder()
    server = Controller(recorder, hostname="127.0.0.1", port=port)
    server.start()
    try:
        clock.advance(minutes=5)
        assert outbox.send_due(store, chosen, clock=clock) == outbox.Outcome(sent=1)
        assert outbox.send_due(store, chosen, clock=clock) == outbox.Outcome()
    finally:
        server.stop()
    assert len(recorder.received) == 1


def test_a_permanent_refusal_is_recorded_not_retried(store, settings, smtp_server, clock):
    server = smtp_server(Recorder(rcpt_reply="550 No such mailbox"))
    chosen = dataclasses.replace(
        settings, notify_mail_url=f"smtp://127.0.0.1:{server.port}?starttls=0"
    )
    _ask_to_talk(store)
    assert outbox.send_due(store, chosen, clock=clock) == outbox.Outcome(refused=1)
    clock.advance(days=3)
    assert outbox.send_due(store, chosen, clock=clock) == outbox.Outcome()
    (row,) = _rows(store)
    assert row["refused_at"] is not None and "550" in row["last_error"]
    assert outbox.refused_count(store) == 1


def test_two_senders_at_once_deliver_each_row_once(store, settings, clock):
    for _ in range(6):
        _ask_to_talk(store)
    delivered: list[int] = []
    lock = threading.Lock()

    def slow_deliver(row, _settings, _now):
        time.sleep(0.02)
        with lock:
            delivered.append(row["id"])

    outcomes = []
    senders = [
        threading.Thread(
            target=lambda: outcomes.append(
                outbox.send_due(store, settings, clock=clock, deliver=slow_deliver)
            )
        )
        for _ in range(2)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sorted(delivered) == sorted(r["id"] for r in _rows(store))
    assert sum(o.sent for o in outcomes) == 6


def test_a_claim_left_by_a_dead_sender_runs_out(store, settings, clock):
    _ask_to_talk(store)

    def dies(row, _settings, _now):
        raise KeyboardInterrupt  # the process went away mid-delivery

    with pytest.raises(KeyboardInterrupt):
        outbox.send_due(store, settings, clock=clock, deliver=dies)
    sent = []
    assert outbox.send_due(store, settings, clock=clock, deliver=lambda *a: sent.append(1)) == (
        outbox.Outcome()
    )
    clock.advance(seconds=outbox.CLAIM_SECONDS + 1)
    outbox.send_due(store, settings, clock=clock, deliver=lambda *a: sent.append(1))
    assert sent == [1]


def test_waiting_notifications_are_counted_after_the_threshold(store, settings, clock):
    _ask_to_talk(store)
    assert outbox.waiting(store, clock()) == 0
    later = clock() + dt.timedelta(minutes=outbox.WAITING_ALERT_MINUTES + 1)
    assert outbox.waiting(store, later) == 1


def test_the_webhook_payload_holds_no_candidate_text(store, settings):
    rid = _ask_to_talk(store, company=SECRET_WORDS[3])
    (row,) = _rows(store)
    payload = json.dumps(outbox.describe(row, settings))
    for words in SECRET_WORDS:
        assert words not in payload
    assert f"reflection?id={rid}" in payload


def test_urgent_reasons_get_the_one_day_target(settings):
    monday_ten = "2026-12-07T10:00:00+00:00"  # 10:00 in London in winter
    urgent = outbox.respond_by(monday_ten, ["asked_to_talk"], settings)
    standard = outbox.respond_by(monday_ten, ["low_overall"], settings)
    assert urgent == dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC)
    assert standard == dt.datetime(2026, 12, 10, 10, 0, tzinfo=dt.UTC)


def test_deleting_the_candidate_takes_their_notifications(store, settings):
    rid = _ask_to_talk(store)
    with store.read() as conn:
        candidate_id = conn.execute(
            "SELECT candidate_id FROM reflections WHERE id = ?", (rid,)
        ).fetchone()[0]
    journey.delete_candidate(store, candidate_id)
    assert _rows(store) == []


def test_a_wrong_setting_is_recorded_and_the_pass_goes_on(store, settings, clock):
    no_secret = dataclasses.replace(
        settings, notify_webhook_url="https://chat.example/hook", notify_webhook_secret=""
    )
    outbox_settings = no_secret
    _ask_to_talk(store)
    with store.write() as conn:
        (rid,) = conn.execute("SELECT reflection_id FROM outbox").fetchone()
        outbox.enqueue(
            conn,
            event=outbox.SHARED,
            reflection_id=rid,
            reason_codes=[],
            now=_rows(store)[0]["created_at"],
            settings=outbox_settings,
        )
    delivered = []

    def deliver(row, chosen, now):
        if row["channel"] == outbox.WEBHOOK:
            outbox._deliver(row, chosen, now)  # refuses: no secret
        delivered.append(row["id"])

    outcome = outbox.send_due(store, outbox_settings, clock=clock, deliver=deliver)
    assert outcome.retrying == 1 and outcome.sent == 2
    (stuck,) = [r for r in _rows(store) if r["channel"] == outbox.WEBHOOK]
    assert stuck["attempts"] == 1 and stuck["last_error"] and stuck["claimed_until"] is None


def test_a_message_sent_again_keeps_its_message_id(store, settings, clock):
    _ask_to_talk(store)
    (row,) = _rows(store)
    first = outbox.build_mail(row, settings, clock())
    clock.advance(minutes=10)
    again = outbox.build_mail(row, settings, clock())
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"].endswith("@harbour.example>")


def test_a_sender_whose_claim_ran_out_does_not_overwrite_the_next_one(store, settings, clock):
    _ask_to_talk(store)

    def slow(row, _settings, _now):
        # While this delivery hangs, the claim runs out and another sender delivers.
        clock.advance(seconds=outbox.CLAIM_SECONDS + 1)
        assert outbox.send_due(store, settings, clock=clock, deliver=lambda *a: None) == (
            outbox.Outcome(sent=1)
        )
        raise outbox.delivery.DeliveryDeferred("timed out")

    outbox.send_due(store, settings, clock=clock, deliver=slow)
    (row,) = _rows(store)
    assert row["sent_at"] is not None and row["attempts"] == 0
