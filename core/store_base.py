"""The store contract both engines keep: what a store promises, the errors it raises,
its timings, the erasure clean-up record they share, and the one piece of SQL text
handling they need (placeholders).

Two engines implement it: `core/store_sqlite.py` (a file, the default) and
`core/store_pg.py` (a `postgresql://` URL). Neither imports the other; `core/store.py`
picks one (`open_store`). Code above the store imports only from `core.store`.

The promises, for either engine:
- `read()` is a block with one consistent snapshot; it never waits for a writer.
- `write(wait)` is one transaction, after every other writer's (in this process and
  others), committed whole when the block ends or rolled back whole when it raises. A
  read inside a write on the same thread sees the write's own changes. When the write
  cannot start within `wait` seconds (default `WRITE_WAIT_SECONDS`) it raises
  `StoreBusy`.
- Connections run SQL written once for both engines (see DEVELOPERS.md "SQL both
  engines run"): `?` placeholders, `RETURNING id` for new rows, explicit
  `NULLS FIRST/LAST`, no engine-only functions; time arrives as a parameter from
  `core/clock.py`. Rows answer by position and by column name.
- Failures are the `StoreError` family below, whatever the engine: a caller catches
  `STORE_ERRORS` (those, plus the operating system's) and never an engine's own errors.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from core.clock import parse_stamp, stamp

# How long a reader, or a backup, lets SQLite wait for a lock (rare in WAL mode).
BUSY_TIMEOUT_MS = 5000
# How long one attempt to begin a write lets SQLite wait while holding the Python lock.
WRITE_ATTEMPT_MS = 50
# Pause between write attempts, with the Python lock released.
WRITE_RETRY_PAUSE_SECONDS = 0.02
# How long a write keeps trying before it reports the database as busy.
WRITE_WAIT_SECONDS = 5.0
# Idle read-only connections kept for the next read; extra ones are closed.
IDLE_READERS = 4
FILE_MODE = 0o600


class StoreError(Exception):
    """The database could not do what was asked. Every engine raises only these."""


class StoreUnavailable(StoreError):
    """The database can't be reached or used: down, missing, unreadable, read-only."""


class StoreBusy(StoreError):
    """Another writer held the database for longer than this write would wait."""


class StoreFull(StoreError):
    """The disk (or the server's storage) has no room for the change."""


class StoreCorrupt(StoreError):
    """The database's own checks found damage."""


class StoreConflict(StoreError):
    """The change broke a rule of the schema: a unique value taken, a missing parent."""


# What a failed save can raise: the store's errors and the operating system's.
STORE_ERRORS: tuple[type[BaseException], ...] = (StoreError, OSError)


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> None: ...


class Store(Protocol):
    """What every engine's store offers (see the module docstring for the promises)."""

    engine: str  # "sqlite" or "postgresql"
    path: str  # the file, or the URL (shown only through `core.store.shown_location`)
    memory: bool

    def read(self) -> AbstractContextManager[Connection]: ...

    def write(self, wait: float | None = None) -> AbstractContextManager[Connection]: ...

    def analyze(self) -> None:
        """Refresh the planner's statistics for every connection."""

    def after_erasure(self, tables: Sequence[str]) -> None:
        """Called after a candidate's rows were deleted, inside the request: whatever
        leaves no readable copy of them, without a lock others would queue behind."""

    def run_maintenance(self, min_interval_seconds: float = 0.0) -> list[str]:
        """Work `after_erasure` left for `bounce-back maintenance`, unless the same work
        ran less than `min_interval_seconds` ago; what was done, in words."""

    def table_names(self) -> list[str]: ...

    def integrity_problems(self) -> list[str]:
        """What the engine's own check finds wrong (empty when healthy)."""

    def write_backup(self, target: Path) -> str:
        """A consistent copy at the new file `target`, checked: "ok" or what is wrong."""

    def checkpoint(self) -> None: ...

    def close(self) -> None: ...


# Every statement an engine runs is shown to these first (engine, SQL text). The test
# suite uses this to run each statement the app issues on the other engine as well.
StatementObserver = Callable[[str, str], None]
statement_observers: list[StatementObserver] = []


