"""Is the database usable? Checked once when the server starts, before anyone types.

`check` opens the store (which applies migrations), runs `PRAGMA quick_check`, and makes
a test write inside a transaction it rolls back, so a corrupt, unreadable or unwritable
file is found by the server, not by the first candidate who presses Start. `status`
keeps the answer for the process; a failed answer is checked again after
`RECHECK_SECONDS`, so the app recovers on its own once an admin has fixed the file.
The result is small and plain, for the page gate and a `/healthz` route alike.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from core.clock import now_stamp, system_clock
from core.store import STORE_ERRORS, discard_store, is_busy, open_store, shown_location

RECHECK_SECONDS = 15.0

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


def check(path: str | Path) -> HealthResult:
    """Open, check and test-write the database at `path`; never raises for a bad file."""
    step = "open and migrate"
    try:
        store = open_store(path)
        step = "quick_check"
        with store.read() as conn:
            rows = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()]
        if rows != ["ok"]:
            discard_store(path)
            return _failed(path, f"quick_check found problems: {'; '.join(rows)[:300]}")
        step = "test write"
        try:
            with store.write() as conn:
                conn.execute("CREATE TABLE _health_probe (checked_at TEXT)")
                conn.execute("INSERT INTO _health_probe VALUES (?)", (now_stamp(),))
                raise _RollBack
        except _RollBack:
            pass
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
            # Another process is writing right now: the file is writable and in use.
            return HealthResult(
                True,
                "ok (busy during the test write)",
                shown_location(path),
                _seconds_now(),
            )
    except STORE_ERRORS as exc:
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
