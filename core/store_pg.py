"""The store on PostgreSQL: the contract of `core/store_base.py` on a `postgresql://` URL.

Chosen when the database location is a `postgresql://` URL (`BOUNCE_BACK_DATABASE_URL`).
The app's SQL is written once for both engines (DEVELOPERS.md "SQL both engines run"):
the one change made here is the placeholder, `?` to psycopg's `%s` (`to_pyformat`, a
tokenizer that leaves quotes and comments alone). Rows answer by position and by name,
like `sqlite3.Row`; every psycopg error leaves this module as the contract's
`StoreError` of the same kind.

Isolation: SQLite's `BEGIN IMMEDIATE` takes the database's write lock before the first
read, so a write transaction that reads and then writes (rate limits, the login budget,
"shared once") never interleaves with another writer. Here each write runs at READ
COMMITTED and first takes one cluster-wide transaction advisory lock
(`pg_advisory_xact_lock`): writers in every process queue one behind the other, exactly as
they do on SQLite, and every statement after the lock sees everything committed before it.
SERIALIZABLE with retry would let writers overlap, but a retry must re-run the whole
`with store.write()` block, which a context manager cannot do; the advisory lock needs no
retry and writes here are a few milliseconds each. The lock wait is bounded by
`lock_timeout` (`WRITE_WAIT_SECONDS`). Reads run in a REPEATABLE READ, READ ONLY
transaction: one consistent snapshot per block, never blocked by a writer, each statement
stopped by the server after `read_timeout` seconds (`BOUNCE_BACK_READ_TIMEOUT_SECONDS`).

Erasure: "Delete my data" deletes the rows and queues one maintenance job (a row); it
never runs VACUUM FULL itself, whose exclusive lock would make every reader wait behind a
request anyone can send. `bounce-back maintenance`, run from cron, rewrites the erased
tables at most once per interval (`run_maintenance`).

Connections come from a `psycopg_pool` pool that checks each one before lending it, so
after PostgreSQL restarts the next save simply works again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import psycopg_pool
from psycopg.adapt import Dumper

from core import migrations
from core import store_base as contract
from core.clock import system_clock
from core.settings import Settings
from core.store_base import (
    StoreBusy,
    StoreConflict,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreUnavailable,
    finish_erasure_job,
    observe,
    pending_erasure_job,
    queue_erasure_job,
    to_pyformat,
)

# One number for the cluster-wide write lock ("BB" in ASCII, then a 1).
WRITE_LOCK_KEY = 0x424201
POOL_MAX = 8
# A pooled connection handed out again within this long of coming back is not checked.
RECHECK_AFTER_IDLE_SECONDS = 2.0
MAX_REMEMBERED_CONNECTIONS = 256
# How long the maintenance run's VACUUM FULL waits for a table's lock before giving up
# (and trying again on the next run), so it never queues every reader behind it.
VACUUM_LOCK_WAIT_SECONDS = 2


_USERINFO_PASSWORD = re.compile(r"^([a-z]+://[^:/@]*):[^@/]*@")
# `password=` in a URL's query or in a keyword conninfo ("host=db password=…").
_PASSWORD_PARAMETER = re.compile(r"(?i)(\bpassword=)('(?:[^'\\]|\\.)*'|[^&\s]*)")


def redact(url: str) -> str:
    """The connection string without its password, wherever it was written, for
    messages and logs."""
    return _PASSWORD_PARAMETER.sub(r"\1***", _USERINFO_PASSWORD.sub(r"\1:***@", url))


def _passwords(url: str) -> list[str]:
    try:
        found = psycopg.conninfo.conninfo_to_dict(url).get("password")
    except psycopg.ProgrammingError:
        found = None
    userinfo = re.match(r"^[a-z]+://[^:/@]*:([^@/]*)@", url)
    candidates = [str(found) if found else "", userinfo.group(1) if userinfo else ""]
    return [text for text in candidates if text]


def _scrub(text: str, url: str) -> str:
    """`text` (an error message) with the URL's password, should it quote it, hidden."""
    for password in _passwords(url):
        text = text.replace(password, "***")
    return text


class Row(tuple):
    """A result row readable by position and by column name, like `sqlite3.Row`."""

    def __new__(cls, values: Sequence[Any], names: list[str], index: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        row._index = index
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return super().__getitem__(self._index[key])
        return super().__getitem__(key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor: Any) -> Any:
    names = [c.name for c in cursor.description] if cursor.description else []
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)

    def make(values: Sequence[Any]) -> Row:
        return Row(values, names, index)

    return make


class _BoolAsInteger(Dumper):
    """SQLite stores booleans as 0/1 in INTEGER columns; so does this schema here."""

    oid = psycopg.adapters.types["int4"].oid

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


class _BoolAsInteger(Dumper):
    """The schema keeps truth values in INTEGER columns (0/1), as SQLite does."""

    oid = psycopg.adapters.types["int4"].oid

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