def observe(engine: str, sql: str) -> None:
    for observer in statement_observers:
        observer(engine, sql)


# Erasure clean-up left for `bounce-back maintenance` (a row of `maintenance_jobs`):
# `requested` counts the erasures, `done` how many the last clean-up covered.
ERASURE_JOB = "vacuum_after_erasure"


def queue_erasure_job(conn: Connection, tables: Sequence[str], now: dt.datetime) -> None:
    """Record, inside the caller's write, that these tables need their clean-up."""
    conn.execute(
        "INSERT INTO maintenance_jobs (job, tables, requested, requested_at) "
        "VALUES (?, ?, 1, ?) ON CONFLICT (job) DO UPDATE SET tables = excluded.tables, "
        "requested = maintenance_jobs.requested + 1, requested_at = excluded.requested_at",
        (ERASURE_JOB, " ".join(tables), stamp(now)),
    )


def pending_erasure_job(
    conn: Connection, now: dt.datetime, min_interval_seconds: float
) -> tuple[list[str], int] | None:
    """The tables to clean up and the request count this covers, or None when no erasure
    came since the last clean-up or that ran less than `min_interval_seconds` ago."""
    job = conn.execute(
        "SELECT tables, requested, done, done_at FROM maintenance_jobs WHERE job = ?",
        (ERASURE_JOB,),
    ).fetchone()
    if job is None or job["done"] >= job["requested"]:
        return None
    if job["done_at"] and now - parse_stamp(job["done_at"]) < dt.timedelta(
        seconds=min_interval_seconds
    ):
        return None
    return job["tables"].split(), int(job["requested"])


def finish_erasure_job(conn: Connection, covered: int, now: dt.datetime) -> None:
    """The clean-up ran for `covered` requests; any that came in meanwhile stay pending."""
    conn.execute(
        "UPDATE maintenance_jobs SET done = ?, done_at = ? WHERE job = ?",
        (covered, stamp(now), ERASURE_JOB),
    )


def is_postgres_url(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


def create_private_file(path: str | Path) -> bool:
    """Create `path` empty with mode 0600 unless it exists. True when created here."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


# SQL text ---------------------------------------------------------------------------


def sql_pieces(sql: str) -> Iterator[tuple[str, str]]:
    """`sql` as (kind, text) pieces: "code", "string" ('…' with '' inside), "identifier"
    ("…" with "" inside), "comment" (-- to the line's end, or /* … */)."""
    i, n = 0, len(sql)
    start = 0
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            if start < i:
                yield "code", sql[start:i]
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            if j >= n:
                raise ValueError(f"An unclosed quote in SQL: {sql!r}")
            yield ("string" if ch == "'" else "identifier"), sql[i : j + 1]
            i = start = j + 1
        elif sql.startswith("--", i):
            if start < i:
                yield "code", sql[start:i]
            end = sql.find("\n", i)
            end = n if end < 0 else end
            yield "comment", sql[i:end]
            i = start = end
        elif sql.startswith("/*", i):
            if start < i:
                yield "code", sql[start:i]
            end = sql.find("*/", i + 2)
            if end < 0:
                raise ValueError(f"An unclosed comment in SQL: {sql!r}")
            yield "comment", sql[i : end + 2]
            i = start = end + 2
        else:
            i += 1
    if start < n:
        yield "code", sql[start:]


def count_placeholders(sql: str) -> int:
    """How many `?` placeholders `sql` has (not counting any inside quotes or comments)."""
    return sum(text.count("?") for kind, text in sql_pieces(sql) if kind == "code")


def to_pyformat(sql: str) -> str:
    """`sql` with `?` placeholders as psycopg's `%s`, and every other `%` doubled (psycopg
    reads a `%` anywhere in the text, literals included, as the start of a placeholder).
    Quotes, quoted identifiers and comments keep their `?`."""
    out = []
    for kind, text in sql_pieces(sql):
        text = text.replace("%", "%%")
        if kind == "code":
            text = text.replace("?", "%s")
        out.append(text)
    return "".join(out)
