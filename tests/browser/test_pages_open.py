"""Every candidate page, and the hidden staff login, opens in Chromium without errors."""

from __future__ import annotations

import drive
import pytest
from playwright.sync_api import expect

from core.consent import STORE_ANSWERS
from core.questionnaire import STEPS

pytestmark = pytest.mark.browser

# (url path, heading text expected on the page, or None where any heading will do)
PAGES = [
    ("", None),
    *((step.key, step.title) for step in STEPS),
    ("plan", "My plan"),
    ("staff", None),
]


def assert_healthy(page) -> None:
    main = page.locator('[data-testid="stMain"]')
    assert main.locator('[data-testid="stException"]').count() == 0, main.inner_text()
    assert page.console_errors == [], page.console_errors
    assert page.dialogs == [], page.dialogs


@pytest.mark.parametrize(("path", "heading"), PAGES, ids=[p or "root" for p, _ in PAGES])
def test_page_opens_for_a_new_visitor(page, live_server, path, heading):
    drive.open_app(page, f"{live_server.url}/{path}")
    assert_healthy(page)
    title = drive.main_area(page).locator("h1").first
    expect(title).to_be_visible()
    if heading:
        expect(title).to_contain_text(heading)


def test_pages_send_nothing_to_other_sites(page, live_server):
    """Candidates are promised no tracking: the browser talks only to our server."""
    for path, _ in PAGES:
        drive.open_app(page, f"{live_server.url}/{path}")
    assert page.external_requests == []


def test_every_page_opens_once_a_reflection_has_started(page, live_server):
    drive.open_app(page, live_server.url)
    drive.tick(page, STORE_ANSWERS.text)
    drive.click_button(page, "Start my reflection")
    titles = drive.nav_titles(page)
    # The hidden staff page must not be offered to candidates.
    assert not any("staff" in t.lower() for t in titles), titles
    for step in STEPS:
        assert any(step.title in t for t in titles), (step.title, titles)
    visited = []
    for title in titles:
        drive.go_to_page(page, title)
        assert_healthy(page)
        expect(drive.main_area(page).locator("h1").first).to_be_visible()
        visited.append(title)
    assert len(visited) >= 7
