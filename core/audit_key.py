"""The key of the audit log's keyed hashes, kept outside the database it protects.

An unknown username typed at the login (often a password typed in the wrong box) is
written down as a keyed hash (`core.password_login.anonymous_actor`), and login
throttling keys each client by one. Someone holding a copy of the database but not
this key cannot test guesses against those hashes.

Where the key comes from, first found wins:
1. `BOUNCE_BACK_AUDIT_KEY`: the key itself (64 hex digits), for installs whose
   processes share no disk (several machines on one PostgreSQL database).
2. The file named by `BOUNCE_BACK_AUDIT_KEY_FILE`, by default `audit.key` beside the
   SQLite database (for PostgreSQL, in the app's `data/` folder). `bounce-back init`
   and the first start make it (mode 0600) when it is missing.

Installs from before kept the key in the database (`install_secrets`): the first start
or `init` moves it into the file, deletes it from the database and says so.
"""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

from core.settings import ROOT, Settings
from core.store import Store

KEY_BYTES = 32
KEY_FILE_NAME = "audit.key"
# Where the key file goes for a PostgreSQL database, which has no file to sit beside.
POSTGRES_KEY_FOLDER = ROOT / "data"
MOVED = "Moved the audit log's key out of the database into {path} (keep it with your backups)."
KEPT_DIFFERENT = (
    "The audit log's key in the setting or key file differs from the one still in the "
    "database; the database's copy was left where it is so older audit entries can be "
    "linked with it. Put that key in the setting (or file) to use it, or delete the "
    "install_secrets row once you no longer need it."
)
CREATED = "Created the audit log's key at {path} (keep it with your backups)."

_cache: dict[tuple[str, str, str], bytes] = {}
_lock = threading.Lock()


def key_file(settings: Settings, db_path: str | Path | None = None) -> Path:
    """The file that holds the key for the database at `db_path` (default: the setting)."""
    if settings.audit_key_file:
        return Path(settings.audit_key_file).expanduser()
    where = str(db_path if db_path is not None else settings.db_path)
    if "://" in where:  # PostgreSQL: no file of its own to sit beside
        return POSTGRES_KEY_FOLDER / KEY_FILE_NAME
    return Path(where).expanduser().resolve().parent / KEY_FILE_NAME


def _from_setting(settings: Settings) -> bytes | None:
    text = settings.audit_key.strip()
    if not text:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise ValueError("BOUNCE_BACK_AUDIT_KEY must be at least 32 hex digits")
    return key


def _write_new(path: Path, key: bytes) -> bytes:
    """Write `key` to a new 0600 file; if another process won the race, theirs counts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(handle, "w") as out:
        out.write(key.hex() + "\n")
    return key


def _read(path: Path) -> bytes:
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < 16:
        raise ValueError(f"The audit key file {path} holds no usable key")
    return key


def _stored_in_database(store: Store) -> bytes | None:
    with store.read() as conn:
        row = conn.execute("SELECT audit_key FROM install_secrets WHERE id = 1").fetchone()
    return bytes.fromhex(row["audit_key"]) if row else None


def ensure(
    settings: Settings, store: Store, db_path: str | Path | None = None
) -> tuple[bytes, str]:
    """The key, made or moved out of the database if needed: (key, what was done or "")."""
    said = ""
    key = _from_setting(settings)
    path = key_file(settings, db_path)
    in_database = _stored_in_database(store)
    if key is None:
        if path.exists():
            key = _read(path)
        elif in_database is not None:
            key = _write_new(path, in_database)
            said = MOVED.format(path=path)
        else:
            key = _write_new(path, secrets.token_bytes(KEY_BYTES))
            said = CREATED.format(path=path)
    if in_database is not None:
        if in_database != key:
            # Never throw a key away: entries hashed with it could not be linked again.
            return key, KEPT_DIFFERENT
        with store.write() as conn:
            conn.execute("DELETE FROM install_secrets WHERE id = 1")
        store.after_erasure(("install_secrets",))  # no readable copy left behind
        said = said or MOVED.format(path="the setting or key file")
    return key, said


def audit_key(settings: Settings, store: Store) -> bytes:
    """The key for this store, read once per process (made or moved when missing).

    The default file is found from where the store really is, not from the setting."""
    cache_key = (str(store.path), settings.audit_key, settings.audit_key_file)
    with _lock:
        key = _cache.get(cache_key)
        if key is None:
            key = _cache[cache_key] = ensure(settings, store, store.path)[0]
        return key
