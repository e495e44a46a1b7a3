"""The first visitor after a server (re)start may arrive on any page, not just the root.

Bookmarks and shared links point at /staff or /plan. Streamlit treats the first session
of a process differently when a `pages/` folder sits beside the entry script (see
DEVELOPERS.md), so each case here gets a server of its own and is its first visitor.
"""

from __future__ import annotations

import drive
import pytest
from playwright.sync_api import expect

from core.questionnaire import STEPS_BY_KEY

pytestmark = pytest.mark.browser

CASES = [
    ("staff", "Staff login"),
    ("plan", "My plan"),
    ("feedback", STEPS_BY_KEY["feedback"].title),
]


@pytest.mark.parametrize(("path", "heading"), CASES, ids=[path for path, _ in CASES])
def test_first_visitor_of_a_fresh_server_lands_on_the_page_they_asked_for(
    page, fresh_server, path, heading
):
    drive.open_app(page, f"{fresh_server.url}/{path}")
    assert page.locator('[data-testid="stDialog"]').count() == 0, page.locator(
        '[data-testid="stDialog"]'
    ).all_inner_texts()
    main = drive.main_area(page)
    assert main.locator('[data-testid="stException"]').count() == 0, main.inner_text()
    expect(main.locator("h1").first).to_contain_text(heading)
    titles = drive.nav_titles(page)
    assert not any("consultant" in t.lower() for t in titles), titles
    assert "Welcome" in titles, titles
