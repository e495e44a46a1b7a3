"""What only the PostgreSQL store does: writers in separate processes, a server that is
down at start or goes away mid-session, a bad URL. Each test that needs PostgreSQL itself
is marked `postgres` and skips (outside CI) where it is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from pg_local import LocalPostgres, bin_dir, free_port
from streamlit.testing.v1 import AppTest

from core import journey, store_pg
from core.cli import main
from core.limits import UNLIMITED
from core.store import STORE_ERRORS, StoreUnavailable, discard_store, make_store, open_store
from core.store_pg import redact

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
WRITERS = 3
ROUNDS = 25


def _nobody_listening() -> str:
    return f"postgresql://bounce:s3cret-pw@127.0.0.1:{free_port()}/bounce"


def test_redact_hides_only_the_password():
    assert (
        redact("postgresql://bb:pw@db.example:5433/bb") == "postgresql://bb:***@db.example:5433/bb"
    )
    assert redact("postgresql://bb@localhost/bb") == "postgresql://bb@localhost/bb"


def test_redact_hides_a_password_given_as_a_parameter_too():
    assert (
        redact("postgresql://bb@db/bb?password=s3cret&sslmode=require")
        == "postgresql://bb@db/bb?password=***&sslmode=require"
    )
    assert redact("host=db password=s3cret user=bb") == "host=db password=*** user=bb"


def test_backup_connects_with_every_setting_of_the_url_and_the_password_kept_off_argv(
    tmp_path, monkeypatch
):
    url = (
        "postgresql://bb:s3cret@db.example:5433/bb"
        "?sslmode=verify-full&sslrootcert=/etc/ssl/agency-ca.pem"
    )
    calls = []

    def run(command, **kwargs):
        calls.append((command, kwargs.get("env", {})))
        return SimpleNamespace(returncode=0, stderr="", stdout="")

    monkeypatch.setattr(store_pg.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(store_pg.subprocess, "run", run)
    assert store_pg.dump_database(url, tmp_path / "nightly.dump") == "ok"
    dump_command, env = calls[0]
    connection = next(arg for arg in dump_command if arg.startswith("--dbname="))
    for setting in (
        "sslmode=verify-full",
        "sslrootcert=/etc/ssl/agency-ca.pem",
        "host=db.example",
        "port=5433",
        "dbname=bb",
    ):
        assert setting in connection
    assert not any("s3cret" in arg for arg in dump_command)
    assert env["PGPASSWORD"] == "s3cret"


def test_a_server_that_is_down_at_start_is_named_without_its_password():
    url = _nobody_listening()
    with pytest.raises(StoreUnavailable) as caught:
        make_store(url)
    message = str(caught.value)
    assert "Can't reach PostgreSQL at postgresql://bounce:***@127.0.0.1:" in message
    assert "s3cret-pw" not in message


def test_a_bad_url_gets_a_clear_message():
    with pytest.raises(StoreUnavailable, match="not one PostgreSQL understands"):
        make_store("postgresql://bounce@127.0.0.1:notaport/bounce")


def test_the_cli_says_which_server_is_down_and_exits_non_zero(capsys):
    url = _nobody_listening()
    assert main(["--db", url, "stats"]) == 1
    err = capsys.readouterr().err
    assert "Can't reach PostgreSQL at postgresql://bounce:***@127.0.0.1" in err
    assert "s3cret-pw" not in err


def test_the_app_server_refuses_to_start_without_its_database(tmp_path):
    url = _nobody_listening()
    env = {**os.environ, "BOUNCE_BACK_DATABASE_URL": url}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "streamlit"),
            "run",
            APP,
            "--server.port",
            str(free_port()),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = server.communicate(timeout=120)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode != 0
    assert "Bounce Back cannot start" in output
    assert "postgresql://bounce:***@127.0.0.1" in output
    assert "s3cret-pw" not in output


_WRITER = """
import json, sys
from core.store import make_store
store = make_store(sys.argv[1])
rid, tag, rounds = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
for n in range(rounds):
    with store.write() as conn:
        # Read, then write: the classic lost update, unless writers take turns.
        row = conn.execute(
            "SELECT value FROM answers WHERE reflection_id = ? AND key = 'strengths'", (rid,)
        ).fetchone()
        items = json.loads(row["value"])
        items.append(f"{tag}-{n}")
        conn.execute(
            "UPDATE answers SET value = ? WHERE reflection_id = ? AND key = 'strengths'",
            (json.dumps(items), rid),
        )
