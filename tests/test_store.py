"""The store: migrations, WAL, whole-or-nothing writes, exact text round trips."""

from __future__ import annotations

import sqlite3
import stat
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import journey, migrations
from core.limits import UNLIMITED
from core.migrations import MIGRATIONS
from core.store import StoreConflict, StoreUnavailable
from core.store_sqlite import SqliteStore as Store
from core.validation import ALLOWED_CONTROLS, InvalidAnswer, is_blank

ROUND_TRIP = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def rid(store) -> int:
    """One reflection shared by every example of a property test (each overwrites it)."""
    return journey.start(store, client=UNLIMITED).reflection_id


def _refused(text: str) -> bool:
    """Characters validation turns away: controls other than line breaks and tabs."""
    return any(
        unicodedata.category(ch) in ("Cc", "Cs") and ch not in ALLOWED_CONTROLS for ch in text
    )


def _migrations(path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT name, applied_at FROM _bounce_back_migrations ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()


def test_migrations_apply_once_and_are_recorded(tmp_path):
    path = tmp_path / "fresh.db"
    first = Store(path)
    recorded = _migrations(path)
    assert [name for name, _ in recorded] == [m.name for m in MIGRATIONS]
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
        cur = conn.execute(
            "INSERT INTO candidates (code_hash, created_at) VALUES ('h', 'now') RETURNING id"
        )
        conn.execute(
            "INSERT INTO reflections (candidate_id, created_at, updated_at) "
            "VALUES (?, 'now', 'now')",
            (cur.fetchone()[0],),
        )
        raise RuntimeError("failed half way")
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM candidates").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM reflections").fetchone()[0] == 0
    if store.engine == "sqlite":
        assert not store.conn.in_transaction  # the writer is free for the next save
    # The store is still usable afterwards.
    session = journey.start(store, client=UNLIMITED)
    assert journey.reflection(store, session.reflection_id) is not None


def test_a_failing_statement_rolls_back_earlier_ones(store):
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "company", "Acme")
    with pytest.raises(StoreConflict), store.write() as conn:
        conn.execute(
            "UPDATE answers SET value = '\"Changed\"' WHERE reflection_id = ?",
            (session.reflection_id,),
        )
        conn.execute("INSERT INTO candidates (code_hash, created_at) VALUES (NULL, 'now')")
    assert journey.load_answers(store, session.reflection_id) == {"company": "Acme"}


def test_a_refused_answer_keeps_the_last_saved_one(store):
    session = journey.start(store, client=UNLIMITED)
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
    session = journey.start(store, client=UNLIMITED)
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
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "fit_learned", text)
    assert journey.load_answers(store, session.reflection_id) == {"fit_learned": text}


def test_answers_survive_reopening_the_file(tmp_path):
    path = tmp_path / "reopen.db"
    store = Store(path)
    session = journey.start(store, client=UNLIMITED)
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
        session = journey.start(store, client=UNLIMITED)
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
        journey.start(store, client=UNLIMITED)
        with store.read() as conn:  # a reader opens the file by URI too
            assert conn.execute("SELECT COUNT(*) FROM candidates").fetchone()[0] == 1
    finally:
        store.close()
    assert path.exists()
    if decoy != path:
        assert not decoy.exists()


def test_a_store_opened_without_create_refuses_a_missing_file(tmp_path):
    missing = tmp_path / "typo.db"
    with pytest.raises(StoreUnavailable):
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


def test_a_file_migrated_by_the_old_runner_is_adopted_not_migrated_again(tmp_path):
    """Databases made before the one runner recorded their migrations in sqlite-utils'
    `_sqlite_migrations`: they open with every name carried over, and only what is new
    runs."""
    path = tmp_path / "before.db"
    raw = sqlite3.connect(path, isolation_level=None)
    migrations.apply(raw, "sqlite", [], stop_before="0008_maintenance_jobs")
    raw.execute("DROP TABLE _bounce_back_migrations")
    raw.execute(
        "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, "
        "name TEXT, applied_at TEXT)"
    )
    names = [m.name for m in MIGRATIONS]
    old = names[: names.index("0008_maintenance_jobs")]  # the old runner's last was 0007
    raw.executemany(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('bounce_back', ?, '2026-11-01 09:00:00.000000+00:00')",
        [(name,) for name in old],
    )
    raw.execute("INSERT INTO candidates (code_hash, created_at) VALUES ('kept', 'then')")
    raw.close()
    store = Store(path)
    try:
        recorded = [name for name, _ in _migrations(path)]
        assert recorded == [m.name for m in MIGRATIONS]
        assert "maintenance_jobs" in store.table_names()
        with store.read() as conn:  # 0001 did not run again over the old tables
            assert conn.execute("SELECT code_hash FROM candidates").fetchall()[0][0] == "kept"
    finally:
        store.close()


def test_migrations_write_frozen_values_not_the_apps_current_ones():
    """A migration must not import the app's rules: what it wrote when it shipped is
    what it writes on an old database opened today."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(migrations))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("core")
    }
    assert imported <= {"core.clock"}


def test_only_the_engines_speak_to_a_database_driver_and_never_to_each_other():
    import ast

    core = Path(__file__).resolve().parent.parent / "core"
    drivers = {"sqlite3", "psycopg", "psycopg_pool", "sqlite_utils"}
    speaking: dict[str, set[str]] = {}
    for path in core.rglob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.add(node.module.split(".")[0])
        speaking[path.name] = found
    users = {name for name, found in speaking.items() if found & drivers}
    assert users <= {"store_sqlite.py", "store_pg.py"}
    assert "core.store_pg" not in speaking["store_sqlite.py"]
    assert "core.store_sqlite" not in speaking["store_pg.py"]
    assert not {"core.store", "core.store_sqlite", "core.store_pg"} & speaking["store_base.py"]


def _file_and_wal(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_erased_text_leaves_the_wal_too_not_only_the_table(tmp_path):
    from core.limits import UNLIMITED

    path = tmp_path / "erase.db"
    store = Store(path)
    try:
        session = journey.start(store, client=UNLIMITED)
        journey.save_answer(store, session.reflection_id, "company", "MARKER-wal-erase Ltd")
        assert b"MARKER-wal-erase" in _file_and_wal(path)
        journey.delete_candidate(store, session.candidate_id)
        assert b"MARKER-wal-erase" not in _file_and_wal(path)
        assert store.run_maintenance() == []  # nothing left over
    finally:
        store.close()


def test_a_reader_in_the_way_leaves_the_wal_to_maintenance(tmp_path):
    from core.limits import UNLIMITED

    path = tmp_path / "erase.db"
    store = Store(path)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        session = journey.start(store, client=UNLIMITED)
        journey.save_answer(store, session.reflection_id, "company", "MARKER-wal-later Ltd")
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM candidates").fetchone()  # holds a snapshot
        journey.delete_candidate(store, session.candidate_id)  # does not wait for it
        assert b"MARKER-wal-later" in _file_and_wal(path)
        assert store.run_maintenance() == []  # still in the way: tried again next time
        reader.execute("COMMIT")
        assert store.run_maintenance() == ["emptied the write-ahead log"]
        assert b"MARKER-wal-later" not in _file_and_wal(path)
        assert store.run_maintenance() == []
    finally:
        reader.close()
        store.close()
