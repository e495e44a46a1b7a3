"""PostgreSQL's edges (issue 18, item 8): no table-wide lock inside a request, erasure
finished by `bounce-back maintenance` from cron, reads stopped by a statement timeout, and
a health check that checks something."""

from __future__ import annotations

import threading

import psycopg
import psycopg_pool
import pytest

from core import health, journey
from core.cli import main
from core.limits import UNLIMITED
from core.store import StoreBusy, discard_store
from core.store_base import ERASURE_JOB
from core.store_pg import PostgresStore

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("engine", ["postgres"])]


def _candidate_with_answers(store) -> journey.Session:
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "company", "Erase me Ltd")
    return session


def _job(store):
    with store.read() as conn:
        return conn.execute(
            "SELECT tables, requested, done, done_at FROM maintenance_jobs WHERE job = ?",
            (ERASURE_JOB,),
        ).fetchone()


def test_delete_my_data_takes_no_table_lock_that_readers_would_wait_behind(store, database):
    session = _candidate_with_answers(store)
    # A long read elsewhere holds its usual lock on a table. VACUUM FULL in the request
    # would queue behind it, and every later read behind the VACUUM.
    reader = psycopg.connect(database)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM answers").fetchone()
    done = threading.Event()

    def delete() -> None:
        journey.delete_candidate(store, session.candidate_id)
        done.set()

    worker = threading.Thread(target=delete, daemon=True)
    try:
        worker.start()
        assert done.wait(timeout=10), "Delete my data waited for a table lock"
    finally:
        reader.execute("ROLLBACK")
        reader.close()
        worker.join(timeout=30)
    job = _job(store)
    assert job is not None and (job["requested"], job["done"]) == (1, 0)
    assert "answers" in job["tables"].split()


def test_maintenance_rewrites_once_per_request_and_at_most_once_per_interval(store):
    assert store.run_maintenance() == []  # nothing asked for yet
    journey.delete_candidate(store, _candidate_with_answers(store).candidate_id)
    done = store.run_maintenance()
    assert "rewrote answers (VACUUM FULL)" in done
    assert _job(store)["done_at"] is not None
    assert store.run_maintenance() == []  # no erasure since
    journey.delete_candidate(store, _candidate_with_answers(store).candidate_id)
    assert store.run_maintenance(min_interval_seconds=3600) == []  # too soon after the last
    assert store.run_maintenance(min_interval_seconds=0) != []


def test_the_maintenance_command_runs_the_queued_work(store, database, capsys):
    journey.delete_candidate(store, _candidate_with_answers(store).candidate_id)
    assert main(["--db", database, "maintenance"]) == 0
    out = capsys.readouterr().out
    assert "Rewrote" in out and "answers" in out
    assert main(["--db", database, "maintenance"]) == 0
    assert "Nothing to do." in capsys.readouterr().out


def test_a_read_that_runs_too_long_is_stopped_by_the_server(database):
    quick = PostgresStore(database, read_timeout=0.2)
    try:
        with pytest.raises(StoreBusy), quick.read() as conn:
            conn.execute("SELECT pg_sleep(2)")
        with quick.read() as conn:  # the pool's connection is fine afterwards
            assert conn.execute("SELECT COUNT(*) FROM candidates").fetchone()[0] >= 0
    finally:
        quick.close()


@pytest.fixture
def fresh_health():
    health.forget()
    yield
    health.forget()


def test_health_passes_a_good_database_and_names_a_missing_migration(store, database, fresh_health):
    assert health.check(database).ok
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM _bounce_back_migrations WHERE name = '0007_preferred_time_and_follow_up'"
        )
    result = health.check(database)
    assert not result.ok
    assert "0007_preferred_time_and_follow_up" in result.detail


def test_health_fails_when_the_server_refuses_writes(store, database, fresh_health):
    with psycopg.connect(database, autocommit=True) as conn:
        name = conn.execute("SELECT current_database()").fetchone()[0]
        conn.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    discard_store(database)  # new connections, which get the setting
    try:
        result = health.check(database)
    finally:
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute("SET default_transaction_read_only = off")
            conn.execute(f"ALTER DATABASE {name} RESET default_transaction_read_only")
    assert not result.ok and "test write" in result.detail


def test_a_connection_back_moments_ago_is_handed_out_without_a_round_trip(store, monkeypatch):
    checked = []
    real_check = psycopg_pool.ConnectionPool.check_connection
    monkeypatch.setattr(
        psycopg_pool.ConnectionPool,
        "check_connection",
        staticmethod(lambda conn: checked.append(id(conn)) or real_check(conn)),
    )
    with store.read() as conn:
        conn.execute("SELECT 1").fetchone()
    checked.clear()
    with store.read() as conn:  # the same connection, straight back: not checked
        conn.execute("SELECT 1").fetchone()
    assert checked == []
    store._returned.clear()  # as if it had sat idle past RECHECK_AFTER_IDLE_SECONDS
    with store.read() as conn:
        conn.execute("SELECT 1").fetchone()
    assert len(checked) == 1