store.close()
"""


def test_writers_in_separate_processes_lose_nothing(store):
    session = journey.start(store, client=UNLIMITED)
    with store.write() as conn:
        conn.execute(
            "INSERT INTO answers (reflection_id, key, value, updated_at) "
            "VALUES (?, 'strengths', '[]', 'now')",
            (session.reflection_id,),
        )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, store.path, str(session.reflection_id), f"w{i}"]
            + [str(ROUNDS)],
            cwd=ROOT,
        )
        for i in range(WRITERS)
    ]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    with store.read() as conn:
        value = conn.execute(
            "SELECT value FROM answers WHERE reflection_id = ? AND key = 'strengths'",
            (session.reflection_id,),
        ).fetchone()["value"]
    items = json.loads(value)
    assert sorted(items) == sorted(f"w{i}-{n}" for i in range(WRITERS) for n in range(ROUNDS))


@pytest.fixture
def own_server(monkeypatch):
    """A PostgreSQL server of this test's own, so it can be stopped and started again."""
    if bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but PostgreSQL is not installed: .ci/run installs it")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    # Durable: an immediate shutdown must not lose what was committed before it.
    server = LocalPostgres(durable=True).start()
    monkeypatch.setenv("BOUNCE_BACK_DATABASE_URL", server.url)
    try:
        yield server
    finally:
        discard_store(server.url)
        server.stop()


def _text(elements) -> str:
    return " ".join(str(e.value) for e in elements)


@pytest.mark.postgres
def test_a_server_lost_mid_session_keeps_the_text_and_saves_it_once_back(own_server):
    from ui.saving import SAVE_FAILED

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.checkbox(key="consent_store").check().run()
    [b for b in at.button if b.label == "Start my reflection"][0].click().run()
    session = at.session_state["candidate"]
    at.text_input(key="answer_company").input("Acme Ltd").run()
    assert not at.exception
    own_server.kill()  # immediate shutdown: every connection is cut
    at.text_input(key="answer_role").input("Analyst").run()
    assert not at.exception
    assert SAVE_FAILED in _text(at.error)
    assert at.text_input(key="answer_role").value == "Analyst"
    own_server.restart()
    started = time.monotonic()
    at.run()  # the next interaction, with the server back
    assert SAVE_FAILED not in _text(at.error)
    assert time.monotonic() - started < 60
    store = open_store(own_server.url)
    # Nothing half-written, nothing lost: both answers, once each.
    assert journey.load_answers(store, session.reflection_id) == {
        "company": "Acme Ltd",
        "role": "Analyst",
    }


@pytest.mark.postgres
def test_a_save_while_the_server_is_away_raises_a_store_error_and_changes_nothing(own_server):
    store = open_store(own_server.url)
    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "company", "Acme Ltd")
    own_server.kill()
    with pytest.raises(STORE_ERRORS):
        journey.save_answer(store, session.reflection_id, "company", "Other Ltd")
    own_server.restart()
    assert journey.load_answers(store, session.reflection_id) == {"company": "Acme Ltd"}
    journey.save_answer(store, session.reflection_id, "role", "Analyst")
    assert journey.load_answers(store, session.reflection_id) == {
        "company": "Acme Ltd",
        "role": "Analyst",
    }


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"])
def test_backup_uses_pg_dump_and_restores_whole(store, pg_server, tmp_path):
    from core import admin

    session = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "company", "Zoë & Co")
    target = tmp_path / "nightly.dump"
    result = admin.backup(store, target)
    assert result["path"] == str(target) and result["bytes"] > 0
    assert target.stat().st_mode & 0o777 == 0o600
    pg_server.psql("CREATE DATABASE restored")
    try:
        restored_url = pg_server.url_for("restored")
        subprocess.run(["pg_restore", f"--dbname={restored_url}", str(target)], check=True)
        restored = make_store(restored_url)
        try:
            assert journey.load_answers(restored, session.reflection_id) == {"company": "Zoë & Co"}
        finally:
            restored.close()
    finally:
        pg_server.psql("DROP DATABASE restored WITH (FORCE)")
    with pytest.raises(ValueError, match="already exists"):
        admin.backup(store, target)


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"])
def test_backup_refuses_clearly_without_pg_dump(store, tmp_path, monkeypatch):
    from core import admin

    monkeypatch.setattr(store_pg.shutil, "which", lambda name: None)
    with pytest.raises(ValueError, match="needs pg_dump .* postgresql-client"):
        admin.backup(store, tmp_path / "nightly.dump")
    assert not (tmp_path / "nightly.dump").exists()


def test_a_malformed_url_never_shows_its_password():
    with pytest.raises(StoreUnavailable) as caught:
        make_store("postgresql://bounce:pa55word@127.0.0.1:99999999/bounce")
    assert "pa55word" not in str(caught.value)
    assert "postgresql://bounce:***@127.0.0.1" in str(caught.value)