def store_error(exc: psycopg.Error) -> StoreError:
    """The contract's error of the same kind as this psycopg error."""
    text = str(exc)
    if isinstance(exc, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
        return StoreBusy(f"database is locked or slow (another save is running): {text}")
    if isinstance(exc, psycopg.IntegrityError):
        return StoreConflict(text)
    if isinstance(exc, psycopg.errors.DiskFull | psycopg.errors.OutOfMemory):
        return StoreFull(text)
    if isinstance(exc, psycopg.errors.DataCorrupted | psycopg.errors.IndexCorrupted):
        return StoreCorrupt(text)
    if isinstance(exc, psycopg.OperationalError | psycopg.errors.ReadOnlySqlTransaction):
        return StoreUnavailable(text)
    return StoreError(text)


class Cursor:
    """A psycopg cursor as the contract's cursor (a statement with no rows reads as none)."""

    def __init__(self, cursor: psycopg.Cursor) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class PgConnection:
    """A pooled connection running the app's SQL (`?` placeholders)."""

    engine = "postgresql"

    def __init__(self, raw: psycopg.Connection, *, observed: bool = True) -> None:
        self.raw = raw
        self._observed = observed

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        if self._observed:
            observe(self.engine, sql)
        cur = self.raw.cursor()
        try:
            cur.execute(to_pyformat(sql), list(params))
        except psycopg.Error as exc:
            raise store_error(exc) from exc
        return Cursor(cur)

    def executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> None:
        for params in seq:
            self.execute(sql, params)


def _configure(conn: psycopg.Connection) -> None:
    conn.row_factory = _row_factory
    conn.adapters.register_dumper(bool, _BoolAsInteger)
    # Transactions are begun and ended here, explicitly (see `read` and `write`).
    conn.autocommit = True
    conn.execute("SET TIME ZONE 'UTC'")


def dump_database(url: str, target: Path) -> str:
    """`pg_dump` of `url` in its custom format into `target` (restore with `pg_restore`),
    checked by reading its table of contents back: "ok", or what went wrong. Every
    connection setting reaches pg_dump (sslmode, sslrootcert, options…), so a backup
    connects exactly as the app does; the password travels in the environment, never on
    a command line other users can see."""
    dump, restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if dump is None or restore is None:
        raise StoreUnavailable(
            "Backing up PostgreSQL needs pg_dump and pg_restore, which are not installed "
            "here (Debian: apt-get install postgresql-client). Nothing was written"
        )
    params = psycopg.conninfo.conninfo_to_dict(url)
    password = params.pop("password", None)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    connection = psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()})
    made = subprocess.run(
        [dump, "--format=custom", "--no-password", f"--file={target}", f"--dbname={connection}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    checked = (
        subprocess.run(
            [restore, "--list", str(target)], capture_output=True, text=True, check=False
        )
        if made.returncode == 0
        else made
    )
    if checked.returncode != 0:
        reason = (checked.stderr or "no reason given").strip().splitlines()[-1]
        raise StoreError(_scrub(reason, url))
    return "ok"


class PostgresStore:
    engine = "postgresql"
    memory = False

    def __init__(
        self,
        url: str,
        *,
        wait: float = 10.0,
        read_timeout: float = Settings.read_timeout_seconds,
    ) -> None:
        """Connect and migrate. The database itself is created by its administrator."""
        self.path = url
        self.url = url
        self.shown = redact(url)
        self.read_timeout = read_timeout
        try:
            psycopg.conninfo.conninfo_to_dict(url)
            _ = urlsplit(url).port  # a port that is not a number
        except (psycopg.ProgrammingError, ValueError) as exc:
            raise StoreUnavailable(
                f"The database URL {self.shown} is not one PostgreSQL understands: "
                f"{_scrub(str(exc), url)}"
            ) from None
        self.pool = psycopg_pool.ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_MAX,
            timeout=contract.WRITE_WAIT_SECONDS,
            configure=_configure,
            check=self._check_if_idle,
            kwargs={"connect_timeout": 5, "application_name": "bounce-back"},
            open=False,
            name="bounce-back",
        )
        self._local = threading.local()
        self._returned: dict[int, float] = {}  # id of a pooled connection: when it came back
        try:
            # One direct try first: a server that is down fails here at once, with its reason.
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.Error as exc:
            text = _scrub(str(exc), url).strip()
            reason = text.splitlines()[-1] if text else type(exc).__name__
            raise StoreUnavailable(
                f"Can't reach PostgreSQL at {self.shown} ({reason}). Is it running, and is "
                "the URL right?"
            ) from None
        try:
            self.pool.open(wait=True, timeout=wait)
        except psycopg_pool.PoolTimeout as exc:
            self.pool.close()
            raise StoreUnavailable(
                f"Can't reach PostgreSQL at {self.shown} (is it running, and is the URL right?)"
            ) from exc
        try:
            with self.read() as conn:
                current = migrations.is_current(
                    PgConnection(conn.raw, observed=False), self._tables(conn.raw)
                )
            if not current:
                with self.write() as conn:
                    migrations.apply(
                        PgConnection(conn.raw, observed=False),
                        self.engine,
                        self._tables(conn.raw),
                    )
        except BaseException:
            self.pool.close()
            raise

    # Reads and writes ------------------------------------------------------------------

    def _check_if_idle(self, raw: psycopg.Connection) -> None:
        """Check a connection the pool hands out with a round trip, unless it came back
        moments ago. Under load that check was 5 % of an interaction's work (py-spy, 48
        candidates); a connection that sat idle is still checked, so a database restart
        is noticed before a page uses a dead one. One that broke in the last moments
        fails on use like any lost connection: the page keeps the text and retries."""
        returned = self._returned.get(id(raw))
        if returned is not None and time.monotonic() - returned < RECHECK_AFTER_IDLE_SECONDS:
            return
        psycopg_pool.ConnectionPool.check_connection(raw)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self.pool.connection() as raw:
                try:
                    yield raw
                finally:
                    if len(self._returned) > MAX_REMEMBERED_CONNECTIONS:
                        self._returned.clear()  # connections replaced over a long life
                    self._returned[id(raw)] = time.monotonic()
        except psycopg_pool.PoolTimeout as exc:
            raise StoreUnavailable(
                f"PostgreSQL at {self.shown} did not answer in time: {exc}"
            ) from exc
        except psycopg.Error as exc:
            raise store_error(exc) from exc

    @contextmanager
    def read(self) -> Iterator[PgConnection]:
        """A connection showing one consistent snapshot for the block."""
        writer = getattr(self._local, "writer", None)
        if writer is not None:
            yield writer
            return
        with self._connection() as raw:
            raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                raw.execute(
                    f"SET LOCAL statement_timeout = {max(1, int(self.read_timeout * 1000))}"
                )
                yield PgConnection(raw)
            finally:
                with suppress(psycopg.Error):
                    raw.execute("ROLLBACK")  # nothing to keep: the block only read

    @contextmanager
    def write(self, wait: float | None = None) -> Iterator[PgConnection]:
        """One write transaction, after every other writer's; rolled back whole on error."""
        outer = getattr(self._local, "writer", None)
        if outer is not None:
            yield outer
            return
        limit = contract.WRITE_WAIT_SECONDS if wait is None else wait
        with self._connection() as raw:
            conn = PgConnection(raw)
            raw.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
            try:
                raw.execute(f"SET LOCAL lock_timeout = {max(1, int(limit * 1000))}")
                raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
                self._local.writer = conn
                try:
                    yield conn
                finally:
                    self._local.writer = None
                raw.execute("COMMIT")
            except BaseException:
                with suppress(psycopg.Error):  # a lost connection has nothing to roll back
                    raw.execute("ROLLBACK")
                raise

    # Housekeeping ----------------------------------------------------------------------

    def after_erasure(self, tables: Sequence[str]) -> None:
        """Queue the rewrite of the erased tables for `bounce-back maintenance`.

        A plain VACUUM only marks a dead row's space reusable: its bytes stay in the page
        until overwritten (tests/test_privacy.py saw them). VACUUM FULL writes each table
        and its indexes afresh and drops the old files, but holds an exclusive lock while
        it does: run in the request, a script deleting in a loop would stall every reader.
        So the request only records that a rewrite is due; docs/operations.md ("Erasure on
        PostgreSQL") says how long a deleted answer can survive until then.
        """
        with self.write() as conn:
            queue_erasure_job(conn, tables, system_clock())

    def run_maintenance(self, min_interval_seconds: float = 0.0) -> list[str]:
        """Rewrite the erased tables if an erasure asked for it since the last rewrite and
        the last one is at least `min_interval_seconds` old. What was done, in words."""
        now = system_clock()
        with self.read() as conn:
            job = pending_erasure_job(conn, now, min_interval_seconds)
        if job is None:
            return []
        erased, covered = job
        tables = [t for t in erased if t in migrations.APP_TABLES]
        with self._connection() as raw:
            raw.execute(f"SET lock_timeout = {VACUUM_LOCK_WAIT_SECONDS * 1000}")
            try:
                for table in tables:  # names checked against the schema's own list
                    raw.execute(f"VACUUM FULL {table}")
            finally:
                raw.execute("RESET lock_timeout")
        with self.write() as conn:
            finish_erasure_job(conn, covered, now)
        return [f"rewrote {table} (VACUUM FULL)" for table in tables]

    def analyze(self) -> None:
        with self._connection() as raw:
            raw.execute("ANALYZE")

    @staticmethod
    def _tables(raw: psycopg.Connection) -> list[str]:
        rows = raw.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        ).fetchall()
        return [row[0] for row in rows]

    def table_names(self) -> list[str]:
        with self.read() as conn:
            try:
                return self._tables(conn.raw)
            except psycopg.Error as exc:
                raise store_error(exc) from exc

    def integrity_problems(self) -> list[str]:
        """What stops this server from keeping the app's data: a read-only standby."""
        with self.read() as conn:
            standby = conn.raw.execute("SELECT pg_is_in_recovery()").fetchone()
        return ["the server is a read-only standby (in recovery)"] if standby[0] else []

    def write_backup(self, target: Path) -> str:
        return dump_database(self.url, target)

    def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL checkpoints by itself."""

    def close(self) -> None:
        self.pool.close()
