"""The store: migrations, WAL, whole-or-nothing writes, exact text round trips."""

from __future__ import annotations

import sqlite3
import stat
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import journey
from core.migrations import MIGRATIONS
from core.store import Store
from core.validation import ALLOWED_CONTROLS, InvalidAnswer, is_blank

ROUND_TRIP = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def rid(store) -> int:
    """One reflection shared by every example of a property test (each overwrites it)."""
    return journey.start(store).reflection_id


def _refused(text: str) -> bool:
    """Characters validation turns away: controls other than line breaks and tabs."""
    return any(
        unicodedata.category(ch) in ("Cc", "Cs") and ch not in ALLOWED_CONTROLS for ch in text
    )


def _migrations(path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT name, applied_at FROM _sqlite_migrations WHERE migration_set = ? "
            "ORDER BY rowid",
            (MIGRATIONS.name,),
        ).fetchall()
    finally:
        conn.close()


def test_migrations_apply_once_and_are_recorded(tmp_path):
    path = tmp_path / "fresh.db"
    first = Store(path)
    recorded = _migrations(path)
    assert [name for name, _ in recorded] == [m.name for m in MIGRATIONS._migrations]
    first.close()
    second = Store(path)
    try:
        assert _migrations(path) == recorded  # same rows, same times: nothing re-ran
        with second.read() as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"candidates", "reflections", "answers", "consultants", "audit_log"} <= tables
    finally:
        second.close()


@pytest.mark.sqlite_only
def test_database_runs_in_wal_mode(store, db_path):
    with store.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other = sqlite3.connect(db_path)
    try:
        # WAL is a property of the file, so every other connection sees it too.
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()


def test_a_write_that_raises_is_rolled_back_whole(store):
    with pytest.raises(RuntimeError, match="half way"), store.write() as conn:
        cur = conn.execute("INSERT INTO candidates (code_hash, created_at) VALUES ('h', 'now')")
        conn.execute(
            "INSERT INTO reflections (candidate_id, created_at, updated_at) "
            "VALUES (?, 'now', 'now')",
            (cur.lastrowid,),
        )
        raise RuntimeError("failed half way")
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM candidates").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM reflections").fetchone()[0] == 0
    if store.engine == "sqlite":
        assert not store.conn.in_transaction  # the writer is free for the next save
    # The store is still usable afterwards.
    session = journey.start(store)
    assert journey.reflection(store, session.reflection_id) is not None


def test_a_failing_statement_rolls_back_earlier_ones(store):
    session = journey.start(store)
    journey.save_answer(store, session.reflection_id, "company", "Acme")
    with pytest.raises(sqlite3.IntegrityError), store.write() as conn:
        conn.execute(
            "UPDATE answers SET value = '\"Changed\"' WHERE reflection_id = ?",
            (session.reflection_id,),
        )
        conn.execute("INSERT INTO candidates (code_hash, created_at) VALUES (NULL, 'now')")
    assert journey.load_answers(store, session.reflection_id) == {"company": "Acme"}


def test_a_refused_answer_keeps_the_last_saved_one(store):
    session = journey.start(store)
    journey.save_answer(store, session.reflection_id, "company", "Acme")
    with pytest.raises(InvalidAnswer, match="limit is 120"):
        journey.save_answer(store, session.reflection_id, "company", "x" * 121)
    with pytest.raises(InvalidAnswer, match="control character"):
        journey.save_answer(store, session.reflection_id, "company", "Ac\x00me")
    assert journey.load_answers(store, session.reflection_id) == {"company": "Acme"}


@ROUND_TRIP
@given(text=st.text(max_size=300))
def test_any_text_round_trips_exactly_or_is_refused_with_a_message(store, rid, text):
    journey.save_answer(store, rid, "fit_learned", "previous")
    if _refused(text):
        with pytest.raises(InvalidAnswer) as refusal:
            journey.save_answer(store, rid, "fit_learned", text)
        assert "character" in str(refusal.value)
        assert journey.load_answers(store, rid)["fit_learned"] == "previous"
        return
    assert journey.save_answer(store, rid, "fit_learned", text) == text
    loaded = journey.load_answers(store, rid)
    if is_blank(text):
        assert "fit_learned" not in loaded  # clearing a field (or only spaces) removes it
    else:
        assert loaded["fit_learned"] == text


@ROUND_TRIP
@given(text=st.text(st.characters(codec="utf-8"), min_size=1, max_size=150).filter(str.strip))
def test_any_text_in_a_table_cell_round_trips_exactly(store, rid, text):
    rows = [{"strength": text}, {"strength": "Calm under pressure"}]
    if _refused(text):
        with pytest.raises(InvalidAnswer):
            journey.save_answer(store, rid, "strengths", rows)
        return
    journey.save_answer(store, rid, "strengths", rows)
    assert journey.load_answers(store, rid)["strengths"] == rows


