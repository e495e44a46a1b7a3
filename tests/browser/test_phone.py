"""On a phone (390 × 844): rating buttons that don't wrap 3 + 2, targets of 44 px, draft
boxes that show the whole message, a visible "Copy message" button, and the menu."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.consent import STORE_ANSWERS
from core.questionnaire import FIELDS_BY_KEY, STEPS_BY_KEY

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NEXT = re.compile(r"^\s*(arrow_forward\s*)?Next\b")


@pytest.fixture
def phone(browser, st_ui):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(30_000)
    context.add_init_script(st_ui.scripts.tracker)
    page = context.new_page()
    st_ui.watch(page)
    yield page
    context.close()


def _start_and_open_step_one(phone, live_server, st_ui):
    st_ui.open(phone, live_server.url + "/")
    st_ui.tick(phone, STORE_ANSWERS.text)
    st_ui.click(phone, "Start my reflection")
    st_ui.resume_code(phone)
    st_ui.click(phone, NEXT)
    main = st_ui.main(phone)
    expect(main.locator("h1").first).to_contain_text(STEPS_BY_KEY["feedback"].title)
    st_ui.wait(phone)
    return main


def test_ratings_drafts_and_copy_on_a_phone(phone, live_server, st_ui):
    main = _start_and_open_step_one(phone, live_server, st_ui)

    group = st_ui.rating_group(phone, FIELDS_BY_KEY["takes_criticism"].label)
    expect(group.get_by_role("radio")).to_have_count(5)
    group.scroll_into_view_if_needed()
    boxes = [b.bounding_box() for b in group.get_by_role("radio").all()]
    assert all(box["height"] >= 44 for box in boxes), [b["height"] for b in boxes]
    tops = [round(box["y"]) for box in boxes]
    one_row = len(set(tops)) == 1
    stacked = tops == sorted(tops) and len(set(tops)) == 5
    assert one_row or stacked, tops  # never 3 + 2

    # The draft box shows the whole message, signature included, without an inner scroll.
    box = main.locator("textarea").first
    expect(box).to_have_value(re.compile(r"\[Your name\]$"))
    sizes = box.evaluate("e => [e.scrollHeight, e.clientHeight]")
    assert sizes[0] <= sizes[1] + 2, sizes

    copy = phone.frame_locator("iframe").first.get_by_role(
        "button", name=re.compile("Copy message")
    )
    expect(copy).to_be_visible()
    box_height = copy.bounding_box()["height"]
    assert box_height >= 44
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy.click()
    frame = phone.frame_locator("iframe").first
    expect(frame.get_by_role("status")).to_contain_text("Copied")
    copied = phone.evaluate("navigator.clipboard.readText()")
    assert copied == box.input_value()
    assert phone.console_errors == []


def test_the_menu_closes_after_choosing_a_page_on_a_phone(phone, live_server, st_ui):
    _start_and_open_step_one(phone, live_server, st_ui)
    sidebar = phone.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    phone.locator('[data-testid="stExpandSidebarButton"]').click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    st_ui.nav(phone, "My plan")
    expect(st_ui.main(phone).locator("h1").first).to_contain_text("My plan")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
