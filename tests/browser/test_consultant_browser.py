"""A consultant logs in through the real form and opens a reflection full of attacks.

Whatever the candidate typed must arrive as text: no dialog fires, no element they
wrote into the answers exists in the DOM, and nothing is fetched from another site.
"""

from __future__ import annotations

import drive
import pytest
from playwright.sync_api import expect

from core import accounts, journey
from core.limits import UNLIMITED

pytestmark = pytest.mark.browser

USERNAME = "casey"
PASSWORD = "harbour lights at dusk"
PAYLOADS = [
    "<script>alert('script')</script>",
    "<img src=x onerror=alert('img')>",
    "[click](javascript:alert('link'))",
    "[click](&#106;avascript:alert('entity'))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](https://evil.example/pixel.png)",
    "<iframe src='https://evil.example/frame'></iframe>",
    "<style>body { display: none }</style>",
    "<svg onload=alert('svg')></svg>",
]
# Answers are capped at 4,000 characters, so the 5,000 brackets span two answers.
BRACKETS = ("[" * 4000, "[" * 1000)


@pytest.fixture(scope="module")
def seeded(live_server):
    store = live_server.store()
    accounts.add_consultant(store, USERNAME, PASSWORD, display_name="Casey")
    session = journey.start(store, {"utm_campaign": "job-rejection"}, client=UNLIMITED)
    rid = session.reflection_id
    journey.save_answer(store, rid, "company", "<img src=x onerror=alert('company')>")
    journey.save_answer(store, rid, "role", "<script>alert('role')</script>")
    journey.save_answer(store, rid, "feedback_received", "\n".join(PAYLOADS))
    journey.save_answer(store, rid, "fit_learned", BRACKETS[0])
    journey.save_answer(store, rid, "questions_next_time", BRACKETS[1])
    journey.save_answer(store, rid, "action_points", [{"point": PAYLOADS[1]}])
    journey.submit_for_review(store, rid, journey.load_answers(store, rid), asked_to_talk=True)
    return rid


def log_in(page, live_server, password=PASSWORD):
    drive.staff_login(page, live_server.url, USERNAME, password)


def test_wrong_password_shows_the_generic_message(page, live_server, seeded):
    log_in(page, live_server, password="not the right one at all")
    main = drive.main_area(page)
    main.locator('[data-testid="stAlert"]').first.wait_for()
    expect(main).to_contain_text("don't match an active account")
    assert main.get_by_label("Password", exact=True).input_value() == ""
    assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Queue").count() == 0


def test_a_consultant_gets_a_wide_workspace_of_their_own(page, live_server, seeded):
    log_in(page, live_server)
    main = drive.main_area(page)
    main.get_by_role("heading", name="Reflections to review").wait_for()
    assert drive.nav_titles(page) == ["Queue", "Reflection", "Overview", "Log out"]
    # The wide layout: wider than the centred column (46rem) on this screen.
    width = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()["width"]
    assert width > 900, width

    drive.go_to_page(page, "Overview")
    # Per week, by campaign, by band; the response times are a table and, once some
    # request has reached its target, a fourth chart (none yet: it has just arrived).
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(3)
    expect(drive.main_area(page)).to_contain_text("Response times")

    drive.go_to_page(page, "Log out")
    drive.click_button(page, "Log out")
    expect(main).to_contain_text("You've logged out")
    titles = drive.nav_titles(page)
    assert "Queue" not in titles and "Welcome" in titles


def test_consultant_opens_a_hostile_reflection_safely(page, live_server, seeded):
    log_in(page, live_server)
    main = drive.main_area(page)
    main.get_by_role("heading", name="Reflections to review").wait_for()
    assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Queue").count() == 1

    with drive.expect_rerun(page):
        main.get_by_role("button", name="Open reflection", exact=True).click()
    drive.wait_for_app(page)
    main.get_by_role("heading", name=f"Reflection #{seeded}").wait_for()

    document = page.locator(".st-key-reflection_document")
    # The container is drawn a moment before the document inside it: wait for the text.
    expect(document).to_contain_text("<script>alert('script')</script>")
    text = document.inner_text()
    assert "<script>alert('script')</script>" in text
    assert "<img src=x onerror=alert('img')>" in text
    assert "[click](javascript:alert('link'))" in text
    assert BRACKETS[0] in text and BRACKETS[1] in text

    for tag in ("script", "img", "iframe", "style", "svg", "object", "embed"):
        assert document.locator(tag).count() == 0, tag
    hrefs = document.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h and not h.startswith(("https:", "mailto:"))], hrefs
    handlers = document.locator("*").evaluate_all(
        "els => els.flatMap(e => [...e.attributes].map(a => a.name))"
        ".filter(n => n.startsWith('on') || n === 'style' || n === 'src')"
    )
    assert handlers == []
    # Nowhere on the page, not only in the document.
    assert page.locator("iframe[src*='evil.example'], img[src='x']").count() == 0

    page.wait_for_timeout(500)  # give any injected handler a chance to fire
    assert page.dialogs == []
    # Nothing the candidate wrote was fetched. (Other external requests, such as the app's
    # favicon, are the page-open tests' concern.)
    assert [u for u in page.external_requests if "evil.example" in u] == []
    assert main.locator('[data-testid="stException"]').count() == 0
