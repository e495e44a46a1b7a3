"""The store on SQLite: one writer connection per process, and readers.

Streamlit runs each browser session in its own thread, all sharing this process's Store.

Writes go through a single connection, one at a time, behind the store's write lock,
each inside `BEGIN IMMEDIATE … COMMIT` so it lands whole or not at all. IMMEDIATE takes
SQLite's write lock before the first read, so a transaction that reads and then writes
can never fail half way because another process (the admin CLI's purge) wrote in
between. When another process holds the write lock, `BEGIN IMMEDIATE` waits only a
short `busy_timeout`, then the attempt releases the Python lock, pauses and tries again,
until `WRITE_WAIT_SECONDS` have passed; after that the write raises `StoreBusy`, which
the pages turn into "we'll keep trying". So the Python lock is never held for longer
than one short attempt.

Reads never take the write lock. Each read borrows a read-only (`mode=ro`) connection
from a small pool and runs in one read transaction, so it sees one consistent snapshot.
In WAL mode a reader never waits for a writer, in this process or another: while a
write waits on another process, every other session keeps reading at normal speed.
(A read on the thread that is inside a write uses the writer, so it sees its own
changes; an in-memory database has no second connection and reads through the writer.
Readers load the planner's statistics when they open, so ANALYZE goes through
`analyze()`, which replaces them.)

Why this is safe against SQLite's WAL-reset bug (a data race in 3.7.0–3.51.2 that can
corrupt the file when two connections write or checkpoint at the same instant; this
server runs 3.40): within a process only the writer connection ever writes, and the
automatic checkpoints run on its commits, under the write lock. A read-only connection
cannot write and cannot checkpoint, not even when it closes, so readers add no second
writer to that race. The only other writers are admin commands in another process,
which are short and rare.

This is the SQLite engine of the store contract (`core/store_base.py`); a
`postgresql://` location gets `core/store_pg.py` instead (`core.store.open_store`).
Every sqlite3 error leaves this module as the contract's `StoreError` of the same kind.

`synchronous = FULL` makes every commit durable: a power cut loses no saved answer.
New database files are created readable by their owner only (0600); SQLite gives the
-wal and -shm files the same mode.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from core import migrations
from core import store_base as contract
from core.clock import system_clock
from core.store_base import (
    StoreBusy,
    StoreConflict,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreUnavailable,
    create_private_file,
    finish_erasure_job,
    observe,
    pending_erasure_job,
    queue_erasure_job,
)

# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26
_UNAVAILABLE_CODES = (_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CANTOPEN)


def sqlite_uri(path: str | Path, mode: str) -> str:
    """A `file:` URI for `path`: characters such as `#` or `?` are percent-encoded.

    Without the encoding, `nightly#1.db` would open `nightly` (the rest is a fragment).
    """
    return f"file:{quote(str(Path(path).resolve()))}?mode={mode}"


def is_busy(exc: sqlite3.Error) -> bool:
    """True when SQLite refused because another connection holds a lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return "locked" in str(exc) or "busy" in str(exc)
    return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


def store_error(exc: sqlite3.Error) -> StoreError:
    """The contract's error of the same kind as this sqlite3 error."""
    text = str(exc)
    if isinstance(exc, sqlite3.IntegrityError):
        return StoreConflict(text)
    if is_busy(exc):
        return StoreBusy(f"database is locked (another save is running): {text}")
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code == _SQLITE_FULL or "database or disk is full" in text:
        return StoreFull(text)
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
        return StoreCorrupt(text)
    if code in _UNAVAILABLE_CODES or "unable to open" in text or "readonly" in text:
        return StoreUnavailable(text)
    return StoreError(text)


@contextmanager
def _as_store_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise store_error(exc) from exc


class SqliteCursor:
    """A sqlite3 cursor whose later steps (fetching) raise `StoreError`s too."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount

    def fetchone(self) -> Any:
        with _as_store_errors():
            return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        with _as_store_errors():
            return self._cursor.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class SqliteConnection:
    """The contract's connection over one sqlite3 connection: errors as `StoreError`s."""

    engine = "sqlite"

    def __init__(self, raw: sqlite3.Connection, *, observed: bool = True) -> None:
        self.raw = raw
        self._observed = observed

    def execute(self, sql: str, params: Sequence[Any] = ()) -> SqliteCursor:
        if self._observed:
            observe(self.engine, sql)
        with _as_store_errors():
            return SqliteCursor(self.raw.execute(sql, params))

    def executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> None:
        if self._observed:
            observe(self.engine, sql)
        with _as_store_errors():
            self.raw.executemany(sql, seq)


