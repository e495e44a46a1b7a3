"""The store on PostgreSQL: the same `read()` / `write()` contract as the SQLite store.

Chosen when the database location is a `postgresql://` URL (`BOUNCE_BACK_DATABASE_URL`).
Core modules keep writing SQLite-flavoured SQL with `?` placeholders; this module does the
dialect work in one place (`translate`): placeholders become `%s`, `LIKE` becomes `ILIKE`
(SQLite's LIKE ignores ASCII case), an `INSERT` into a table with an `id` gets
`RETURNING id` so `cursor.lastrowid` works, and the few SQLite-only expressions (week
start, JSON unwrap, `instr`) have PostgreSQL twins. Rows answer by position and by name,
like `sqlite3.Row`; database errors come out as the `sqlite3` error of the same kind, so
every existing `except sqlite3.IntegrityError` / `STORE_ERRORS` keeps working.

Isolation: SQLite's `BEGIN IMMEDIATE` takes the database's write lock before the first
read, so a write transaction that reads and then writes (rate limits, the login budget,
"shared once") never interleaves with another writer. Here each write runs at READ
COMMITTED and first takes one cluster-wide transaction advisory lock
(`pg_advisory_xact_lock`): writers in every process queue one behind the other, exactly as
they do on SQLite, and every statement after the lock sees everything committed before it.
SERIALIZABLE with retry would let writers overlap, but a retry must re-run the whole
`with store.write()` block, which a context manager cannot do; the advisory lock needs no
retry and writes here are a few milliseconds each. The lock wait is bounded by
`lock_timeout` (the SQLite store's `WRITE_WAIT_SECONDS`). Reads run in a REPEATABLE READ,
READ ONLY transaction: one consistent snapshot per block, never blocked by a writer.

Connections come from a `psycopg_pool` pool that checks each one before lending it, so
after PostgreSQL restarts the next save simply works again.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import psycopg
import psycopg_pool
from psycopg.adapt import Dumper

from core.clock import now_stamp

# One number for the cluster-wide write lock ("BB" in ASCII, then a 1).
WRITE_LOCK_KEY = 0x424201
MIGRATIONS_TABLE = "_bounce_back_migrations"
POOL_MAX = 8


def is_postgres_url(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


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


# SQLite-only fragments and their PostgreSQL twins, matched exactly.
_FRAGMENTS = {
    # The Monday on or before the submission date, as YYYY-MM-DD text.
    "date(substr(submitted_at, 1, 10), '-6 days', 'weekday 1')": (
        "to_char(date_trunc('week', substr(submitted_at, 1, 10)::date), 'YYYY-MM-DD')"
    ),
    # An answer's JSON value unwrapped to text.
    "json_extract(value, '$')": "(value::jsonb #>> '{}')",
    "PRAGMA quick_check": "SELECT 'ok'",
}
_STRING = re.compile(r"('(?:[^']|'')*')")
_INSERT_INTO = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_DDL = [
    (re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\)\s*WITHOUT ROWID\s*$"), ")"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    # An expression in an index needs its own parentheses on PostgreSQL.
    (re.compile(r"\((\w+ IS (?:NOT )?NULL),"), r"((\1),"),
]


@lru_cache(maxsize=1024)
def translate(sql: str, has_params: bool, id_tables: frozenset[str] = frozenset()) -> str:
    """SQLite-flavoured SQL as PostgreSQL runs it (see the module docstring)."""
    for sqlite_text, pg_text in _FRAGMENTS.items():
        sql = sql.replace(sqlite_text, pg_text)
    parts = _STRING.split(sql)
    if has_params:  # psycopg reads every % as a placeholder, inside literals too
        parts = [part.replace("%", "%%") for part in parts]
    for i in range(0, len(parts), 2):  # outside string literals only
        text = parts[i]
        if has_params:
            text = text.replace("?", "%s")
        text = re.sub(r"\bLIKE\b", "ILIKE", text)
        # instr() is used as a truth value; strpos() returns a number PostgreSQL won't AND.
        text = re.sub(r"\binstr\(([^()]*)\)", r"(strpos(\1) > 0)", text)
        # SQLite's "+column" (keep the planner off an index) means nothing here.
        text = re.sub(r"(?<=[\s(])\+(?=[A-Za-z_])", "", text)
        # SQLite sorts NULL first in ascending order; PostgreSQL last. The campaign lists
        # show "(none)" first on both.
        text = re.sub(
            r"\b(ORDER BY (?:n DESC, )?utm_campaign)\b(?!\s+NULLS)", r"\1 NULLS FIRST", text
        )
        parts[i] = text
    sql = "".join(parts)
    insert = _INSERT_INTO.match(sql)
    if insert and insert.group(1) in id_tables and "RETURNING" not in sql.upper():
        sql = sql.rstrip().rstrip(";") + " RETURNING id"
    return sql


def translate_ddl(sql: str) -> str:
    for pattern, replacement in _DDL:
        sql = pattern.sub(replacement, sql)
    return sql


def _as_sqlite_error(exc: psycopg.Error) -> sqlite3.Error:
    """The `sqlite3` error of the same kind, so callers catch one family of errors."""
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        return sqlite3.OperationalError(f"database is locked (another save is running): {exc}")
    if isinstance(exc, psycopg.IntegrityError):
        return sqlite3.IntegrityError(str(exc))
    if isinstance(exc, psycopg.OperationalError):
        return sqlite3.OperationalError(str(exc))
    if isinstance(exc, psycopg.ProgrammingError):
        return sqlite3.ProgrammingError(str(exc))
    return sqlite3.DatabaseError(str(exc))


class Cursor:
    def __init__(self, cursor: psycopg.Cursor, returning_id: bool) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        self.lastrowid: int | None = None
        if returning_id:
            row = cursor.fetchone()
            self.lastrowid = int(row[0]) if row else None

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class Connection:
    """A pooled connection that speaks the SQLite store's dialect (see `translate`)."""

    def __init__(self, conn: psycopg.Connection, id_tables: frozenset[str]) -> None:
        self.raw = conn
        self._id_tables = id_tables
        self.ddl = False

    def execute(self, sql: str, params: Sequence[Any] | None = ()) -> Cursor:
        has_params = bool(params)
        text = translate(sql, has_params, self._id_tables)
        if self.ddl:
            text = translate_ddl(text)
        cur = self.raw.cursor()
        try:
            cur.execute(text, list(params) if has_params else None)
        except psycopg.Error as exc:
            raise _as_sqlite_error(exc) from exc
        return Cursor(cur, text.endswith(" RETURNING id"))

    def executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> None:
        for params in seq:
            self.execute(sql, params)


