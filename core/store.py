"""The way into the database for the rest of the app: one store per process and location.

A `postgresql://` location (BOUNCE_BACK_DATABASE_URL) opens `core/store_pg.py`, anything
else the SQLite file at that path (`core/store_sqlite.py`). Both keep the contract in
`core/store_base.py`, whose names are re-exported here: code above the store imports
`Store`, `STORE_ERRORS` and the errors from this module and never meets an engine.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from pathlib import Path

from core.settings import load_settings
from core.store_base import (
    STORE_ERRORS,
    Store,
    StoreBusy,
    StoreConflict,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreUnavailable,
    create_private_file,
    is_postgres_url,
)
from core.store_pg import PostgresStore, redact
from core.store_sqlite import SqliteStore

__all__ = [
    "STORE_ERRORS",
    "Store",
    "StoreBusy",
    "StoreConflict",
    "StoreCorrupt",
    "StoreError",
    "StoreFull",
    "StoreUnavailable",
    "create_private_file",
    "discard_store",
    "is_postgres_url",
    "make_store",
    "open_store",
    "shown_location",
]

_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def make_store(location: str | Path, *, create: bool = True) -> Store:
    """A new store: PostgreSQL for a `postgresql://` URL, else the SQLite file at the path."""
    if is_postgres_url(str(location)):
        return PostgresStore(str(location), read_timeout=load_settings().read_timeout_seconds)
    return SqliteStore(location, create=create)


def shown_location(location: str | Path) -> str:
    """The database's location for messages: a URL without its password, or the path."""
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
