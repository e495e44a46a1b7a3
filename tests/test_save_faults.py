"""AppTest with real database faults: the text stays, the page says so, and it is saved
once the fault clears. No fault here is simulated: another process holds SQLite's write
lock, the file is made immutable, the disk (a small tmpfs) fills up, the file is
overwritten with garbage.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
from pathlib import Path

import pytest
from sqlite_faults import write_lock_in_another_process
from streamlit.testing.v1 import AppTest

from core import health, journey, store_base
from core import store as store_module
from core.limits import UNLIMITED
from core.store_sqlite import SqliteStore
from ui.contact_offer import SEND_FAILED, WRITE_FAILED
from ui.fields import START_FAILED
from ui.guard import ERROR_TEXT, UNAVAILABLE_TITLE
from ui.saving import SAVE_FAILED

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LEARNING = "views/step5_learning.py"


@pytest.fixture(autouse=True)
def short_write_wait(monkeypatch):
    # A real save keeps trying for seconds; a test needs only to see that it gave up.
    monkeypatch.setattr(store_base, "WRITE_WAIT_SECONDS", 0.3)


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def started(path: Path) -> tuple[AppTest, journey.Session]:
    """A candidate who has started, looking at Welcome."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.checkbox(key="consent_store").check().run()
    [b for b in at.button if b.label == "Start my reflection"][0].click().run()
    assert not at.exception
    return at, at.session_state["candidate"]


def saved(path: Path, session: journey.Session) -> dict:
    return journey.load_answers(store_module.open_store(path), session.reflection_id)