def _configure(conn: psycopg.Connection) -> None:
    conn.row_factory = _row_factory
    conn.adapters.register_dumper(bool, _BoolAsInteger)
    # Transactions are begun and ended here, explicitly (see `read` and `write`).
    conn.autocommit = True
    conn.execute("SET TIME ZONE 'UTC'")


class PostgresStore:
    engine = "postgresql"
    memory = False

    def __init__(self, url: str, *, create: bool = True, wait: float = 10.0) -> None:
        """Connect and migrate. `create` is accepted for the SQLite store's signature: a
        PostgreSQL database is created by its administrator, never here."""
        from core.store import WRITE_WAIT_SECONDS

        self.path = url
        self.url = url
        self.shown = redact(url)
        self._write_wait = WRITE_WAIT_SECONDS
        try:
            psycopg.conninfo.conninfo_to_dict(url)
            _ = urlsplit(url).port  # a port that is not a number
        except (psycopg.ProgrammingError, ValueError) as exc:
            raise sqlite3.OperationalError(
                f"The database URL {self.shown} is not one PostgreSQL understands: "
                f"{_scrub(str(exc), url)}"
            ) from None
        self.pool = psycopg_pool.ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_MAX,
            timeout=WRITE_WAIT_SECONDS,
            configure=_configure,
            check=psycopg_pool.ConnectionPool.check_connection,
            kwargs={"connect_timeout": 5, "application_name": "bounce-back"},
            open=False,
            name="bounce-back",
        )
        self._local = threading.local()
        self._id_tables: frozenset[str] = frozenset()
        try:
            # One direct try first: a server that is down fails here at once, with its reason.
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.Error as exc:
            text = _scrub(str(exc), url).strip()
            reason = text.splitlines()[-1] if text else type(exc).__name__
            raise sqlite3.OperationalError(
                f"Can't reach PostgreSQL at {self.shown} ({reason}). Is it running, and is "
                "the URL right?"
            ) from None
        try:
            self.pool.open(wait=True, timeout=wait)
        except psycopg_pool.PoolTimeout as exc:
            self.pool.close()
            raise sqlite3.OperationalError(
                f"Can't reach PostgreSQL at {self.shown} (is it running, and is the URL right?)"
            ) from exc
        try:
            self._migrate()
        except BaseException:
            self.pool.close()
            raise

    # Schema --------------------------------------------------------------------------

    def _load_id_tables(self, conn: Connection) -> None:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'id'"
        ).fetchall()
        self._id_tables = frozenset(r[0] for r in rows)

    def _migrate(self) -> None:
        from core.migrations import MIGRATIONS

        with self.write() as conn:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} "
                "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            done = {r[0] for r in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}").fetchall()}
            conn.ddl = True
            try:
                for migration in MIGRATIONS._migrations:
                    if migration.name in done:
                        continue
                    migration.fn(MigrationDatabase(conn))
                    conn.execute(
                        f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)",
                        (migration.name, now_stamp()),
                    )
            finally:
                conn.ddl = False
            self._load_id_tables(conn)
            conn._id_tables = self._id_tables

    # Reads and writes ------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self.pool.connection() as raw:
                yield raw
        except psycopg_pool.PoolTimeout as exc:
            raise sqlite3.OperationalError(
                f"PostgreSQL at {self.shown} did not answer in time: {exc}"
            ) from exc
        except psycopg.Error as exc:
            raise _as_sqlite_error(exc) from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection showing one consistent snapshot for the block."""
        writer = getattr(self._local, "writer", None)
        if writer is not None:
            yield writer
            return
        with self._connection() as raw:
            raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield Connection(raw, self._id_tables)
            finally:
                with suppress(psycopg.Error):
                    raw.execute("ROLLBACK")  # nothing to keep: the block only read

    @contextmanager
    def write(self, wait: float | None = None) -> Iterator[Connection]:
        """One write transaction, after every other writer's; rolled back whole on error."""
        outer = getattr(self._local, "writer", None)
        if outer is not None:
            yield outer
            return
        limit = self._write_wait if wait is None else wait
        with self._connection() as raw:
            conn = Connection(raw, self._id_tables)
            raw.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
            try:
                raw.execute(f"SET LOCAL lock_timeout = {max(1, int(limit * 1000))}")
                conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK_KEY,))
                self._local.writer = conn
                try:
                    yield conn
                finally:
                    self._local.writer = None
                conn.execute("COMMIT")
            except BaseException:
                with suppress(psycopg.Error):  # a lost connection has nothing to roll back
                    raw.execute("ROLLBACK")
                raise

    def after_erasure(self, tables: Sequence[str]) -> None:
        """Leave no readable copy of erased rows in the tables' files.

        A plain VACUUM only marks a dead row's space reusable: its bytes stay in the page
        until overwritten (tests/test_privacy.py saw them). VACUUM FULL writes each table
        and its indexes afresh and drops the old files. It locks each table while it
        rewrites it, which is short at this app's sizes; WAL, replicas and backups keep
        their copies until they age out (README "Running more than one process").
        """
        self.vacuum(tables)

    def vacuum(self, tables: Sequence[str]) -> None:
        """VACUUM FULL `tables` (outside any transaction, as PostgreSQL requires)."""
        with self._connection() as raw:
            for table in tables:
                raw.execute(f"VACUUM FULL {table}")  # names come from this code, not input

    def analyze(self) -> None:
        with self.write() as conn:
            conn.execute("ANALYZE")

    def table_names(self) -> list[str]:
        with self.read() as conn:
            rows = conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            ).fetchall()
        return [row[0] for row in rows]

    def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL checkpoints by itself."""

    def close(self) -> None:
        self.pool.close()


class MigrationDatabase:
    """What a migration function sees on PostgreSQL: `execute` and the engine's name."""

    engine = "postgresql"

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] | None = ()) -> Cursor:
        return self.conn.execute(sql, params)
