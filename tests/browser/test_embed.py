"""The app embedded in a blog post (an iframe on another site) works and keeps the UTM source."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import drive
import pytest
from playwright.sync_api import expect

from core import devices, journey
from core.consent import STORE_ANSWERS
from core.questionnaire import FIELDS_BY_KEY, STAGES

pytestmark = pytest.mark.browser

EMBED_PAGE = Path(__file__).with_name("embed_page.html")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, server_runner):
    """The app, allowing the blog's origin to frame it (BOUNCE_BACK_FRAME_ANCESTORS)."""
    settings = {"BOUNCE_BACK_FRAME_ANCESTORS": "http://localhost:*"}
    with server_runner(tmp_path_factory.mktemp("embed_server"), settings) as server:
        yield server


@pytest.fixture(scope="module")
def blog(live_server):
    """The blog post, served from `localhost` so the app (on 127.0.0.1) is another site."""
    html = EMBED_PAGE.read_text().replace("{{APP_URL}}", live_server.url).encode()

    class BlogPage(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            if self.path.split("?")[0] not in ("/", "/blog/bounce-back"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), BlogPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}/blog/bounce-back"
    server.shutdown()
    server.server_close()


def app_frame(page):
    frame = page.locator("iframe#bounce-back").element_handle().content_frame()
    assert frame is not None, "the blog page has no app frame"
    return frame


def test_candidate_completes_welcome_inside_the_blog_iframe(page, live_server, blog):
    page.goto(blog)
    assert page.get_by_role("heading", name="How to bounce back after a job rejection").is_visible()
    frame = app_frame(page)
    drive.wait_for_app(frame, since={"started": 0, "sent": 0})
    assert "embed=true" in frame.url

    drive.tick(frame, STORE_ANSWERS.text)
    drive.click_button(frame, "Start my reflection")
    # The resume code is shown once started: the candidate needs it to come back.
    assert drive.resume_code(frame)

    final = dict(STAGES)["final_interview"]
    drive.fill_text(frame, FIELDS_BY_KEY["company"].label, "Northwind Analytics")
    drive.fill_text(frame, FIELDS_BY_KEY["role"].label, "Senior data analyst")
    drive.choose(frame, FIELDS_BY_KEY["stage_reached"].label, final)

    main = drive.main_area(frame)
    assert main.get_by_label(FIELDS_BY_KEY["company"].label, exact=True).input_value() == (
        "Northwind Analytics"
    )
    assert main.locator('[data-testid="stException"]').count() == 0
    assert page.console_errors == []
    assert page.dialogs == []

    store = live_server.store()
    with store.read() as conn:
        rows = conn.execute(
            "SELECT id, utm_source, utm_campaign, consent_store_version, consent_store_at "
            "FROM reflections"
        ).fetchall()
    assert len(rows) == 1
    row = dict(rows[0])
    assert row["utm_source"] == "blog"
    assert row["utm_campaign"] == "job-rejection"
    assert row["consent_store_version"] == STORE_ANSWERS.version
    assert row["consent_store_at"]
    answers = journey.load_answers(store, row["id"])
    assert answers["company"] == "Northwind Analytics"
    assert answers["role"] == "Senior data analyst"
    assert answers["stage_reached"] == "final_interview"


def test_a_reload_inside_the_blog_iframe_keeps_the_candidate_s_place(page, live_server, blog):
    page.goto(blog)
    frame = app_frame(page)
    drive.wait_for_app(frame, since={"started": 0, "sent": 0})
    drive.tick(frame, STORE_ANSWERS.text)
    drive.click_button(frame, "Start my reflection")
    drive.fill_text(frame, FIELDS_BY_KEY["company"].label, "Fabrikam")
    # A third-party cookie here: partitioned to the blog's site (CHIPS).
    cookie = drive.wait_for_cookie(page.context, devices.DEVICE_COOKIE)
    assert cookie["sameSite"] == "None" and cookie["secure"] and cookie["httpOnly"]

    page.reload()
    frame = app_frame(page)
    drive.wait_for_app(frame, since={"started": 0, "sent": 0})
    main = drive.main_area(frame)
    expect(main).to_contain_text("Welcome back")
    expect(main.get_by_label(FIELDS_BY_KEY["company"].label, exact=True)).to_have_value("Fabrikam")
    assert page.console_errors == []
