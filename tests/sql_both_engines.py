"""Every statement the app issues, checked on the engine it did not run on.

While the tests run, each engine shows every statement to `core.store_base`'s observers.
`StatementChecker` is one: for a statement issued from the app's own code (core, ui,
views, web), it asks the other engine to prepare it, against a fully migrated schema
(SQLite: `EXPLAIN` with every placeholder bound to NULL; PostgreSQL: a server-side
PREPARE, which parses, resolves names and types, and plans nothing). Each distinct text
is checked once per test session. So the statements checked are the ones the suite
makes the app issue, collected as it runs rather than listed by hand, and a statement
only one engine accepts fails the test that made the app issue it.

Statements written by tests themselves (a PRAGMA in a SQLite-only test) are not checked:
the frame that called `execute` decides.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from pathlib import Path

import psycopg
from psycopg.pq import ExecStatus

from core.store_base import count_placeholders, sql_pieces
from core.store_sqlite import SqliteStore

ROOT = Path(__file__).resolve().parent.parent
APP_CODE = tuple(str(ROOT / part) for part in ("core", "ui", "views", "web", "app.py"))
PLUMBING = tuple(
    str(ROOT / "core" / name) for name in ("store_base.py", "store_sqlite.py", "store_pg.py")
) + (__file__, "contextlib")


def numbered_placeholders(sql: str) -> str:
    """`?` placeholders as PostgreSQL's own `$1, $2, …` (quotes and comments left alone)."""
    out, number = [], 0
    for kind, text in sql_pieces(sql):
        if kind == "code":
            pieces = text.split("?")
            text = pieces[0]
            for piece in pieces[1:]:
                number += 1
                text += f"${number}{piece}"
        out.append(text)
    return "".join(out)


def issued_by_app_code() -> bool:
    """True when the nearest caller outside the store's own plumbing is app code."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(PLUMBING) and "contextlib" not in filename:
            return filename.startswith(APP_CODE)
        frame = frame.f_back
    return False


class StatementChecker:
    def __init__(self, postgres_url: str | None) -> None:
        self._sqlite = SqliteStore(":memory:").conn
        self._postgres = psycopg.connect(postgres_url, autocommit=True) if postgres_url else None
        self._lock = threading.Lock()
        self._verdicts: dict[tuple[str, str], str | None] = {}
        self.failures: list[str] = []
        self.checked = 0

    def close(self) -> None:
        self._sqlite.close()
        if self._postgres is not None:
            self._postgres.close()

    def __call__(self, engine: str, sql: str) -> None:
        if not issued_by_app_code():
            return
        other = "postgresql" if engine == "sqlite" else "sqlite"
        with self._lock:
            key = (other, sql)
            if key not in self._verdicts:
                self._verdicts[key] = self.problem(other, sql)
                self.checked += 1
            problem = self._verdicts[key]
            if problem is not None:
                self.failures.append(f"ran on {engine} but not on {other}: {problem}\n  {sql}")

    def problem(self, engine: str, sql: str) -> str | None:
        """Why `engine` refuses `sql`, or None when it accepts it."""
        if engine == "sqlite":
            try:
                self._sqlite.execute(f"EXPLAIN {sql}", [None] * count_placeholders(sql))
            except sqlite3.Error as exc:
                return str(exc)
            return None
        if self._postgres is None:
            return None  # no PostgreSQL on this machine: the postgres tests skip too
        result = self._postgres.pgconn.prepare(b"", numbered_placeholders(sql).encode())
        if result.status != ExecStatus.COMMAND_OK:
            return result.error_message.decode(errors="replace").strip()
        return None
