"""A corrupt database found by the start-up check: the first visitor sees the calm
"short break" page, not Welcome and not a traceback, and the server log says why."""

from __future__ import annotations

import os

import drive
import pytest
from playwright.sync_api import expect

from ui.guard import UNAVAILABLE_TITLE

pytestmark = pytest.mark.browser


@pytest.fixture
def server_on_a_corrupt_file(tmp_path, server_runner):
    # The server checks the database as it starts, before its first visitor.
    (tmp_path / "bounce_back.db").write_bytes(os.urandom(16384))
    with server_runner(tmp_path) as server:
        yield server


def test_a_corrupt_database_shows_the_short_break_page(page, server_on_a_corrupt_file):
    fresh_server = server_on_a_corrupt_file
    drive.open_app(page, fresh_server.url)
    main = drive.main_area(page)
    expect(main.locator("h1").first).to_contain_text(UNAVAILABLE_TITLE)
    expect(main).to_contain_text("Your saved answers are safe")
    text = main.inner_text()
    assert "Start my reflection" not in text
    assert "Traceback" not in text and "not a database" not in text
    assert "DATABASE UNAVAILABLE" in fresh_server.log()
    assert "file is not a database" in fresh_server.log()
