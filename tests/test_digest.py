"""The daily digest: once a day at the set hour, across concurrent senders, through a real
SMTP server, listing follow-ups due and targets missed by number, with no candidate text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import threading
import time
from email import policy

import pytest
from smtp_recorder import Recorder

from core import contact, digest, journey, targets
from core.limits import UNLIMITED
from core.settings import load_settings

SECRET_WORDS = ("Zoë Ahmed", "zoe@example.com", "Evenings are best", "Acme Robotics", "Pilot")
# A Monday in December: Europe/London is on UTC, so 08:00 local is 08:00 UTC.
MONDAY_0759 = dt.datetime(2026, 12, 7, 7, 59, tzinfo=dt.UTC)


def _settings(**changes):
    base = dataclasses.replace(
        load_settings({}),
        notify_team_email="team@harbour.example",
        notify_from="bounce-back@harbour.example",
        public_url="https://app.harbour.example",
        digest_hour=8,
    )
    return dataclasses.replace(base, **changes)


def _late_request(store, submitted: str, follow_up_on: str | None = None) -> int:
    rid = journey.start(store, {}, client=UNLIMITED).reflection_id
    journey.save_answer(store, rid, "company", SECRET_WORDS[3])
    journey.save_answer(store, rid, "role", SECRET_WORDS[4])
    request = contact.validate(
        name=SECRET_WORDS[0],
        email=SECRET_WORDS[1],
        phone="",
        channel="email",
        message=SECRET_WORDS[2] + ", thank you.",
        consent=True,
    )
    contact.save_request(store, rid, request, client=UNLIMITED)
    journey.submit_for_review(store, rid, journey.load_answers(store, rid), asked_to_talk=True)
    with store.write() as conn:
        conn.execute(
            "UPDATE reflections SET submitted_at = ?, follow_up_on = ?, respond_by = NULL "
            "WHERE id = ?",
            (submitted, follow_up_on, rid),
        )
    # Its deadline, as it would have been stored when it arrived back then.
    targets.backfill_respond_by(store, _settings())
    return rid


def _pin(clock, moment: dt.datetime) -> None:
    clock.advance(seconds=(moment - clock.now).total_seconds())


def test_the_digest_waits_for_its_hour_and_can_be_turned_off(store, clock):
    _pin(clock, MONDAY_0759)
    sent = []
    deliver = lambda message, _settings: sent.append(message)  # noqa: E731
    assert digest.run_pass(store, _settings(), clock=clock, deliver=deliver) == digest.Outcome()
    clock.advance(minutes=1)
    assert digest.run_pass(store, _settings(digest_hour=-1), clock=clock, deliver=deliver) == (
        digest.Outcome()
    )
    no_team = _settings(notify_team_email="")
    assert digest.run_pass(store, no_team, clock=clock, deliver=deliver) == digest.Outcome()
    assert sent == []
    assert digest.run_pass(store, _settings(), clock=clock, deliver=deliver).sent == 1


def test_a_bad_digest_hour_stops_the_start():
    with pytest.raises(ValueError, match="DIGEST_HOUR"):
        load_settings({"BOUNCE_BACK_DIGEST_HOUR": "24"})
    assert load_settings({"BOUNCE_BACK_DIGEST_HOUR": "-1"}).digest_hour == -1


def test_two_senders_at_once_send_the_day_s_digest_once(store, clock):
    _pin(clock, MONDAY_0759 + dt.timedelta(hours=1))
    delivered = []
    lock = threading.Lock()

    def slow_deliver(message, _settings):
        time.sleep(0.05)
        with lock:
            delivered.append(message)

    barrier = threading.Barrier(2)
    outcomes = []

    def one_pass():
        barrier.wait()
        outcomes.append(digest.run_pass(store, _settings(), clock=clock, deliver=slow_deliver))

    senders = [threading.Thread(target=one_pass) for _ in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert len(delivered) == 1 and sum(o.sent for o in outcomes) == 1
    # Later the same day: nothing more. The next morning: the next digest.
    clock.advance(hours=6)
    assert digest.run_pass(store, _settings(), clock=clock, deliver=slow_deliver).sent == 0
    clock.advance(hours=18)
    assert digest.run_pass(store, _settings(), clock=clock, deliver=slow_deliver).sent == 1
    assert len(delivered) == 2


def test_the_digest_lists_numbers_and_links_never_candidate_text(store, clock, smtp_server):
    recorder = Recorder()
    server = smtp_server(recorder)
    # Urgent (asked to talk) on Wednesday morning: due Thursday, missed by Monday.
    late = _late_request(store, "2026-12-02T10:00:00+00:00", follow_up_on="2026-12-04")
    # Arrived Monday 07:00, before opening: due at Monday's close, not missed yet.
    fresh = _late_request(store, "2026-12-07T07:00:00+00:00")
    _pin(clock, MONDAY_0759 + dt.timedelta(minutes=1))
    chosen = _settings(notify_mail_url=f"smtp://127.0.0.1:{server.port}?starttls=0")
    assert digest.run_pass(store, chosen, clock=clock).sent == 1
    [envelope] = recorder.received
    assert envelope.rcpt_tos == ["team@harbour.example"]
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    body = message.get_body(("plain",)).get_content()
    assert "Follow-ups due: 1" in body and f"#{late}, follow up on 2026-12-04" in body
    assert "Response targets missed and still unanswered: 1" in body
    assert f"#{late}, was due Thu 3 Dec, 10:00" in body
    assert f"https://app.harbour.example/reflection?id={late}" in body
    assert f"#{fresh}," not in body
    raw = envelope.content.decode("utf-8", "replace")
    for word in SECRET_WORDS:
        assert word not in raw and word not in body


def test_a_deadline_brought_forward_counts_in_the_digest(store, clock):
    """Shared on Monday (three working days), then asked to talk: the stored deadline is
    the one the digest goes by, not one worked out again from the arrival."""
    rid = journey.start(store, {}, client=UNLIMITED).reflection_id
    journey.submit_for_review(store, rid, journey.load_answers(store, rid))
    tuesday_noon = dt.datetime(2026, 12, 8, 12, tzinfo=dt.UTC)
    with store.write() as conn:
        conn.execute(
            "UPDATE reflections SET submitted_at = ?, respond_by = ? WHERE id = ?",
            ("2026-12-07T09:00:00+00:00", "2026-12-07T17:00:00+00:00", rid),
        )
    missed = digest.missed_targets(store, tuesday_noon, _settings())
    assert [item["id"] for item in missed] == [rid]
