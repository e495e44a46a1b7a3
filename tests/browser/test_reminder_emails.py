"""Candidate reminders end to end: opt in on My plan, confirm from the e-mail the server
sent, get one reminder on a (test-clock) due day, unsubscribe with one click, get no more."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import time
import urllib.request
from email import policy
from pathlib import Path

import drive
import pytest
from playwright.sync_api import expect

from core import journey, reminders
from core.consent import REMINDERS, STORE_ANSWERS
from core.settings import load_settings

pytestmark = pytest.mark.browser

ADDRESS = "zoe@example.com"


def _mails(folder: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


def _wait_for_mail(folder: Path, count: int, timeout_s: float = 30) -> list:
    deadline = time.monotonic() + timeout_s
    while len(found := _mails(folder)) < count:
        assert time.monotonic() < deadline, f"{count} e-mail(s) expected in {folder}"
        time.sleep(0.2)
    return found


def _token_after(text: str, path: str) -> str:
    line = next(line for line in text.splitlines() if path in line)
    return line.split("token=")[1].strip()


def test_opt_in_confirm_one_reminder_then_one_click_unsubscribe(page, server_runner, tmp_path):
    server_outbox = tmp_path / "server_outbox"
    server_outbox.mkdir()
    env = {
        "BOUNCE_BACK_NOTIFY_MAIL_URL": server_outbox.as_uri(),
        "BOUNCE_BACK_NOTIFY_EVERY_SECONDS": "1",
    }
    with server_runner(tmp_path, env) as server:
        drive.open_app(page, server.url + "/")
        drive.tick(page, STORE_ANSWERS.text)
        drive.click_button(page, "Start my reflection")
        drive.resume_code(page)
        store = server.store()
        with store.read() as conn:
            (rid,) = [row[0] for row in conn.execute("SELECT id FROM reflections")]
        today = dt.datetime.now(dt.UTC).date()
        journey.save_answer(
            store,
            rid,
            "improvements",
            [
                {"action": "Mock interview with Sam", "target_date": str(today + dt.timedelta(3))},
                {"action": "Rewrite my CV", "target_date": str(today + dt.timedelta(4))},
            ],
        )

        drive.go_to_page(page, "My plan")
        drive.fill_text(page, "Your e-mail address", ADDRESS)
        drive.tick(page, REMINDERS.text)
        drive.click_button(page, "E-mail me on the days I planned")
        expect(drive.main_area(page)).to_contain_text("Open it to start the reminders")

        # The server's own sender delivers the confirmation; nothing else yet.
        (confirmation,) = _wait_for_mail(server_outbox, 1)
        assert confirmation["To"] == ADDRESS
        text = confirmation.get_body(("plain",)).get_content()
        token = _token_after(text, reminders.CONFIRM_PATH)
        page.goto(f"{server.url}{reminders.CONFIRM_PATH}?token={token}")
        assert not reminders.current(store, rid).confirmed  # opening the page is not enough
        page.get_by_role("button", name="Yes, start my reminders").click()
        expect(page.locator("h1")).to_have_text("Reminders are on")
        assert reminders.current(store, rid).confirmed

        # The reminders pass, in this process, on the due day by a test clock.
        test_outbox = tmp_path / "test_outbox"
        test_outbox.mkdir()
        settings = dataclasses.replace(
            load_settings(),
            db_path=str(server.db_path),
            public_url="https://bounce-back.harbour.example",
            notify_mail_url=test_outbox.as_uri(),
        )
        due_day = dt.datetime.combine(today + dt.timedelta(3), dt.time(9), dt.UTC)
        assert reminders.run_pass(store, settings, clock=lambda: due_day).sent == 1
        assert reminders.run_pass(store, settings, clock=lambda: due_day).sent == 0
        (reminder,) = _mails(test_outbox)
        assert "Mock interview with Sam" in reminder.get_body(("plain",)).get_content()
        assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = reminder["List-Unsubscribe"].strip("<>")
        one_click = urllib.request.Request(
            server.url + link.removeprefix(settings.public_url),
            data=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        with urllib.request.urlopen(one_click, timeout=10) as answer:
            assert answer.status == 200

        next_due_day = due_day + dt.timedelta(days=1)
        assert reminders.run_pass(store, settings, clock=lambda: next_due_day).sent == 0
        assert len(_mails(test_outbox)) == 1
        assert len(_mails(server_outbox)) == 1
        page.goto(server.url + "/")
        drive.wait_for_app(page, since={"started": 0, "sent": 0})
        drive.go_to_page(page, "My plan")
        expect(drive.main_area(page)).to_contain_text("You unsubscribed")