@contextlib.contextmanager
def immutable(*paths: Path):
    """The files cannot be written, even by root (ext4's immutable flag)."""
    try:
        subprocess.run(["chattr", "+i", *map(str, paths)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot make files immutable here (chattr needs root on ext4): {exc}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def test_a_locked_database_keeps_the_text_and_saves_it_once_free(db_path):
    at, session = started(db_path)
    with write_lock_in_another_process(db_path):
        at.text_input(key="answer_company").input("Acme Ltd").run()
        assert not at.exception
        assert SAVE_FAILED in texts(at.error)
        assert at.text_input(key="answer_company").value == "Acme Ltd"
        assert "company" not in saved(db_path, session)
        # Another click while still locked: still kept, still said.
        at.text_input(key="answer_role").input("Analyst").run()
        assert SAVE_FAILED in texts(at.error)
    at.run()  # the next interaction, once the lock is gone
    assert SAVE_FAILED not in texts(at.error)
    assert saved(db_path, session) == {"company": "Acme Ltd", "role": "Analyst"}
    assert at.text_input(key="answer_company").value == "Acme Ltd"


def test_pending_text_is_still_on_screen_after_leaving_the_page(db_path):
    at, session = started(db_path)
    at.switch_page(LEARNING).run()
    with write_lock_in_another_process(db_path):
        at.text_area(key="answer_fit_learned").input("They wanted SQL depth").run()
        assert SAVE_FAILED in texts(at.error)
        at.switch_page("views/welcome.py").run()
        at.switch_page(LEARNING).run()
        assert at.text_area(key="answer_fit_learned").value == "They wanted SQL depth"
        assert SAVE_FAILED in texts(at.error)
    at.switch_page("views/welcome.py").run()  # saved at the start of this run
    assert saved(db_path, session)["fit_learned"] == "They wanted SQL depth"


def test_a_card_edit_under_a_lock_is_kept_and_saved_later(db_path):
    at, session = started(db_path)
    at.switch_page(LEARNING).run()
    with write_lock_in_another_process(db_path):
        at.button(key="add_strengths").click().run()
        box = "card_strengths_0_strength"
        at.text_area(key=box).input("Calm under pressure").run()
        assert not at.exception
        assert SAVE_FAILED in texts(at.error)
        assert at.text_area(key=box).value == "Calm under pressure"
        assert "strengths" not in saved(db_path, session)
    at.run()
    assert SAVE_FAILED not in texts(at.error)
    assert saved(db_path, session)["strengths"][0]["strength"] == "Calm under pressure"
    assert at.text_area(key="card_strengths_0_strength").value == "Calm under pressure"


def test_an_unwritable_file_keeps_the_text_and_saves_it_once_writable(db_path):
    at, session = started(db_path)
    wal = Path(f"{db_path}-wal")
    with immutable(db_path, wal):
        at.text_input(key="answer_company").input("Zoë & Co").run()
        assert not at.exception
        assert SAVE_FAILED in texts(at.error)
        assert at.text_input(key="answer_company").value == "Zoë & Co"
    at.run()
    assert SAVE_FAILED not in texts(at.error)
    assert saved(db_path, session)["company"] == "Zoë & Co"


@pytest.fixture
def small_disk(tmp_path, monkeypatch):
    """A 1 MiB tmpfs holding the database; skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {result.stderr.strip()}")
    path = mount / "bounce_back.db"
    monkeypatch.setenv("BOUNCE_BACK_DB_PATH", str(path))
    try:
        yield path
    finally:
        store = store_module._stores.pop(str(path), None)
        if store is not None:
            store.close()
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass  # the disk is full
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_keeps_the_text_and_saves_it_once_there_is_room(small_disk):
    at, session = started(small_disk)
    at.switch_page(LEARNING).run()
    text = "What I learned: " + "practise the case study out loud. " * 40
    filler = fill(small_disk.parent)
    at.text_area(key="answer_fit_learned").input(text).run()
    assert not at.exception
    assert SAVE_FAILED in texts(at.error)
    assert at.text_area(key="answer_fit_learned").value == text
    filler.unlink()
    at.run()
    assert SAVE_FAILED not in texts(at.error)
    assert saved(small_disk, session)["fit_learned"] == text


def test_start_under_a_lock_says_so_and_works_on_the_next_press(db_path):
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.checkbox(key="consent_store").check().run()
    with write_lock_in_another_process(db_path):
        [b for b in at.button if b.label == "Start my reflection"][0].click().run()
        assert not at.exception
        assert START_FAILED in texts(at.error)
        assert "candidate" not in at.session_state
    [b for b in at.button if b.label == "Start my reflection"][0].click().run()
    assert at.session_state["candidate"] is not None
    assert "You're all set" in texts(at.success)


@pytest.mark.parametrize("damage", ["random bytes", "truncated"])
def test_a_corrupt_database_shows_the_unavailable_page_until_repaired(db_path, monkeypatch, damage):
    good = SqliteStore(db_path)
    journey.start(good, client=UNLIMITED)
    good.close()
    original = db_path.read_bytes()
    if damage == "random bytes":
        db_path.write_bytes(os.urandom(len(original)))
    else:
        db_path.write_bytes(original[:1000])
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == UNAVAILABLE_TITLE
    assert "Your saved answers are safe" in texts(at.info)
    assert not [b for b in at.button if b.label == "Start my reflection"]
    # The admin restores the file: the app recovers without a restart.
    db_path.write_bytes(original)
    monkeypatch.setattr(health, "RECHECK_SECONDS", 0.0)
    at.run()
    assert at.title[0].value != UNAVAILABLE_TITLE
    assert [b for b in at.button if b.label == "Start my reflection"]


def test_an_unexpected_error_shows_a_plain_apology_and_logs_no_candidate_text(
    db_path, monkeypatch, caplog
):
    at, _ = started(db_path)

    def broken(*args, **kwargs):
        raise RuntimeError("Acme Ltd turned me down")  # a message quoting candidate text

    monkeypatch.setattr("core.codes.resume_link", broken)
    with caplog.at_level(logging.ERROR, logger="ui.guard"):
        at.run()
    assert not at.exception
    assert ERROR_TEXT in texts(at.error)
    logged = caplog.text
    assert "RuntimeError" in logged and "welcome.py" in logged
    assert "Acme" not in logged


def test_a_contact_request_under_a_lock_says_so_and_keeps_the_form(db_path):
    """A refused send says so under the form, which keeps what was typed; sending again
    once the database is free stores the request once."""
    at, session = started(db_path)
    at.switch_page("views/plan.py").run()
    at.text_input(key="contact_name").input("Zoë")
    at.text_input(key="contact_email").input("zoe@example.com")
    at.selectbox(key="contact_channel").set_value("email")
    at.text_area(key="contact_message").input("Evenings, please 🙂")
    at.checkbox(key="contact_consent").check()
    with write_lock_in_another_process(db_path):
        at.button(key="contact_submit").click().run()
        assert not at.exception
        assert SEND_FAILED in texts(at.error)
    assert at.text_area(key="contact_message").value == "Evenings, please 🙂"
    at.button(key="contact_submit").click().run()
    assert not at.exception
    store = store_module.open_store(db_path)
    with store.read() as conn:
        rows = conn.execute(
            "SELECT COUNT(*) FROM contact_requests WHERE reflection_id = ?",
            (session.reflection_id,),
        ).fetchone()[0]
    assert rows == 1


def test_sharing_under_a_lock_says_so_and_works_when_pressed_again(db_path):
    at, session = started(db_path)
    at.switch_page("views/plan.py").run()
    at.checkbox(key="consent_review").check().run()
    with write_lock_in_another_process(db_path):
        at.button(key="submit_review").click().run()
        assert not at.exception
        assert WRITE_FAILED in texts(at.error)
    store = store_module.open_store(db_path)
    assert not journey.is_shared(journey.reflection(store, session.reflection_id))
    at.button(key="submit_review").click().run()
    assert not at.exception
    assert journey.is_shared(journey.reflection(store, session.reflection_id))
