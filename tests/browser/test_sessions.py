"""Sessions that outlive a tab, in a real browser against `streamlit run`.

A candidate who consented is remembered by this browser (and only this one); a
consultant's login survives reloads and extra tabs until the server ends it.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import urllib.request
from urllib.parse import urlsplit

import drive
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from core import accounts, devices, journey, session_tokens, staff_sessions
from core.consent import STORE_ANSWERS
from core.limits import UNLIMITED
from core.questionnaire import FIELDS_BY_KEY, STEPS_BY_KEY

pytestmark = pytest.mark.browser

ENTRY = "/?utm_source=blog&utm_campaign=job-rejection"
USERNAME = "robin"
PASSWORD = "harbour lights at dusk"
COMPANY = "Northwind Analytics"
FEEDBACK = "They wanted more stakeholder stories."


def label(key: str) -> str:
    return FIELDS_BY_KEY[key].label


def option(key: str, value: str) -> str:
    return dict(FIELDS_BY_KEY[key].options)[value]


def start(page, url: str) -> str:
    drive.open_app(page, url)
    drive.tick(page, STORE_ANSWERS.text)
    drive.click_button(page, "Start my reflection")
    code = drive.resume_code(page)
    drive.wait_for_cookie(page.context, devices.DEVICE_COOKIE)
    return code


def device_rows(live_server) -> list[dict]:
    with live_server.store().read() as conn:
        return [dict(r) for r in conn.execute("SELECT * FROM device_tokens ORDER BY id")]


def fresh_start_shown(page) -> None:
    main = drive.main_area(page)
    expect(main.get_by_label(STORE_ANSWERS.text, exact=True)).to_be_visible()
    assert "Welcome back" not in main.inner_text()


# ------------------------------------------------------------------ candidate


def test_reload_mid_step_keeps_the_page_and_every_answer(page, live_server):
    start(page, live_server.url + ENTRY)
    drive.fill_text(page, label("company"), COMPANY)
    drive.go_to_page(page, f"1. {STEPS_BY_KEY['feedback'].title}")
    drive.choose(page, label("feedback_status"), option("feedback_status", "received"))
    drive.fill_text(page, label("feedback_received"), FEEDBACK)

    cookie = drive.wait_for_cookie(page.context, devices.DEVICE_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.reload()
    drive.wait_for_app(page, since={"started": 0, "sent": 0})
    main = drive.main_area(page)
    assert urlsplit(page.url).path == "/feedback"
    expect(main.locator("h1").first).to_contain_text(STEPS_BY_KEY["feedback"].title)
    expect(main.get_by_role("combobox", name=label("feedback_status"), exact=True)).to_have_value(
        option("feedback_status", "received")
    )
    expect(main.get_by_label(label("feedback_received"), exact=True)).to_have_value(FEEDBACK)
    assert "Start on the Welcome page first" not in main.inner_text()
    drive.go_to_page(page, "Welcome")
    expect(main.get_by_label(label("company"), exact=True)).to_have_value(COMPANY)
    assert page.console_errors == []
    # Only the hash is stored, and the token never reaches the server's log.
    assert cookie["value"] not in str(device_rows(live_server))
    assert cookie["value"] not in live_server.log()


def test_closing_the_tab_and_reopening_the_link_brings_it_back(page, live_server):
    start(page, live_server.url + ENTRY)
    drive.fill_text(page, label("company"), COMPANY)
    context = page.context
    page.close()

    again = context.new_page()
    drive.watch_page(again)
    drive.open_app(again, live_server.url + ENTRY)
    main = drive.main_area(again)
    expect(main).to_contain_text("Welcome back")
    expect(main.get_by_label(label("company"), exact=True)).to_have_value(COMPANY)

    # Another browser (a fresh context: no cookies) gets nothing of it.
    other = drive.new_app_context(page.context.browser)
    try:
        stranger = other.new_page()
        drive.watch_page(stranger)
        drive.open_app(stranger, live_server.url + ENTRY)
        fresh_start_shown(stranger)
        assert COMPANY not in stranger.content()
    finally:
        other.close()


def test_forget_this_browser(page, live_server):
    start(page, live_server.url + ENTRY)
    before = len(device_rows(live_server))
    drive.click_button(page, "Forget this browser")
    expect(drive.main_area(page)).to_contain_text("This browser has forgotten you")
    drive.wait_for_cookie(page.context, devices.DEVICE_COOKIE, present=False)
    assert device_rows(live_server)[before - 1]["revoked_at"]
    page.reload()
    drive.wait_for_app(page, since={"started": 0, "sent": 0})
    fresh_start_shown(page)


def test_deleting_my_data_revokes_the_browser(page, live_server):
    start(page, live_server.url + ENTRY)
    cookie = drive.wait_for_cookie(page.context, devices.DEVICE_COOKIE)
    drive.go_to_page(page, "My plan")
    drive.click_button(page, "Delete my data")
    drive.click_button(page, "Yes, delete everything")
    expect(drive.main_area(page)).to_contain_text("have been deleted")
    assert devices.check_device(live_server.store(), cookie["value"], touch=False) == "unknown"
    page.reload()
    drive.wait_for_app(page, since={"started": 0, "sent": 0})
    assert "Welcome back" not in drive.main_area(page).inner_text()


def test_an_expired_browser_gets_a_fresh_start_and_one_line_why(page, live_server):
    start(page, live_server.url + ENTRY)
    cookie = drive.wait_for_cookie(page.context, devices.DEVICE_COOKIE)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=devices.DEVICE_IDLE_DAYS + 1)
    with live_server.store().write() as conn:
        conn.execute(
            "UPDATE device_tokens SET last_used_at = ? WHERE token_hash = ?",
            (long_ago.isoformat(timespec="seconds"), session_tokens.hash_secret(cookie["value"])),
        )
    page.reload()
    drive.wait_for_app(page, since={"started": 0, "sent": 0})
    main = drive.main_area(page)
    expect(main).to_contain_text("no longer remembers your reflection")
    fresh_start_shown(page)


def test_a_forged_cookie_gets_a_fresh_start(page, live_server):
    host = urlsplit(live_server.url).hostname
    page.context.add_cookies(
        [
            {
                "name": devices.DEVICE_COOKIE,
                "value": session_tokens.new_secret(),
                "domain": host,
                "path": "/",
            }
        ]
    )
    drive.open_app(page, live_server.url + "/feedback")
    main = drive.main_area(page)
    expect(main).to_contain_text("Start on the Welcome page first")
    assert main.locator('[data-testid="stException"]').count() == 0


# ------------------------------------------------------------------ consultant


@pytest.fixture(scope="module")
def robin(live_server) -> int:
    return accounts.add_consultant(live_server.store(), USERNAME, PASSWORD, display_name="Robin")


def log_in(page, live_server) -> dict:
    drive.staff_login(page, live_server.url, USERNAME, PASSWORD)
    expect(drive.main_area(page).locator("h1").first).to_contain_text("Reflections to review")
    return drive.wait_for_cookie(page.context, staff_sessions.STAFF_COOKIE)


def test_a_consultant_stays_logged_in_on_reload_and_in_a_second_tab(page, live_server, robin):
    cookie = log_in(page, live_server)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    page.reload()
    drive.wait_for_app(page, since={"started": 0, "sent": 0})
    expect(drive.main_area(page).locator("h1").first).to_contain_text("Reflections to review")

    second = page.context.new_page()
    drive.watch_page(second)
    drive.open_app(second, live_server.url + "/overview")
    expect(drive.main_area(second).locator("h1").first).not_to_contain_text("Staff login")
    assert "Please log in" not in drive.main_area(second).inner_text()
    assert second.locator('[data-testid="stSidebar"]').get_by_text("Logged in as").count() == 1


def test_logout_in_one_tab_ends_the_other_at_its_next_click(page, live_server, robin):
    log_in(page, live_server)
    second = page.context.new_page()
    drive.watch_page(second)
    drive.open_app(second, live_server.url + "/queue")
    expect(drive.main_area(second).locator("h1").first).to_contain_text("Reflections to review")

    drive.go_to_page(page, "Log out")
    drive.click_button(page, "Log out")
    expect(drive.main_area(page)).to_contain_text("You've logged out")

    # The other tab's next click is refused and shows nothing of the queue.
    drive.go_to_page(second, "Overview")
    main = drive.main_area(second)
    expect(main).to_contain_text("logged out")
    expect(main.get_by_role("link", name="Go to the staff login")).to_be_visible()


def test_opening_logout_from_elsewhere_leaves_the_consultant_logged_in(page, live_server, robin):
    log_in(page, live_server)
    # What a link or redirect on another site does: load /logout in this browser.
    drive.open_app(page, live_server.url + "/logout")
    main = drive.main_area(page)
    expect(main.get_by_role("button", name="Log out")).to_be_visible()
    with live_server.store().read() as conn:
        open_rows = conn.execute(
            "SELECT count(*) FROM consultant_sessions WHERE consultant_id = ? "
            "AND ended_at IS NULL AND token_hash IS NOT NULL",
            (robin,),
        ).fetchone()[0]
    assert open_rows >= 1
    drive.open_app(page, live_server.url + "/queue")
    expect(drive.main_area(page).locator("h1").first).to_contain_text("Reflections to review")


def test_a_disabled_consultants_open_queue_downloads_no_csv(page, live_server):
    store = live_server.store()
    accounts.add_consultant(store, "sam", PASSWORD, display_name="Sam")
    rid = journey.start(store, client=UNLIMITED).reflection_id
    journey.save_answer(store, rid, "company", COMPANY)
    journey.submit_for_review(store, rid, journey.load_answers(store, rid))
    drive.staff_login(page, live_server.url, "sam", PASSWORD)
    main = drive.main_area(page)
    expect(main.locator("h1").first).to_contain_text("Reflections to review")
    download = main.get_by_role("button", name=re.compile("Download CSV"))
    drive.scroll_to(page, download)
    expect(download).to_be_visible()

    accounts.disable_consultant(store, "sam")
    # The open tab still shows the button (its 15-second check may not have run, or a
    # client may ignore it): the click itself is refused on the server.
    with pytest.raises(PlaywrightTimeout), page.expect_download(timeout=5_000):
        download.click(timeout=1_000)
    with store.read() as conn:
        exports = conn.execute(
            "SELECT count(*) FROM audit_log WHERE actor = 'sam' AND action = 'export'"
        ).fetchone()[0]
    assert exports == 0


def test_idle_expiry_hides_the_screen_by_itself_and_holds_across_a_reload(page, live_server, robin):
    log_in(page, live_server)
    store = live_server.store()
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)
    with store.write() as conn:
        conn.execute(
            "UPDATE consultant_sessions SET last_seen_at = ? WHERE consultant_id = ? "
            "AND ended_at IS NULL",
            (long_ago.isoformat(timespec="seconds"), robin),
        )
    # No click: the page's idle check notices within its interval.
    main = drive.main_area(page)
    expect(main).to_contain_text("away for a while", timeout=45_000)
    assert "Reflections to review" not in main.inner_text()
    page.reload()
    drive.wait_for_app(page, since={"started": 0, "sent": 0})
    expect(main).to_contain_text("Please log in")
    assert "Reflections to review" not in main.inner_text()


# ------------------------------------------------------------------ server


def test_a_websocket_from_a_foreign_origin_is_refused(live_server):
    def handshake(origin: str) -> str:
        parts = urlsplit(live_server.url)
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(
                (
                    "GET /_stcore/stream HTTP/1.1\r\n"
                    f"Host: {parts.netloc}\r\n"
                    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Protocol: streamlit\r\n"
                    f"Origin: {origin}\r\n\r\n"
                ).encode()
            )
            return sock.recv(1024).decode(errors="replace").split("\r\n", 1)[0]

    assert " 101 " in handshake(live_server.url)
    assert " 101 " not in handshake("https://evil.example")


def test_security_headers_are_present(live_server):
    def headers(path: str):
        with urllib.request.urlopen(live_server.url + path, timeout=10) as response:
            return response.headers

    for path in ("/", "/feedback", "/_stcore/health", "/healthz"):
        got = headers(path)
        assert got["X-Content-Type-Options"] == "nosniff", path
        assert got["Referrer-Policy"] == "no-referrer", path
        assert got["Content-Security-Policy"] == "frame-ancestors 'self'", path
        assert got.get("Access-Control-Allow-Origin") is None, path
    for path in ("/staff", "/queue"):
        assert headers(path)["Content-Security-Policy"] == "frame-ancestors 'none'", path
    with urllib.request.urlopen(live_server.url + "/healthz", timeout=10) as response:
        assert response.status == 200 and response.read() == b"ok"
