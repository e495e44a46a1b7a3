"""The one way into the database: one writer connection per process, and readers.

Streamlit runs each browser session in its own thread, all sharing this process's Store.

Writes go through a single connection, one at a time, behind the store's write lock,
each inside `BEGIN IMMEDIATE … COMMIT` so it lands whole or not at all. IMMEDIATE takes
SQLite's write lock before the first read, so a transaction that reads and then writes
can never fail half way because another process (the admin CLI's purge) wrote in
between. When another process holds the write lock, `BEGIN IMMEDIATE` waits only a
short `busy_timeout`, then the attempt releases the Python lock, pauses and tries again,
until `WRITE_WAIT_SECONDS` have passed; after that the write raises
`sqlite3.OperationalError` ("database is locked"), which the pages turn into "we'll keep
trying". So the Python lock is never held for longer than one short attempt.

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

A `postgresql://` location (BOUNCE_BACK_DATABASE_URL) gets `core/store_pg.py` instead,
which keeps this same `read()` / `write()` contract on PostgreSQL (`make_store`).

`synchronous = FULL` makes every commit durable: a power cut loses no saved answer.
New database files are created readable by their owner only (0600); SQLite gives the
-wal and -shm files the same mode.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import psycopg
import psycopg_pool
import sqlite_utils

from core.migrations import MIGRATIONS

# How long a reader, or a backup, lets SQLite wait for a lock (rare in WAL mode).
BUSY_TIMEOUT_MS = 5000
# How long one attempt to begin a write lets SQLite wait while holding the Python lock.
WRITE_ATTEMPT_MS = 50
# Pause between write attempts, with the Python lock released.
WRITE_RETRY_PAUSE_SECONDS = 0.02
# How long a write keeps trying before it reports the database as locked.
WRITE_WAIT_SECONDS = 5.0
# Idle read-only connections kept for the next read; extra ones are closed.
IDLE_READERS = 4
FILE_MODE = 0o600

# What a failed save can raise: the store's errors (either engine's; the PostgreSQL store
# turns its own into sqlite3 errors, but a pool timeout may still come through), and the
# operating system's.
STORE_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.Error,
    psycopg.Error,
    psycopg_pool.PoolTimeout,
    OSError,
)

_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6


def sqlite_uri(path: str | Path, mode: str) -> str:
    """A `file:` URI for `path`: characters such as `#` or `?` are percent-encoded.

    Without the encoding, `nightly#1.db` would open `nightly` (the rest is a fragment).
    """
    return f"file:{quote(str(Path(path).resolve()))}?mode={mode}"


def create_private_file(path: str | Path) -> bool:
    """Create `path` empty with mode 0600 unless it exists. True when created here."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def is_busy(exc: sqlite3.Error) -> bool:
    """True when SQLite refused because another connection holds a lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return "locked" in str(exc) or "busy" in str(exc)
    return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


class Store:
    engine = "sqlite"

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        """Open (and migrate) the database at `path`.

        With `create=False` the file must already exist (`mode=rw`): a mistyped path is
        an error naming it instead of a new empty database.
        """
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
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Deleted candidate text is overwritten in the file, not merely unlinked.
            conn.execute("PRAGMA secure_delete = ON")
            self.conn = conn
            self.db = sqlite_utils.Database(conn)
            self._write_lock = threading.RLock()
            self._writer_thread: int | None = None
            self._idle: list[tuple[int, sqlite3.Connection]] = []
            self._idle_lock = threading.Lock()
            # Bumped when readers must be opened afresh (new planner statistics).
            self._generation = 0
            with self._write_lock:
                MIGRATIONS.apply(self.db)
            conn.execute(f"PRAGMA busy_timeout = {WRITE_ATTEMPT_MS}")
        except BaseException:
            conn.close()
            raise

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
        reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return generation, reader

    def _return_reader(self, generation: int, reader: sqlite3.Connection) -> None:
        with self._idle_lock:
            if generation == self._generation and len(self._idle) < IDLE_READERS:
                self._idle.append((generation, reader))
                return
        reader.close()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading, showing one consistent snapshot for the block."""
        if self.memory or self._writer_thread == threading.get_ident():
            with self._write_lock:
                yield self.conn
            return
        generation, reader = self._borrow_reader()
        healthy = False
        try:
            reader.execute("BEGIN")
            yield reader
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
                raise sqlite3.OperationalError("database is locked (another save is running)")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                self._write_lock.release()
                if not is_busy(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(WRITE_RETRY_PAUSE_SECONDS)
                continue
            return

    @contextmanager
    def write(self, wait: float | None = None) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back whole if the block raises."""
        self._begin_write(WRITE_WAIT_SECONDS if wait is None else wait)
        outer_writer = self._writer_thread
        self._writer_thread = threading.get_ident()
        try:
            try:
                yield self.conn
            except BaseException:
                self._rollback()
                raise
            try:
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
            self.conn.execute("ROLLBACK")

    def analyze(self) -> None:
        """Refresh the query planner's statistics, for the writer and every reader.

        Run ANALYZE through this method, not inside `write()`: other connections load
        statistics only when they open, so the readers are replaced afterwards.
        """
        with self.write() as conn:
            conn.execute("ANALYZE")
        with self._idle_lock:
            self._generation += 1
            stale, self._idle = self._idle, []
        for _, reader in stale:
            reader.close()

    def after_erasure(self, tables: tuple[str, ...]) -> None:
        """Nothing to do here: `secure_delete` already overwrote the deleted rows."""

    def table_names(self) -> list[str]:
        """The application's tables (with the migrations' own)."""
        with self.read() as conn:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return [row[0] for row in rows]

    def checkpoint(self) -> None:
        """Copy the WAL into the main file and empty it, through the writer (readers can't)."""
        with self._write_lock:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._idle_lock:
            readers, self._idle = self._idle, []
        for _, reader in readers:
            reader.close()
        with self._write_lock:
            self.conn.close()


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def make_store(location: str | Path, *, create: bool = True) -> Store:
    """A new store: PostgreSQL for a `postgresql://` URL, else the SQLite file at the path."""
    from core.store_pg import PostgresStore, is_postgres_url

    if is_postgres_url(str(location)):
        return PostgresStore(str(location), create=create)  # type: ignore[return-value]
    return Store(location, create=create)


def shown_location(location: str | Path) -> str:
    """The database's location for messages: a URL without its password, or the path."""
    from core.store_pg import is_postgres_url, redact

    text = str(location)
    return redact(text) if is_postgres_url(text) else text


def open_store(path: str | Path) -> Store:
    """The process's single Store for this path (or PostgreSQL URL), created on first use."""
    key = str(path)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = make_store(key)
        return store


def discard_store(path: str | Path) -> None:
    """Close and forget this path's Store, so the next `open_store` opens the file afresh
    (after a failed health check: a file opened read-only stays read-only otherwise)."""
    with _stores_lock:
        store = _stores.pop(str(path), None)
    if store is not None:
        with suppress(*STORE_ERRORS):
            store.close()
