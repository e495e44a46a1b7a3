"""Caps on anonymous writes, cheap refusals of oversized input, audit retention, and the
CSV export's quoting and formula neutralising."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from core import admin, contact, journey, queue_export, validation
from core.clock import stamp
from core.limits import UNLIMITED, ClientLimit
from core.questionnaire import FIELDS_BY_KEY

# ---------------------------------------------------------------- validation order


class CountingCategory:
    """Stands in for unicodedata in core.validation, counting per-character checks."""

    def __init__(self) -> None:
        self.calls = 0

    def category(self, ch: str) -> str:
        self.calls += 1
        import unicodedata

        return unicodedata.category(ch)


@pytest.fixture
def counting(monkeypatch) -> CountingCategory:
    counter = CountingCategory()
    monkeypatch.setattr(validation, "unicodedata", counter)
    return counter


def test_five_million_characters_are_refused_without_looking_at_each(counting):
    with pytest.raises(validation.InvalidAnswer, match="5,000,000 characters long"):
        validation.clean_answer("fit_learned", "x" * 5_000_000)
    assert counting.calls == 0
    # A text within the limit is still checked character by character.
    assert validation.clean_answer("fit_learned", "short") == "short"
    assert counting.calls == len("short")


def test_too_many_table_rows_are_refused_before_any_cell_is_checked(counting):
    field = FIELDS_BY_KEY["strengths"]
    column = field.columns[0].key
    rows = [{column: "y" * 100} for _ in range(field.max_rows + 1)]
    with pytest.raises(validation.InvalidAnswer, match=f"up to {field.max_rows} rows"):
        validation.clean_answer("strengths", rows)
    assert counting.calls == 0
    with pytest.raises(validation.InvalidAnswer, match="could not be read"):
        validation.clean_answer("strengths", [{}] * (validation.MAX_TABLE_INPUT_ROWS + 1))
    assert counting.calls == 0


# ---------------------------------------------------------------- caps


def a_request():
    return contact.validate("Zoë", "zoe@example.com", "", "email", "Hello", True)


def test_contact_requests_per_reflection_are_capped(store):
    rid = journey.start(store, client=UNLIMITED).reflection_id
    for _ in range(contact.MAX_REQUESTS_PER_REFLECTION):
        contact.save_request(store, rid, a_request(), client=UNLIMITED)
    with pytest.raises(contact.ContactInvalid) as refused:
        contact.save_request(store, rid, a_request(), client=UNLIMITED)
    assert "won't store another" in refused.value.errors["form"]
    assert len(contact.requests_for(store, rid)) == contact.MAX_REQUESTS_PER_REFLECTION
    # Another reflection is unaffected.
    contact.save_request(
        store, journey.start(store, client=UNLIMITED).reflection_id, a_request(), client=UNLIMITED
    )


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_new_reflections_per_candidate_per_day_are_capped(store):
    session = journey.start(store, client=UNLIMITED)  # the first reflection counts
    for _ in range(journey.MAX_NEW_REFLECTIONS_PER_DAY - 1):
        journey.new_reflection(store, session.candidate_id, client=UNLIMITED)
    with pytest.raises(journey.TooMany, match="limit"):
        journey.new_reflection(store, session.candidate_id, client=UNLIMITED)
    assert len(journey.history(store, session.candidate_id)) == journey.MAX_NEW_REFLECTIONS_PER_DAY
    # A day later they may start again.
    with store.write() as conn:
        conn.execute("UPDATE reflections SET created_at = '2020-01-01T00:00:00+00:00'")
    journey.new_reflection(store, session.candidate_id, client=UNLIMITED)


def test_starting_new_candidates_is_rate_limited_per_client(store):
    ticks = Ticks()
    limit = ClientLimit(3, 100, clock=ticks)
    for _ in range(3):
        journey.start(store, client="203.0.113.7", limit=limit)
    with pytest.raises(journey.TooMany, match="wait a minute"):
        journey.start(store, client="203.0.113.7", limit=limit)
    journey.start(store, client="198.51.100.20", limit=limit)  # another client
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM candidates").fetchone()[0] == 4
    ticks.now += 60
    journey.start(store, client="203.0.113.7", limit=limit)


def test_the_welcome_page_says_so_when_starts_are_limited(app, store):
    budget = journey.new_candidates(store)
    for n in range(budget.ceiling):  # many clients together reach the ceiling
        assert budget.take(f"client {n // budget.per_client}") is None
    at = app.run()
    at.checkbox(key="consent_store").check().run()
    [b for b in at.button if b.label == "Start my reflection"][0].click().run()
    assert not at.exception
    assert any("A lot of people" in e.value for e in at.error)
    assert "candidate" not in at.session_state


# ---------------------------------------------------------------- audit retention


def seed_logs(store, clock):
    """One login row of each kind from about two years ago, and one from yesterday."""
    long_ago, yesterday = clock() - dt.timedelta(days=700), clock() - dt.timedelta(days=1)
    with store.write() as conn:
        for at in (stamp(long_ago), stamp(yesterday)):
            conn.execute(
                "INSERT INTO audit_log (at, actor, action) VALUES (?, 'alice', 'login')", (at,)
            )
            conn.execute(
                "INSERT INTO login_attempts (username, at, success) VALUES ('alice', ?, 0)", (at,)
            )


def log_counts(store):
    with store.read() as conn:
        return tuple(
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("audit_log", "login_attempts")
        )


def test_purge_applies_the_audit_retention(store, clock):
    seed_logs(store, clock)
    counted = admin.purge(store, 90, 365, audit_days=365, dry_run=True, now=clock())
    assert (counted["audit"], counted["login_attempts"]) == (1, 1)
    assert log_counts(store) == (2, 2)
    admin.purge(store, 90, 365, audit_days=365, now=clock())
    assert log_counts(store) == (1, 1)
    with pytest.raises(ValueError, match="audit log age"):
        admin.purge(store, 90, 365, audit_days=0, now=clock())


def test_the_purge_command_uses_the_retention_setting(db_path, store, capsys, monkeypatch, clock):
    from core.cli import main

    seed_logs(store, clock)
    monkeypatch.setenv("BOUNCE_BACK_AUDIT_RETENTION_DAYS", "30")
    assert main(["--db", store.path, "purge"]) == 0
    assert "1 audit log rows and 1 login attempts" in capsys.readouterr().out
    assert log_counts(store) == (1, 1)


# ---------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        '  =HYPERLINK("http://evil")',
        "\u3000@SUM(A1)",
        "\uff1dcmd|' /C calc'!A0",
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(1)",
        " \t-2",
        "\tx",
        "\rx",
    ],
)
def test_formula_starts_are_neutralised_after_spaces_and_in_full_width(text):
    assert queue_export.safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Acme", "R&D lead", "  plain", "50% off", "a=b"])
def test_ordinary_text_is_left_alone(text):
    assert queue_export.safe_cell(text) == text


def test_every_field_is_quoted():
    text = queue_export.rows_csv([{"id": 7, "company": "Acme", "overall": 42.0}])
    header, row = text.strip().split("\r\n")
    assert all(cell.startswith('"') and cell.endswith('"') for cell in row.split(","))
    assert header.startswith('"Reflection","Submitted"')
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[1][0] == "7"
