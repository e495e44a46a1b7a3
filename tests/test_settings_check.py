"""Notification settings are checked at start and by `bounce-back check-settings`: each
mistake an operator can make is named in words, and the defaults pass."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.cli import main
from core.settings import Settings
from core.settings_check import notification_problems


def test_the_defaults_have_no_problems():
    assert notification_problems(Settings()) == []


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"notify_mail_url": "smtp//mail.example.org"}, "BOUNCE_BACK_NOTIFY_MAIL_URL"),
        ({"notify_mail_url": "smtp://mail.example.org:99999"}, "bad port"),
        ({"notify_mail_url": "file://relative/outbox"}, "absolute folder"),
        ({"notify_from": "not an address"}, "BOUNCE_BACK_NOTIFY_FROM"),
        ({"notify_team_email": "team@@example.org"}, "BOUNCE_BACK_NOTIFY_TEAM_EMAIL"),
        (
            {"notify_webhook_url": "https://chat.example.org/hook", "notify_webhook_secret": ""},
            "BOUNCE_BACK_NOTIFY_WEBHOOK_SECRET",
        ),
        (
            {"notify_webhook_url": "http://chat.example.org/hook", "notify_webhook_secret": "s"},
            "https://",
        ),
        ({"working_time_zone": "Europe/Londn"}, "time zone"),
        ({"working_hours": "17:00-09:00"}, "open before they close"),
        ({"digest_hour": 24}, "BOUNCE_BACK_DIGEST_HOUR"),
        ({"public_url": "bounce-back.example.org"}, "BOUNCE_BACK_PUBLIC_URL"),
    ],
)
def test_each_mistake_is_named(change, named):
    problems = notification_problems(replace(Settings(), **change))
    assert len(problems) == 1, problems
    assert named in problems[0]


def test_an_empty_team_address_is_allowed():
    assert notification_problems(replace(Settings(), notify_team_email="")) == []


def test_the_command_exits_non_zero_and_prints_the_problems(monkeypatch, capsys):
    monkeypatch.setenv("BOUNCE_BACK_NOTIFY_WEBHOOK_URL", "https://chat.example.org/hook")
    monkeypatch.delenv("BOUNCE_BACK_NOTIFY_WEBHOOK_SECRET", raising=False)
    assert main(["check-settings"]) == 1
    assert "BOUNCE_BACK_NOTIFY_WEBHOOK_SECRET" in capsys.readouterr().err


def test_the_command_says_so_when_all_is_well(monkeypatch, capsys):
    monkeypatch.delenv("BOUNCE_BACK_NOTIFY_WEBHOOK_URL", raising=False)
    assert main(["check-settings"]) == 0
    assert "look right" in capsys.readouterr().out
