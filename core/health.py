"""Is the database usable? Checked once when the server starts, before anyone types.

`check` opens the store (which applies migrations), then asks, on either engine:
- the engine's own integrity check (SQLite's `quick_check`; on PostgreSQL, that the
  server is not a read-only standby),
- that every migration is recorded and every table of the schema is there,
- that a write round-trips: a row written inside a transaction reads back the same,
  and the transaction is rolled back,
so a corrupt, unreadable, unwritable or half-migrated database is found by the server,
not by the first candidate who presses Start. `status` keeps the answer for the
process; a failed answer is checked again after `RECHECK_SECONDS`, so the app recovers
on its own once an admin has fixed the database. The result is small and plain, for the
page gate and a `/healthz` route alike.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from core import migrations
from core.clock import now_stamp, system_clock
from core.store import STORE_ERRORS, Store, StoreBusy, discard_store, open_store, shown_location

RECHECK_SECONDS = 15.0
# The row the test write makes (and rolls back) in the maintenance table.
PROBE_JOB = "_health_probe"

log = logging.getLogger(__name__)


class _RollBack(Exception):
    """Raised inside the test write so the store rolls it back."""


@dataclass(frozen=True)
class HealthResult:
    ok: bool
    # One line for the admin: which step failed and what the database said.
    detail: str
    path: str
    checked_at: float  # seconds since the epoch, from the one clock

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _seconds_now() -> float:
    return system_clock().timestamp()


def schema_problems(store: Store) -> list[str]:
    """Migrations not recorded, and tables of the schema that are missing."""
    with store.read() as conn:
        applied = set(migrations.applied_names(conn))
    problems = []
    missing = [m.name for m in migrations.MIGRATIONS if m.name not in applied]
    if missing:
        problems.append(f"migrations not applied: {', '.join(missing)}")
    tables = sorted(migrations.APP_TABLES - set(store.table_names()))
    if tables:
        problems.append(f"tables missing: {', '.join(tables)}")
    return problems


def _write_round_trip(store: Store) -> None:
    """Write a row and read it back inside a transaction that is then rolled back."""
    token = secrets.token_hex(8)
    try:
        with store.write() as conn:
            conn.execute(
                "INSERT INTO maintenance_jobs (job, tables, requested_at) VALUES (?, ?, ?)",
                (PROBE_JOB, token, now_stamp()),
            )
            back = conn.execute(
                "SELECT tables FROM maintenance_jobs WHERE job = ?", (PROBE_JOB,)
            ).fetchone()
            if back is None or back[0] != token:
                raise ValueError("a row written in the test write did not read back")
            raise _RollBack
    except _RollBack:
        pass


def check(path: str | Path) -> HealthResult:
    """Open, check and test-write the database at `path`; never raises for a bad database."""
    step = "open and migrate"
    try:
        store = open_store(path)
        step = "integrity check"
        problems = store.integrity_problems()
        if problems:
            discard_store(path)
            return _failed(path, f"the integrity check found problems: {'; '.join(problems)[:300]}")
        step = "schema check"
        problems = schema_problems(store)
        if problems:
            discard_store(path)
            return _failed(path, f"the schema is not as expected: {'; '.join(problems)[:300]}")
        step = "test write"
        try:
            _write_round_trip(store)
        except StoreBusy:
            # Another process is writing right now: the database is writable and in use.
            return HealthResult(
                True,
                "ok (busy during the test write)",
                shown_location(path),
                _seconds_now(),
            )
    except (*STORE_ERRORS, ValueError) as exc:
        discard_store(path)
        return _failed(path, f"{step} failed: {type(exc).__name__}: {exc}")
    return HealthResult(True, "ok", shown_location(path), _seconds_now())


def _failed(path: str | Path, detail: str) -> HealthResult:
    shown = shown_location(path)  # a PostgreSQL URL without its password
    log.error("DATABASE UNAVAILABLE at %s: %s", shown, detail)
    return HealthResult(False, detail, shown, _seconds_now())


_results: dict[str, HealthResult] = {}
_results_lock = threading.Lock()


def status(path: str | Path) -> HealthResult:
    """The process's last check of `path`: run on first use, and again while failing."""
    key = str(path)
    with _results_lock:
        result = _results.get(key)
        if result is None or (
            not result.ok and _seconds_now() - result.checked_at > RECHECK_SECONDS
        ):
            result = _results[key] = check(key)
        return result


def forget() -> None:
    """Drop the kept answers (tests, or after an admin has repaired the file)."""
    with _results_lock:
        _results.clear()
