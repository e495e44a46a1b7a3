"""Shared fixtures: a fresh database per test, AppTest wired to it, one fake clock, a
cheap password hasher, and factories for consultants and shared reflections.

Every test that asks for `store` (or `database`) runs twice: on SQLite, and on a
throwaway PostgreSQL server started once per test session (marker `postgres`; each test
gets its own database, copied from a migrated template). Without PostgreSQL installed
those runs skip with the reason, unless `CI` is set: then they fail instead of skipping.
AppTest page tests (those asking for `app`) run on SQLite only: the page layer reads
the store through the same contract on both engines, which the store tests cover.

`--shift-clock-days=N` moves the whole run's calendar (`tests/clock_shift.py`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import time_machine
from argon2 import PasswordHasher
from clock_shift import (  # noqa: F401  (hooks: pytest finds them by name here)
    pytest_addoption,
    pytest_configure,
    pytest_report_header,
    pytest_unconfigure,
)
from hypothesis import settings as hypothesis_settings

from core import accounts, contact, journey
from core.limits import UNLIMITED
from core.store import Store, discard_store, open_store
from core.store_base import statement_observers
from core.store_pg import PostgresStore

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from pg_local import LocalPostgres, bin_dir  # noqa: E402
from sql_both_engines import StatementChecker  # noqa: E402

# CI tries each property as many times as Hypothesis does by default; a local run tries
# fewer, for speed. No deadline in either: two busy cores make timings meaningless.
hypothesis_settings.register_profile("ci", deadline=None)
hypothesis_settings.register_profile("dev", max_examples=20, deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
_names = itertools.count()


def _sqlite_only(item) -> bool:
    # A test about SQLite's own file, pragmas or plans has no PostgreSQL twin to run, and
    # neither has a page test: pages reach the store only through its contract.
    return bool(item.get_closest_marker("sqlite_only")) or "app" in getattr(
        item, "fixturenames", ()
    )


def pytest_collection_modifyitems(config, items):
    items[:] = [
        item
        for item in items
        if not (
            _sqlite_only(item)
            and getattr(getattr(item, "callspec", None), "params", {}).get("engine") == "postgres"
        )
    ]


@pytest.fixture(scope="session")
def pg_server():
    if bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but PostgreSQL is not installed: .ci/run installs it")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    server = LocalPostgres().start()
    try:
        server.psql("CREATE DATABASE bb_template")
        PostgresStore(server.url_for("bb_template")).close()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def statement_checker(request):
    """Checks each statement the app issues on the other engine too
    (`tests/sql_both_engines.py`); without PostgreSQL here, on SQLite only."""
    url = None
    if bin_dir() is not None:
        server = request.getfixturevalue("pg_server")
        server.psql("CREATE DATABASE bb_statements TEMPLATE bb_template")
        url = server.url_for("bb_statements")
    checker = StatementChecker(url)
    statement_observers.append(checker)
    try:
        yield checker
    finally:
        statement_observers.remove(checker)
        checker.close()


@pytest.fixture(autouse=True)
def _statements_run_on_both_engines(request):
    """A test that reaches the database fails if the app issued a statement there that
    the other engine refuses."""
    if not {"db_path", "database", "store", "app"} & set(request.fixturenames):
        yield
        return
    checker = request.getfixturevalue("statement_checker")
    before = len(checker.failures)
    yield
    new = checker.failures[before:]
    if new:
        pytest.fail("SQL only one engine runs:\n" + "\n".join(dict.fromkeys(new)))


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


# ---------------------------------------------------------------- time


class FakeClock:
    """The one fake clock. A fixed moment (09:00 UTC on the day the run believes it is,
    so a moved calendar moves it too) that changes only when the test says so. Pass it
    as `clock=`; everything that asks `core.clock` without one (pages, journey) reads
    the same moment through time-machine, ticking on from it."""

    def __init__(self, start: dt.datetime, traveller: Any) -> None:
        self.now = start
        self.step = dt.timedelta(0)  # how far each reading moves it on; none unless set
        self._traveller = traveller

    def __call__(self) -> dt.datetime:
        if self.step:
            self.advance(seconds=self.step.total_seconds())
        return self.now

    def today(self) -> dt.date:
        return self.now.date()

    def days_from_today(self, days: int) -> str:
        """An ISO date `days` after (or before) today, for seeding answers."""
        return (self.today() + dt.timedelta(days=days)).isoformat()

    def advance(self, **delta: float) -> None:
        step = dt.timedelta(**delta)
        self.now += step
        self._traveller.shift(step)


@pytest.fixture
def clock():
    morning = dt.datetime.now(dt.UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    with time_machine.travel(morning, tick=True) as traveller:
        yield FakeClock(morning, traveller)


# ---------------------------------------------------------------- people and reflections

PASSWORD = "harbour lights at dusk"


@pytest.fixture(autouse=True, scope="session")
def _audit_keys_outside_the_repository(tmp_path_factory):
    """A PostgreSQL test database has no file beside it: its audit key file goes to a
    temporary folder, not the app's data/ (core/audit_key.py), in this process and in
    the servers tests start."""
    from core import audit_key

    folder = tmp_path_factory.mktemp("audit-keys")
    kept = audit_key.POSTGRES_KEY_FOLDER, os.environ.get("BOUNCE_BACK_AUDIT_KEY_FILE")
    audit_key.POSTGRES_KEY_FOLDER = folder
    os.environ["BOUNCE_BACK_AUDIT_KEY_FILE"] = str(folder / "servers.key")
    yield
    audit_key.POSTGRES_KEY_FOLDER = kept[0]
    if kept[1] is None:
        os.environ.pop("BOUNCE_BACK_AUDIT_KEY_FILE", None)
    else:
        os.environ["BOUNCE_BACK_AUDIT_KEY_FILE"] = kept[1]


@pytest.fixture(autouse=True, scope="session")
def _mail_outside_the_repository(tmp_path_factory):
    """Notifications the servers tests start deliver (as .eml files) to a temporary
    folder, not the app's data/outbox."""
    folder = tmp_path_factory.mktemp("outbox")
    kept = os.environ.get("BOUNCE_BACK_NOTIFY_MAIL_URL")
    os.environ["BOUNCE_BACK_NOTIFY_MAIL_URL"] = folder.as_uri()
    yield
    if kept is None:
        os.environ.pop("BOUNCE_BACK_NOTIFY_MAIL_URL", None)
    else:
        os.environ["BOUNCE_BACK_NOTIFY_MAIL_URL"] = kept