class SqliteStore:
    engine = "sqlite"

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        """Open (and migrate) the database at `path`.

        With `create=False` the file must already exist (`mode=rw`): a mistyped path is
        an error naming it instead of a new empty database.
        """
        with _as_store_errors():
            self._open(path, create)

    def _open(self, path: str | Path, create: bool) -> None:
        self.path = str(path)
        self.memory = self.path == ":memory:"
        if self.memory:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        else:
            if create:
                Path(self.path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                create_private_file(self.path)
            conn = sqlite3.connect(
                sqlite_uri(self.path, "rw"),
                uri=True,
                check_same_thread=False,
                isolation_level=None,
            )
        try:
            conn.row_factory = sqlite3.Row
            # Opening may wait for another process (once per process); writes never do.
            conn.execute(f"PRAGMA busy_timeout = {contract.BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Deleted candidate text is overwritten in the file, not merely unlinked.
            conn.execute("PRAGMA secure_delete = ON")
            self.conn = conn
            self._writer = SqliteConnection(conn)
            self._write_lock = threading.RLock()
            self._writer_thread: int | None = None
            self._idle: list[tuple[int, sqlite3.Connection]] = []
            self._idle_lock = threading.Lock()
            # Bumped when readers must be opened afresh (new planner statistics).
            self._generation = 0
            unobserved = SqliteConnection(conn, observed=False)
            # Only a database that lacks a migration needs the write lock to open.
            if not migrations.is_current(unobserved, self._tables(conn)):
                with self.write(wait=contract.BUSY_TIMEOUT_MS / 1000):
                    migrations.apply(unobserved, self.engine, self._tables(conn))
            conn.execute(f"PRAGMA busy_timeout = {contract.WRITE_ATTEMPT_MS}")
        except BaseException:
            conn.close()
            raise

    @staticmethod
    def _tables(conn: sqlite3.Connection) -> list[str]:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return [row[0] for row in rows]

    # Reads ---------------------------------------------------------------------------

    def _borrow_reader(self) -> tuple[int, sqlite3.Connection]:
        with self._idle_lock:
            if self._idle:
                return self._idle.pop()
            generation = self._generation
        reader = sqlite3.connect(
            sqlite_uri(self.path, "ro"), uri=True, check_same_thread=False, isolation_level=None
        )
        reader.row_factory = sqlite3.Row
        reader.execute(f"PRAGMA busy_timeout = {contract.BUSY_TIMEOUT_MS}")
        return generation, reader

    def _return_reader(self, generation: int, reader: sqlite3.Connection) -> None:
        with self._idle_lock:
            if generation == self._generation and len(self._idle) < contract.IDLE_READERS:
                self._idle.append((generation, reader))
                return
        reader.close()

    @contextmanager
    def read(self) -> Iterator[SqliteConnection]:
        """A connection for reading, showing one consistent snapshot for the block."""
        if self.memory or self._writer_thread == threading.get_ident():
            with self._write_lock:
                yield self._writer
            return
        with _as_store_errors():
            generation, reader = self._borrow_reader()
        healthy = False
        try:
            with _as_store_errors():
                reader.execute("BEGIN")
            yield SqliteConnection(reader)
            with _as_store_errors():
                reader.execute("COMMIT")
            healthy = True
        finally:
            if not healthy:
                with suppress(sqlite3.Error):
                    if reader.in_transaction:
                        reader.execute("ROLLBACK")
                    healthy = not reader.in_transaction
            if healthy:
                self._return_reader(generation, reader)
            else:
                reader.close()

    # Writes --------------------------------------------------------------------------

    def _begin_write(self, wait: float) -> None:
        """Hold the write lock and SQLite's, or raise after `wait` seconds of trying."""
        deadline = time.monotonic() + wait
        while True:
            if not self._write_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise StoreBusy("database is locked (another save is running)")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                self._write_lock.release()
                if not is_busy(exc) or time.monotonic() >= deadline:
                    raise store_error(exc) from exc
                time.sleep(contract.WRITE_RETRY_PAUSE_SECONDS)
                continue
            return

    @contextmanager
    def write(self, wait: float | None = None) -> Iterator[SqliteConnection]:
        """One write transaction; rolled back whole if the block raises."""
        self._begin_write(contract.WRITE_WAIT_SECONDS if wait is None else wait)
        outer_writer = self._writer_thread
        self._writer_thread = threading.get_ident()
        try:
            try:
                yield self._writer
            except BaseException:
                self._rollback()
                raise
            try:
                with _as_store_errors():
                    self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        finally:
            self._writer_thread = outer_writer
            self._write_lock.release()

    def _rollback(self) -> None:
        # A failed COMMIT (disk full, I/O error) may already have ended the transaction.
        if self.conn.in_transaction:
            with _as_store_errors():
                self.conn.execute("ROLLBACK")

    # Housekeeping --------------------------------------------------------------------

    def analyze(self) -> None:
        """Refresh the query planner's statistics, for the writer and every reader.

        Run ANALYZE through this method, not inside `write()`: other connections load
        statistics only when they open, so the readers are replaced afterwards.
        """
        with self.write() as conn:
            conn.raw.execute("ANALYZE")
        with self._idle_lock:
            self._generation += 1
            stale, self._idle = self._idle, []
        for _, reader in stale:
            reader.close()

    def after_erasure(self, tables: Sequence[str]) -> None:
        """Empty the WAL, which still holds the erased rows' old pages.

        `secure_delete` overwrote the rows in the pages the delete wrote, but the WAL
        keeps the earlier versions of those pages until a checkpoint resets it. A
        TRUNCATE checkpoint copies it into the file and empties it; it waits for readers
        only the writer's short busy timeout, and when one is still reading it leaves
        the rest to `bounce-back maintenance`.
        """
        if self.memory or self._truncate_wal():
            return
        with self.write() as conn:
            queue_erasure_job(conn, tables, system_clock())

    def _truncate_wal(self) -> bool:
        """A TRUNCATE checkpoint through the writer; False when a reader kept it from
        finishing."""
        with self._write_lock, _as_store_errors():
            busy = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        return not busy

    def run_maintenance(self, min_interval_seconds: float = 0.0) -> list[str]:
        """Empty the WAL if an erasure could not (see `after_erasure`)."""
        now = system_clock()
        with self.read() as conn:
            job = pending_erasure_job(conn, now, min_interval_seconds)
        if job is None or not self._truncate_wal():
            return []
        with self.write() as conn:
            finish_erasure_job(conn, job[1], now)
        return ["emptied the write-ahead log"]

    def table_names(self) -> list[str]:
        """The application's tables (with the migrations' own)."""
        with self.read() as conn, _as_store_errors():
            return self._tables(conn.raw)

    def integrity_problems(self) -> list[str]:
        """SQLite's `quick_check`: empty when it says "ok", else what it found."""
        with self.read() as conn, _as_store_errors():
            rows = [str(row[0]) for row in conn.raw.execute("PRAGMA quick_check").fetchall()]
        return [] if rows == ["ok"] else rows

    def write_backup(self, target: Path) -> str:
        """A consistent copy at `target` (an existing empty file), then its integrity check:
        "ok", or what the check found. The copy is read through a separate read-only
        connection: in WAL mode it reads one snapshot while the app keeps writing."""
        with _as_store_errors():
            if self.memory:
                with self.read() as conn:
                    conn.raw.execute("VACUUM INTO ?", (str(target),))
            else:
                source = sqlite3.connect(
                    sqlite_uri(self.path, "ro"), uri=True, isolation_level=None
                )
                try:
                    source.execute(f"PRAGMA busy_timeout = {contract.BUSY_TIMEOUT_MS}")
                    source.execute("VACUUM INTO ?", (str(target),))
                finally:
                    source.close()
            copy = sqlite3.connect(sqlite_uri(target, "ro"), uri=True)
            try:
                rows = copy.execute("PRAGMA integrity_check").fetchall()
            finally:
                copy.close()
        return "; ".join(str(row[0]) for row in rows)

    def checkpoint(self) -> None:
        """Copy the WAL into the main file and empty it, through the writer (readers can't)."""
        with self._write_lock, _as_store_errors():
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._idle_lock:
            readers, self._idle = self._idle, []
        for _, reader in readers:
            reader.close()
        with self._write_lock:
            self.conn.close()
