"""The audit log's key lives outside the database it protects (issue 18, item 10):
in a 0600 file beside the database (or a setting), made by `init` or the first start,
and moved out of the database on an install from before."""

from __future__ import annotations

import hashlib
import hmac
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from core import audit_key, password_login
from core.cli import main
from core.limits import LOCAL_CLIENT
from core.settings import Settings
from core.store import open_store


def settings_for(store, **changes) -> Settings:
    return replace(Settings(db_path=str(store.path)), **changes)


def key_in_database(store) -> str | None:
    with store.read() as conn:
        row = conn.execute("SELECT audit_key FROM install_secrets WHERE id = 1").fetchone()
    return row["audit_key"] if row else None


def old_install(store, tmp_path) -> tuple[Settings, str]:
    """An install from before: its key in the database (migration 0006), no key file."""
    settings = settings_for(store, audit_key_file=str(tmp_path / "keys" / "audit.key"))
    key = key_in_database(store)
    if key is None:  # the database already lost it to another test's start
        key = "ab" * 32
        with store.write() as conn:
            conn.execute("INSERT INTO install_secrets (id, audit_key) VALUES (1, ?)", (key,))
    return settings, key


def test_the_first_start_moves_the_key_out_of_the_database_and_says_so(store, tmp_path):
    settings, old_key = old_install(store, tmp_path)
    key, said = audit_key.ensure(settings, store)
    path = Path(settings.audit_key_file)
    assert key.hex() == old_key and path.read_text().strip() == old_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert said == audit_key.MOVED.format(path=path)
    assert key_in_database(store) is None
    # The next start finds it where it is now and says nothing.
    assert audit_key.ensure(settings, store) == (key, "")


def test_unknown_names_hash_as_they_did_before_the_move(store, tmp_path):
    """The same unknown name still maps to the same audit entry across the upgrade."""
    settings, old_key = old_install(store, tmp_path)
    typed = "MyBankPin-4412"
    before = hmac.new(bytes.fromhex(old_key), typed.lower().encode(), hashlib.sha256)
    password_login.authenticate(store, typed, "pw", settings, client=LOCAL_CLIENT)
    with store.read() as conn:
        actor = conn.execute("SELECT actor FROM audit_log ORDER BY id DESC").fetchone()["actor"]
    assert actor == f"(unknown {before.hexdigest()[:12]})"
    assert key_in_database(store) is None


def test_a_new_key_file_is_made_when_there_is_none_anywhere(store, tmp_path):
    settings, _ = old_install(store, tmp_path)
    with store.write() as conn:
        conn.execute("DELETE FROM install_secrets")
    key, said = audit_key.ensure(settings, store)
    assert len(key) == audit_key.KEY_BYTES and said.startswith("Created")
    assert Path(settings.audit_key_file).read_text().strip() == key.hex()


def test_a_key_given_as_a_setting_wins_and_nothing_is_written(store, tmp_path):
    settings, _ = old_install(store, tmp_path)
    settings = replace(settings, audit_key="cd" * 32)
    key, _ = audit_key.ensure(settings, store)
    assert key == bytes.fromhex("cd" * 32)
    assert not Path(settings.audit_key_file).exists()
    # A different key in the database is not thrown away (its entries stay linkable).
    assert key_in_database(store) is not None
    with pytest.raises(ValueError, match="BOUNCE_BACK_AUDIT_KEY"):
        audit_key.ensure(replace(settings, audit_key="short"), store)


def test_the_key_file_sits_beside_the_sqlite_database_by_default(tmp_path):
    settings = Settings(db_path=str(tmp_path / "data" / "bounce_back.db"))
    assert audit_key.key_file(settings) == tmp_path / "data" / "audit.key"


def test_init_writes_the_key_file_beside_the_database(tmp_path, monkeypatch, capsys):
    for name in ("BOUNCE_BACK_DATABASE_URL", "BOUNCE_BACK_AUDIT_KEY", "BOUNCE_BACK_AUDIT_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "fresh.db"
    assert main(["--db", str(db), "init"]) == 0
    key_file = tmp_path / "audit.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert str(key_file) in capsys.readouterr().out
    assert main(["--db", str(db), "init"]) == 0  # again: nothing new to say
    assert "audit" not in capsys.readouterr().out


def test_a_different_key_in_the_database_is_kept_not_thrown_away(store, tmp_path):
    with store.write() as conn:
        conn.execute("DELETE FROM install_secrets")
        conn.execute("INSERT INTO install_secrets (id, audit_key) VALUES (1, ?)", ("bb" * 32,))
    settings = Settings(audit_key="aa" * 32, audit_key_file=str(tmp_path / "k"))
    key, said = audit_key.ensure(settings, store)
    assert key == bytes.fromhex("aa" * 32)
    assert said == audit_key.KEPT_DIFFERENT
    with store.read() as conn:
        (kept,) = conn.execute("SELECT audit_key FROM install_secrets").fetchone()
    assert kept == "bb" * 32


def test_a_fresh_install_says_it_created_the_key_not_that_it_moved_it(tmp_path):
    store = open_store(tmp_path / "fresh.db")
    settings = settings_for(store, audit_key_file=str(tmp_path / "audit.key"))
    assert key_in_database(store) is None
    key, said = audit_key.ensure(settings, store)
    assert said == audit_key.CREATED.format(path=tmp_path / "audit.key")
    assert Path(settings.audit_key_file).read_text().strip() == key.hex()