@pytest.fixture(autouse=True)
def fast_hasher():
    """Same algorithm (argon2id), cheap settings: a full hash per login would dominate
    the suite on 2 cores. Tests of the real parameters set their own hasher."""
    old = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))
    yield
    accounts.use_hasher(old)


@pytest.fixture
def make_consultant(store) -> Callable[..., int]:
    """`make_consultant("alice", "Alice")`: an enabled consultant with `PASSWORD`."""

    def make(username: str = "alice", display_name: str = "Alice") -> int:
        return accounts.add_consultant(store, username, PASSWORD, display_name=display_name)

    return make


@pytest.fixture
def share_reflection(store) -> Callable[..., int]:
    """`share_reflection({"company": "Acme"}, asked_to_talk=True, contact_name="Maya")`:
    a reflection with these answers, shared with consultants; with `contact_name`, a
    contact request is sent first. Returns the reflection's id."""

    def share(
        answers: Mapping[str, Any] | None = None,
        *,
        asked_to_talk: bool = False,
        contact_name: str | None = None,
        campaign: Mapping[str, str] | None = None,
    ) -> int:
        rid = journey.start(store, dict(campaign or {}), client=UNLIMITED).reflection_id
        for key, value in (answers or {}).items():
            journey.save_answer(store, rid, key, value)
        if contact_name:
            request = contact.validate(
                contact_name, "maya@example.com", "", "email", "", True, "weekday mornings"
            )
            contact.save_request(store, rid, request, client=UNLIMITED)
        journey.submit_for_review(
            store, rid, journey.load_answers(store, rid), asked_to_talk=asked_to_talk
        )
        return rid

    return share


@pytest.fixture
def smtp_server():
    """Start an SMTP server on loopback: `smtp_server(Recorder(...), **aiosmtpd options)`."""
    from aiosmtpd.controller import Controller
    from smtp_recorder import free_port

    running: list[Controller] = []

    def start(recorder, **options) -> Controller:
        controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        running.append(controller)
        return controller

    yield start
    for controller in running:
        controller.stop()
