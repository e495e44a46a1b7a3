"""The start-up check: a usable database passes; a corrupt or unwritable one is caught
before any candidate presses Start, and the check recovers once the file is fixed."""

from __future__ import annotations

import os
import subprocess

import pytest
from sqlite_faults import write_lock_in_another_process

from core import health, journey, store_base
from core.limits import UNLIMITED
from core.store import open_store
from core.store_sqlite import SqliteStore as Store


@pytest.fixture(autouse=True)
def fresh_results():
    health.forget()
    yield
    health.forget()


def test_a_usable_database_passes_and_the_test_write_leaves_nothing(db_path):
    result = health.check(db_path)
    assert result.ok and result.detail == "ok"
    assert result.as_dict()["path"] == str(db_path)
    with open_store(db_path).read() as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "_health_probe" not in tables
    assert "candidates" in tables  # migrations ran


def test_a_file_of_random_bytes_fails_with_the_reason(db_path, caplog):
    db_path.write_bytes(os.urandom(8192))
    result = health.check(db_path)
    assert not result.ok
    assert "not a database" in result.detail
    assert "DATABASE UNAVAILABLE" in caplog.text  # loud in the server log


def test_a_database_with_damaged_pages_fails_the_quick_check(db_path):
    store = Store(db_path)
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "fit_learned", "x" * 3000)
    store.close()  # checkpoints everything into the main file
    data = bytearray(db_path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for page in range(2, len(data) // page_size):  # every page but the first
        data[page * page_size + 10 : page * page_size + 60] = os.urandom(50)
    db_path.write_bytes(bytes(data))
    result = health.check(db_path)
    assert not result.ok
    assert "failed" in result.detail or "problems" in result.detail


def test_an_unwritable_file_fails_the_test_write_and_recovers_once_fixed(db_path, monkeypatch):
    Store(db_path).close()
    try:
        subprocess.run(["chattr", "+i", str(db_path)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot make the file immutable here (chattr needs root on ext4): {exc}")
    try:
        first = health.status(db_path)
        assert not first.ok
        assert health.status(db_path) is first  # kept, not re-run on every page view
    finally:
        subprocess.run(["chattr", "-i", str(db_path)], check=True)
    monkeypatch.setattr(health, "RECHECK_SECONDS", 0.0)
    assert health.status(db_path).ok
    journey.start(open_store(db_path), client=UNLIMITED)  # the store reopened the file for writing


def test_a_database_busy_with_another_writer_is_still_healthy(db_path, monkeypatch):
    monkeypatch.setattr(store_base, "WRITE_WAIT_SECONDS", 0.3)
    Store(db_path).close()
    with write_lock_in_another_process(db_path):
        result = health.check(db_path)
    assert result.ok and "busy" in result.detail
