"""The sender inside the app process: one pass delivers what is due, a database that is
away leaves the rows for the next pass, and the lifespan starts and stops it."""

from __future__ import annotations

from core import contact, journey, outbox
from core.limits import UNLIMITED
from web import sender


def _request(store) -> int:
    rid = journey.start(store, {}, client=UNLIMITED).reflection_id
    request = contact.validate(
        name="Sam", email="sam@example.com", phone="", channel="email", message="", consent=True
    )
    contact.save_request(store, rid, request, client=UNLIMITED)
    return rid


def test_one_pass_writes_the_due_mail_to_the_outbox_folder(store, tmp_path, monkeypatch):
    folder = tmp_path / "outbox"
    monkeypatch.setenv("BOUNCE_BACK_NOTIFY_MAIL_URL", folder.as_uri())
    monkeypatch.setenv("BOUNCE_BACK_NOTIFY_TEAM_EMAIL", "team@harbour.example")
    _request(store)
    assert sender.Sender(60).run_once() == outbox.Outcome(sent=1)
    (written,) = folder.glob("*.eml")
    assert "team@harbour.example" in written.read_text()
    assert sender.Sender(60).run_once() == outbox.Outcome()


def test_a_database_that_is_away_leaves_the_rows_for_later(store, monkeypatch):
    _request(store)

    def away(*_args, **_kwargs):
        from core.store import StoreUnavailable

        raise StoreUnavailable("gone")

    monkeypatch.setattr(outbox, "send_due", away)
    assert sender.Sender(60).run_once() is None


def test_no_sender_when_cron_does_the_sending(monkeypatch):
    monkeypatch.setenv("BOUNCE_BACK_NOTIFY_EVERY_SECONDS", "0")
    assert sender.start_sender() is None
    monkeypatch.setenv("BOUNCE_BACK_NOTIFY_EVERY_SECONDS", "1")
    running = sender.start_sender()
    try:
        assert running is not None and running._thread.is_alive()
    finally:
        running.stop()
    assert not running._thread.is_alive()
