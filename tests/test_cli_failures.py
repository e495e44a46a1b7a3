"""The admin CLI under real faults: each failure is one clear line on stderr and exit 1,
never a traceback; a mistyped path creates nothing; every command names its database."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from sqlite_faults import write_lock_in_another_process

from core import journey, store_base
from core.cli import main
from core.limits import UNLIMITED
from core.store_sqlite import SqliteStore


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "live.db"
    store = SqliteStore(path)
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "company", "Acme")
    store.close()
    return path


def one_line_failure(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "1m"):
    folder.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {result.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@pytest.mark.parametrize(
    "command",
    [["stats"], ["list-consultants"], ["purge", "--dry-run"], ["purge"], ["backup", "b.db"]],
    ids=lambda c: " ".join(c),
)
def test_a_mistyped_path_is_an_error_naming_it_and_creates_nothing(
    tmp_path, monkeypatch, capsys, command
):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", "typo/live.db", *command]) == 1
    line = one_line_failure(capsys)
    assert f"There is no database at {tmp_path / 'typo' / 'live.db'}" in line
    assert not (tmp_path / "typo").exists()


def test_init_creates_the_database_and_says_where(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", "new.db", "init"]) == 0
    out = capsys.readouterr().out
    assert f"Database: {tmp_path / 'new.db'}" in out and "Created a new database" in out
    assert stat.S_IMODE((tmp_path / "new.db").stat().st_mode) == 0o600
    assert main(["--db", "new.db", "init"]) == 0
    assert "already existed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "command",
    [
        ["list-consultants"],
        ["purge", "--dry-run"],
        ["purge"],
        ["backup", "copy.db"],
    ],
    ids=lambda c: " ".join(c),
)
def test_every_command_names_the_resolved_database(db, monkeypatch, capsys, command):
    monkeypatch.chdir(db.parent)
    assert main(["--db", db.name, *command]) == 0
    assert f"Database: {db}" in capsys.readouterr().out


def test_stats_names_the_database_inside_its_json(db, monkeypatch, capsys):
    monkeypatch.chdir(db.parent)
    assert main(["--db", db.name, "stats"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["database"] == str(db)
    assert counts["candidates"] == 1


def test_purge_dry_run_only_reads_so_a_held_write_lock_does_not_stop_it(db, capsys):
    with write_lock_in_another_process(db) as holder:
        assert main(["--db", str(db), "purge", "--dry-run"]) == 0
        assert holder.poll() is None  # it answered while the lock was still held
    assert "Would delete 0 draft" in capsys.readouterr().out


def test_purge_under_a_held_write_lock_says_busy_and_changes_nothing(db, capsys, monkeypatch):
    monkeypatch.setattr(store_base, "WRITE_WAIT_SECONDS", 0.3)
    with write_lock_in_another_process(db):
        assert main(["--db", str(db), "purge", "--drafts", "1"]) == 1
    line = one_line_failure(capsys)
    assert f"The database at {db} is busy" in line and "nothing was changed" in line


def test_stats_on_a_corrupt_file_is_one_line(db, capsys):
    db.write_bytes(os.urandom(db.stat().st_size))
    Path(f"{db}-wal").unlink(missing_ok=True)
    Path(f"{db}-shm").unlink(missing_ok=True)
    assert main(["--db", str(db), "stats"]) == 1
    line = one_line_failure(capsys)
    assert str(db) in line and "not a database" in line


@pytest.mark.parametrize(
    ("variable", "command"),
    [
        ("BOUNCE_BACK_DRAFT_RETENTION_DAYS", ["purge", "--dry-run"]),
        ("BOUNCE_BACK_SUBMITTED_RETENTION_DAYS", ["purge"]),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(db, monkeypatch, capsys, variable, command):
    monkeypatch.setenv(variable, "ninety")
    assert main(["--db", str(db), *command]) == 1
    line = one_line_failure(capsys)
    assert variable in line and "'ninety'" in line


def test_a_bad_setting_without_db_is_one_line_too(monkeypatch, capsys):
    monkeypatch.setenv("BOUNCE_BACK_LOGIN_MAX_FAILURES", "five")
    assert main(["stats"]) == 1
    assert "BOUNCE_BACK_LOGIN_MAX_FAILURES" in one_line_failure(capsys)


def test_backup_names_with_hash_or_question_marks_check_that_very_file(db, capsys):
    target = db.parent / "nightly#1.db"
    assert main(["--db", str(db), "backup", str(target)]) == 0
    assert "integrity ok" in capsys.readouterr().out
    assert not (db.parent / "nightly").exists()  # the check did not open a decoy
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("SELECT company FROM reflections").fetchone()[0] == "Acme"
    finally:
        copy.close()


def test_backups_are_readable_by_their_owner_only(db, capsys):
    target = db.parent / "private-copy.db"
    assert main(["--db", str(db), "backup", str(target)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_backup_to_a_read_only_filesystem_reports_that_error(db, tmp_path, capsys):
    with tmpfs(tmp_path / "ro") as folder:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        assert main(["--db", str(db), "backup", str(folder / "b.db")]) == 1
        line = one_line_failure(capsys)
        assert "Read-only file system" in line and str(folder / "b.db") in line
        assert list(folder.iterdir()) == []


def test_backup_to_a_full_disk_removes_its_partial_files(db, tmp_path, capsys):
    store = SqliteStore(db)
    for _ in range(60):  # a database larger than the little disk
        journey.save_answer(
            store,
            journey.start(store, client=UNLIMITED).reflection_id,
            "fit_learned",
            os.urandom(2000).hex(),
        )
    store.close()
    with tmpfs(tmp_path / "full", size="128k") as folder:
        assert main(["--db", str(db), "backup", str(folder / "b.db")]) == 1
        line = one_line_failure(capsys)
        assert str(folder / "b.db") in line and "full" in line
        assert list(folder.iterdir()) == []  # no copy, no -journal left behind
