"""Eight candidates completing the journey at once against one shared store.

Streamlit runs each browser session in its own thread, all sharing the process's one
Store, so this is what a busy afternoon after a blog post looks like to the database.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from core import admin, journey
from core.limits import UNLIMITED
from core.questionnaire import Field, all_fields
from core.scoring import score
from core.store import Store, make_store
from core.validation import clean_answer

THREADS = 8
ROUNDS = 12


def sample_answer(field: Field, thread: int, round_: int) -> Any:
    """A valid answer that differs per thread and round, for every kind of field."""
    tag = f"t{thread} r{round_}"
    if field.kind == "text":
        return f"{tag} Zoë's café ✓"[: field.max_len]
    if field.kind == "textarea":
        return f"{tag}\nLine two with emoji 🌱 and \u202bRTL\u202c"[: field.max_len]
    if field.kind == "choice":
        return field.options[(thread + round_) % len(field.options)][0]
    if field.kind == "likert":
        return (thread + round_) % 5 + 1
    if field.kind == "date":
        return (dt.date(2026, 12, 1) + dt.timedelta(days=round_)).isoformat()
    rows = []
    for i in range(round_ % field.max_rows + 1):
        row: dict[str, Any] = {}
        for column in field.columns:
            if column.kind == "choice":
                row[column.key] = column.options[(i + round_) % len(column.options)][0]
            elif column.kind == "rating":
                row[column.key] = (i + thread) % 5 + 1
            elif column.kind == "date":
                row[column.key] = (dt.date(2027, 1, 1) + dt.timedelta(days=i)).isoformat()
            elif column.kind == "url":
                row[column.key] = f"https://www.linkedin.com/in/p{thread}-{round_}-{i}"
            else:
                row[column.key] = f"{tag} row {i}"
        rows.append(row)
    return rows


def complete_journey(store: Store, thread: int, barrier: threading.Barrier) -> dict[str, Any]:
    """Start, save every answer many times (reading back as pages do), submit."""
    session = journey.start(store, {"utm_campaign": f"thread-{thread}"}, client=UNLIMITED)
    barrier.wait(timeout=30)
    expected: dict[str, Any] = {}
    for round_ in range(ROUNDS):
        for field in all_fields():
            value = sample_answer(field, thread, round_)
            expected[field.key] = journey.save_answer(
                store, session.reflection_id, field.key, value
            )
        # A rerun reloads the answers: they must be this session's own, and complete.
        assert journey.load_answers(store, session.reflection_id) == expected
    resumed = journey.resume(store, session.code)
    assert resumed.reflection_id == session.reflection_id
    journey.submit_for_review(store, session.reflection_id, expected, asked_to_talk=thread % 2 == 0)
    return {"session": session, "expected": expected}


def test_eight_sessions_complete_the_journey_at_once(store):
    barrier = threading.Barrier(THREADS)
    results: dict[int, dict[str, Any]] = {}
    errors: list[tuple[int, BaseException]] = []

    def run(thread: int) -> None:
        try:
            results[thread] = complete_journey(store, thread, barrier)
        except BaseException as exc:
            errors.append((thread, exc))
            barrier.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not any(t.is_alive() for t in threads), "a session hung"
    assert errors == []
    assert len(results) == THREADS

    for thread, result in results.items():
        rid = result["session"].reflection_id
        expected = result["expected"]
        assert expected == {
            f.key: clean_answer(f.key, sample_answer(f, thread, ROUNDS - 1)) for f in all_fields()
        }
        assert journey.load_answers(store, rid) == expected, f"thread {thread} lost answers"
        row = journey.reflection(store, rid)
        assert row["submitted_at"] is not None
        assert row["utm_campaign"] == f"thread-{thread}"
        assert row["company"] == expected["company"]
        assert row["contact_requested"] == (thread % 2 == 0)
        assert row["overall"] == score(expected).overall

    with store.read() as conn:
        if store.engine == "sqlite":
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT COUNT(*) FROM reflections").fetchone()[0] == THREADS
        assert conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == THREADS * len(
            all_fields()
        )


def _hold_write_lock(path, seconds: float) -> subprocess.Popen:
    """Another process that takes SQLite's write lock and keeps it for `seconds`."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "print('locked', flush=True)\n"
            "time.sleep(float(sys.argv[2]))\n"
            "c.execute('ROLLBACK')\n",
            str(path),
            str(seconds),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


@pytest.mark.sqlite_only
def test_reads_keep_their_pace_while_another_process_holds_the_write_lock(store, db_path):
    hold = 3.0
    sessions = [journey.start(store, client=UNLIMITED) for _ in range(3)]
    for n, session in enumerate(sessions):
        journey.save_answer(store, session.reflection_id, "company", f"Company {n}")
    holder = _hold_write_lock(db_path, hold)
    write_took: list[float] = []
    read_times: list[float] = []
    errors: list[BaseException] = []

    def waiting_save() -> None:
        began = time.monotonic()
        try:
            journey.save_answer(store, sessions[0].reflection_id, "role", "Analyst")
        except BaseException as exc:
            errors.append(exc)
        write_took.append(time.monotonic() - began)

    def keep_reading(session: journey.Session) -> None:
        try:
            while holder.poll() is None:
                began = time.monotonic()
                assert journey.load_answers(store, session.reflection_id)["company"]
                journey.reflection(store, session.reflection_id)
                read_times.append(time.monotonic() - began)
                time.sleep(0.01)
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=waiting_save)
    writer.start()
    time.sleep(0.1)  # the save is now waiting on the other process
    readers = [threading.Thread(target=keep_reading, args=(s,)) for s in sessions]
    for t in readers:
        t.start()
    for t in [writer, *readers]:
        t.join(timeout=60)
    holder.wait(timeout=30)
    assert errors == []
    # The save really waited for the other process, and then landed.
    assert write_took[0] > hold / 2
    assert journey.load_answers(store, sessions[0].reflection_id)["role"] == "Analyst"
    # Meanwhile every read finished in a small part of the time the lock was held.
    assert len(read_times) > 10
    assert max(read_times) < hold / 3


def test_the_app_and_an_admin_command_writing_at_once_never_see_database_is_locked(store, db_path):
    """Both sides read, then write, in one transaction (as purge does): with BEGIN
    IMMEDIATE neither can be refused for writing after the other's commit."""
    admin_side = make_store(store.path)  # the CLI's own connection, as in another process
    session = journey.start(store, client=UNLIMITED)
    errors: list[BaseException] = []
    stop = time.monotonic() + 2.0

    def churn(side: Store, tag: str) -> None:
        n = 0
        try:
            while time.monotonic() < stop:
                admin.purge(side, 90, 365)
                journey.save_answer(side, session.reflection_id, "company", f"{tag} {n}")
                n += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=churn, args=(store, "app")),
        threading.Thread(target=churn, args=(admin_side, "admin")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    admin_side.close()
    assert errors == []
    assert journey.load_answers(store, session.reflection_id)["company"]
