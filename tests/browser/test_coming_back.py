"""Coming back after the next interview (issue 21), end to end on a real server whose
clock a test moves: two reflections a week apart, last time's improvement marked done,
"What keeps coming up" on My plan (desktop and a 390 × 844 phone, axe clean), the first
STAR answer offered on step 4 of the second reflection, and the patterns reaching a
consultant only once the candidate ticks to include them."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import drive
import pytest
from playwright.sync_api import expect
from test_accessibility import violations

from core import accounts
from core.consent import CONSULTANT_REVIEW, PATTERNS_SHARE, STORE_ANSWERS
from core.questionnaire import STEPS_BY_KEY

pytestmark = pytest.mark.browser

SHIM = Path(__file__).resolve().parent / "clock_shim"
# Pictures for the docs land with the other test artifacts; docs/screenshots holds the
# copies a person chose to publish.
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
USERNAME = "morgan"
PASSWORD = "lanterns over the quiet bay"
COMPETENCY = "Competency (a time when…)"
FIRST_STAR = {
    "Question": "Tell me about a time you disagreed with your manager.",
    "Kind of question": COMPETENCY,
    "Situation": "My manager wanted to ship a report with numbers I doubted.",
    "Task": "Get the numbers right without missing the deadline.",
    "Action": "Rechecked the source overnight and showed her the two rows that differed.",
    "Result": "We shipped on time with the corrected figures.",
}
SECOND_QUESTION = "Describe a time you changed someone's mind."
STEP_4 = f"4. {STEPS_BY_KEY['approach'].title}"


def _clock_env(moment: dt.datetime) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(SHIM), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, "BOUNCE_BACK_TEST_NOW": moment.isoformat()}


def _first_reflection(page, url: str) -> None:
    drive.open_app(page, url + "/")
    drive.tick(page, STORE_ANSWERS.text)
    drive.click_button(page, "Start my reflection")
    drive.resume_code(page)
    drive.fill_text(page, "Which company was it?", "Fabrikam")
    drive.choose(page, "How far did you get?", "Final interview")
    drive.go_to_page(page, STEP_4)
    drive.add_card(page, "tough_questions", FIRST_STAR)
    drive.add_card(page, "improvements", {"Improvement": "Practise the case study"})


# Streamlit's header and the sidebar's opener float over the page: left out of pictures.
FLOATING = (
    '[data-testid="stHeader"], [data-testid="stSidebarCollapsedControl"] '
    "{ visibility: hidden !important; }"
)


def _picture(page, section, name: str) -> None:
    """A picture of the whole of `section` for the docs, once its chart has drawn.

    The page scrolls inside Streamlit's main area, where a picture of anything taller than
    the window comes out blank past its edge: the window grows to the section's height
    for the picture (same width, so the same layout), then goes back."""
    page.add_style_tag(content=FLOATING)
    chart = section.locator(
        '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
    ).first
    chart.wait_for()
    window = page.viewport_size
    height = int(section.bounding_box()["height"])
    page.set_viewport_size(
        {"width": window["width"], "height": max(window["height"], height + 200)}
    )
    section.scroll_into_view_if_needed()
    page.wait_for_timeout(800)  # the chart lays out again at the new size
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / name))
    page.set_viewport_size(window)


def _staff_sees(browser, url: str) -> str:
    """What a consultant reads on the one reflection in the queue."""
    context = drive.new_app_context(browser)
    staff = context.new_page()
    drive.watch_page(staff)
    try:
        drive.staff_login(staff, url, USERNAME, PASSWORD)
        main = drive.main_area(staff)
        main.get_by_role("heading", name="Reflections to review").wait_for()
        drive.click_button(staff, "Open reflection")
        staff.locator(".st-key-reflection_document").wait_for()
        drive.wait_for_app(staff)
        return main.inner_text()
    finally:
        context.close()


def test_two_reflections_a_week_apart(browser, server_runner, tmp_path):
    week_one = dt.datetime.now(dt.UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    context = drive.new_app_context(browser)
    page = context.new_page()
    drive.watch_page(page)
    with server_runner(tmp_path, _clock_env(week_one)) as server:
        _first_reflection(page, server.url)

    # A week later (the server's clock moved on), the same browser comes back.
    with server_runner(tmp_path, _clock_env(week_one + dt.timedelta(days=7))) as server:
        accounts.add_consultant(server.store(), USERNAME, PASSWORD, display_name="Morgan")
        drive.open_app(page, server.url + "/")
        main = drive.main_area(page)
        expect(main).to_contain_text("Welcome back")
        drive.click_button(page, "Start a new reflection (for a new rejection)")

        since = page.locator(".st-key-since_last_time")
        expect(since).to_contain_text("Last time you planned to practise the case study")
        done = since.get_by_role("radiogroup").first.get_by_text("Done", exact=True)
        with drive.expect_rerun(page):
            done.click()
        drive.fill_text(page, "Which company was it?", "Northwind")
        drive.choose(page, "How far did you get?", "Final interview")

        # Step 4 of the second reflection offers the first one's STAR answer.
        drive.go_to_page(page, STEP_4)
        drive.add_card(
            page,
            "tough_questions",
            {
                "Question": "Describe a time you changed someone's mind.",
                "Kind of question": COMPETENCY,
            },
        )
        offer = page.locator(".st-key-bank_offer_competency")
        offer.get_by_text("earlier answer", exact=False).first.click()
        expect(offer).to_contain_text(FIRST_STAR["Action"])
        with drive.expect_rerun(page):
            offer.get_by_role("button", name="Use for question 1").click()
        drive.wait_for_app(page)
        assert drive.card_values(page, "tough_questions", "Result") == [FIRST_STAR["Result"]]

        drive.go_to_page(page, "My plan")
        section = page.locator(".st-key-keeps_coming_up")
        expect(section).to_contain_text("Both of your last two applications ended at the final")
        expect(section).to_contain_text("Competency questions")
        expect(main).to_contain_text("Done since last time")
        _picture(page, section, "keeps-coming-up-desktop.png")
        assert violations(page) == []

        # The answer bank holds both reflections' questions, and passes axe too.
        drive.go_to_page(page, "Answer bank")
        expect(main).to_contain_text(FIRST_STAR["Question"])
        expect(main).to_contain_text(SECOND_QUESTION)
        assert violations(page) == []
        drive.go_to_page(page, "My plan")

        phone_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        phone_context.set_default_timeout(drive.APP_TIMEOUT_MS)
        phone_context.add_init_script(drive.RUN_TRACKER)
        phone_context.add_cookies(context.cookies())
        phone = phone_context.new_page()
        drive.watch_page(phone)
        try:
            drive.open_app(phone, server.url + "/plan")
            phone_section = phone.locator(".st-key-keeps_coming_up")
            expect(phone_section).to_contain_text("ended at the final interview")
            _picture(phone, phone_section, "keeps-coming-up-phone.png")
            widest = phone.evaluate("() => document.documentElement.scrollWidth")
            assert widest <= PHONE["width"], widest
            assert violations(phone) == []
        finally:
            phone_context.close()

        # Shared without the tick: the consultant reads the reflection, not the patterns.
        drive.tick(page, CONSULTANT_REVIEW.text)
        expect(main.get_by_text(PATTERNS_SHARE.text)).to_be_visible()
        drive.click_button(page, "Share my reflection")
        expect(main).to_contain_text("Your reflection is shared with our consultants")
        seen = _staff_sees(browser, server.url)
        assert "Northwind" in seen
        assert "What keeps coming up" not in seen and "Keeps coming up" not in seen

        # Sent again with the tick: now they do.
        drive.tick(page, PATTERNS_SHARE.text)
        drive.click_button(page, "Send my latest answers")
        expect(main).to_contain_text("What keeps coming up across your reflections is shared")
        seen = _staff_sees(browser, server.url)
        assert "What keeps coming up" in seen
        assert "Keeps coming up: Both of their last two applications ended at the final" in seen
    context.close()
