"""Shared fixtures: a fresh database per test, and AppTest wired to it.

Every test that asks for `store` (or `database`) runs twice: on SQLite, and on a
throwaway PostgreSQL server started once per test session (marker `postgres`; each test
gets its own database, copied from a migrated template). Without PostgreSQL installed
those runs skip with the reason, unless `CI` is set: then they fail instead of skipping.
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import pytest

from core.store import Store, discard_store, open_store

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from pg_local import LocalPostgres, bin_dir  # noqa: E402

ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
_names = itertools.count()


def pytest_collection_modifyitems(config, items):
    # A test about SQLite's own file, pragmas or plans has no PostgreSQL twin to run.
    items[:] = [
        item
        for item in items
        if not (
            item.get_closest_marker("sqlite_only")
            and getattr(getattr(item, "callspec", None), "params", {}).get("engine") == "postgres"
        )
    ]


@pytest.fixture(scope="session")
def pg_server():
    if bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but PostgreSQL is not installed: .ci/run installs it")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    from core.store_pg import PostgresStore

    server = LocalPostgres().start()
    try:
        server.psql("CREATE DATABASE bb_template")
        PostgresStore(server.url_for("bb_template")).close()
        yield server
    finally:
        server.stop()


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "bounce_back.db"
    monkeypatch.setenv("BOUNCE_BACK_DB_PATH", str(path))
    monkeypatch.delenv("BOUNCE_BACK_DATABASE_URL", raising=False)
    return path


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture
def database(engine, db_path, request, monkeypatch):
    """Where this test's fresh database lives: the SQLite path, or a PostgreSQL URL
    (then also in BOUNCE_BACK_DATABASE_URL, so the app's pages use it too)."""
    if engine == "sqlite":
        yield str(db_path)
        return
    server = request.getfixturevalue("pg_server")
    name = f"test_{next(_names)}"
    server.psql(f"CREATE DATABASE {name} TEMPLATE bb_template")
    url = server.url_for(name)
    monkeypatch.setenv("BOUNCE_BACK_DATABASE_URL", url)
    yield url
    discard_store(url)
    server.psql(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def store(database) -> Store:
    return open_store(database)


@pytest.fixture
def app(db_path):
    """An AppTest of the whole app (navigation included), on a fresh database."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
