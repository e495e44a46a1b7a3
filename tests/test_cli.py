"""The admin commands purge, backup and stats, driven through `core.cli.main`."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from core import journey
from core.cli import main
from core.limits import UNLIMITED
from core.store import open_store


@pytest.fixture
def db(tmp_path):
    """A database with one stale draft (200 days) and one fresh, submitted reflection."""
    path = tmp_path / "admin.db"
    store = open_store(path)
    old = journey.start(store, {"utm_campaign": "job-rejection"}, client=UNLIMITED)
    journey.save_answer(store, old.reflection_id, "company", "Old Co")
    fresh = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, fresh.reflection_id, "company", "Fresh Co")
    journey.submit_for_review(store, fresh.reflection_id, {"company": "Fresh Co"})
    stale = (dt.datetime.now(dt.UTC) - dt.timedelta(days=200)).isoformat(timespec="seconds")
    with store.write() as conn:
        conn.execute(
            "UPDATE reflections SET updated_at = ? WHERE id = ?", (stale, old.reflection_id)
        )
    return path


def _companies(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT company FROM reflections ORDER BY id")]
    finally:
        conn.close()


def test_purge_dry_run_reports_and_keeps_everything(db, capsys):
    assert (
        main(["--db", str(db), "purge", "--drafts", "90", "--submitted", "365", "--dry-run"]) == 0
    )
    out = capsys.readouterr().out
    assert "Would delete 1 draft and 0 submitted reflections (1 candidates" in out
    assert _companies(db) == ["Old Co", "Fresh Co"]


def test_purge_deletes_the_stale_draft_only(db, capsys):
    assert main(["--db", str(db), "purge", "--drafts", "90", "--submitted", "365"]) == 0
    assert "Deleted 1 draft and 0 submitted reflections" in capsys.readouterr().out
    assert _companies(db) == ["Fresh Co"]


def test_purge_uses_retention_settings_when_no_ages_given(db, capsys, monkeypatch):
    monkeypatch.setenv("BOUNCE_BACK_DRAFT_RETENTION_DAYS", "300")
    assert main(["--db", str(db), "purge"]) == 0
    assert "Deleted 0 draft" in capsys.readouterr().out
    assert _companies(db) == ["Old Co", "Fresh Co"]


def test_purge_refuses_a_negative_age_with_a_message(db, capsys):
    assert main(["--db", str(db), "purge", "--drafts", "-5"]) == 1
    captured = capsys.readouterr()
    assert "at least 1 day" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert _companies(db) == ["Old Co", "Fresh Co"]


def test_purge_refuses_words_for_ages(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db), "purge", "--drafts", "ninety"])
    assert exit_info.value.code == 2
    assert "invalid int value" in capsys.readouterr().err
    assert _companies(db) == ["Old Co", "Fresh Co"]


def test_backup_writes_a_checked_copy(db, tmp_path, capsys):
    target = tmp_path / "backup.db"
    assert main(["--db", str(db), "backup", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"Backed up to {target}" in out and "integrity ok" in out
    assert _companies(target) == ["Old Co", "Fresh Co"]


def test_backup_will_not_overwrite(db, tmp_path, capsys):
    target = tmp_path / "backup.db"
    target.write_text("yesterday's backup")
    assert main(["--db", str(db), "backup", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert target.read_text() == "yesterday's backup"


def test_backup_onto_the_live_database_is_refused(db, capsys):
    assert main(["--db", str(db), "backup", str(db)]) == 1
    assert "live database" in capsys.readouterr().err
    assert _companies(db) == ["Old Co", "Fresh Co"]


def test_backup_into_a_missing_folder_is_refused(db, tmp_path, capsys):
    assert main(["--db", str(db), "backup", str(tmp_path / "nope" / "b.db")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_stats_prints_json_counts(db, capsys):
    assert main(["--db", str(db), "stats"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["candidates"] == 2
    assert counts["drafts"] == 1
    assert counts["submitted"]["new"] == 1
    assert counts["by_campaign"] == {
        "job-rejection": {"reflections": 1, "submitted": 0},
        "(none)": {"reflections": 1, "submitted": 1},
    }


def test_stats_after_purge_reflects_the_deletion(db, capsys):
    main(["--db", str(db), "purge", "--drafts", "90", "--submitted", "365"])
    capsys.readouterr()
    main(["--db", str(db), "stats"])
    counts = json.loads(capsys.readouterr().out)
    assert counts["candidates"] == 1 and counts["reflections"] == 1
    assert "job-rejection" not in counts["by_campaign"]