@pytest.mark.parametrize(
    "text",
    [
        "\x00",
        "before\x00after",
        "\x1b[31mred",
        "\x7f",
        "\u0085",  # NEL: a C1 control
        "\ud800",  # a lone surrogate: cannot be stored as UTF-8
        "ok\udfffok",
    ],
)
def test_refused_characters_raise_invalid_answer_and_nothing_else(store, text):
    session = journey.start(store)
    with pytest.raises(InvalidAnswer):
        journey.save_answer(store, session.reflection_id, "fit_learned", text)
    assert journey.load_answers(store, session.reflection_id) == {}


@pytest.mark.parametrize(
    "text",
    [
        "😀👩🏽‍💻🇬🇧",
        "\u202eRight-to-left override\u202c and \u200f marks",
        "e\u0301\u0301\u0301 combining",
        "\ufeffzero\u200bwidth\u2060joiners",
        "line one\r\nline two\ttabbed",
        "<script>alert(1)</script> ' \" ; DROP TABLE answers; --",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \U0010fffd",
    ],
)
def test_awkward_but_valid_text_comes_back_exactly(store, text):
    session = journey.start(store)
    journey.save_answer(store, session.reflection_id, "fit_learned", text)
    assert journey.load_answers(store, session.reflection_id) == {"fit_learned": text}


def test_answers_survive_reopening_the_file(tmp_path):
    path = tmp_path / "reopen.db"
    store = Store(path)
    session = journey.start(store)
    saved = {
        "company": "Zoë & Co 🚀",
        "takes_criticism": 4,
        "feedback_status": "received",
        "news_date": "2026-11-20",
        "contacts": [
            {
                "name": "Priya",
                "role": "Hiring manager",
                "linkedin": "https://www.linkedin.com/in/priya",
                "connected": "requested",
                "next_check_in": "2027-01-10",
            }
        ],
    }
    for key, value in saved.items():
        journey.save_answer(store, session.reflection_id, key, value)
    store.close()
    reopened = Store(path)
    try:
        assert journey.load_answers(reopened, session.reflection_id) == saved
        assert journey.reflection(reopened, session.reflection_id)["company"] == "Zoë & Co 🚀"
    finally:
        reopened.close()


@pytest.mark.sqlite_only
def test_every_commit_is_durable_synchronous_full(store):
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_new_database_files_are_private_to_their_owner(tmp_path):
    path = tmp_path / "new" / "private.db"
    store = Store(path)
    try:
        session = journey.start(store)
        journey.save_answer(store, session.reflection_id, "company", "Acme")
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert stat.S_IMODE(name.stat().st_mode) == 0o600, name
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        store.close()


@pytest.mark.parametrize("name", ["nightly#1.db", "what?.db", "100%.db", "a b.db"])
def test_awkward_file_names_open_that_very_file(tmp_path, name):
    decoy = tmp_path / name.split("#")[0].split("?")[0]
    path = tmp_path / name
    store = Store(path)
    try:
        journey.start(store)
        with store.read() as conn:  # a reader opens the file by URI too
            assert conn.execute("SELECT COUNT(*) FROM candidates").fetchone()[0] == 1
    finally:
        store.close()
    assert path.exists()
    if decoy != path:
        assert not decoy.exists()


def test_a_store_opened_without_create_refuses_a_missing_file(tmp_path):
    missing = tmp_path / "typo.db"
    with pytest.raises(sqlite3.OperationalError):
        Store(missing, create=False)
    assert not missing.exists()


@pytest.mark.sqlite_only
def test_readers_plan_with_fresh_statistics_after_analyze(store):
    """Connections load planner statistics when they open: after `Store.analyze` a read
    must plan like the writer does, not with the statistics of before."""
    with store.write() as conn:
        conn.execute("CREATE TABLE t (a, b)")
        conn.execute("CREATE INDEX t_a ON t (a)")
        conn.execute("CREATE INDEX t_b ON t (b)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(i % 2, i) for i in range(5000)])
    query = "EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = 1 AND b > 4990"
    with store.read() as conn:
        conn.execute(query).fetchall()  # a reader that has seen the table before ANALYZE
    store.analyze()
    with store.read() as conn:
        read_plan = [row[3] for row in conn.execute(query)]
    writer_plan = [row[3] for row in store.conn.execute(query)]
    assert read_plan == writer_plan
    assert "t_b" in writer_plan[0]  # statistics say b is the selective column
