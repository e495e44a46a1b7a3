"""On a phone (390 × 844): rating buttons that don't wrap 3 + 2, targets of 44 px, draft
boxes that show the whole message, a visible "Copy message" button, and the menu."""

from __future__ import annotations

import re
from pathlib import Path

import drive
import pytest
import test_journey as journey_steps  # the same steps, driven on a phone
from playwright.sync_api import expect

from core import journey
from core.consent import CONSULTANT_REVIEW, STORE_ANSWERS
from core.questionnaire import FIELDS_BY_KEY, STEPS_BY_KEY

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NEXT = re.compile(r"^\s*(arrow_forward\s*)?Next\b")


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(30_000)
    context.add_init_script(drive.RUN_TRACKER)
    page = context.new_page()
    drive.watch_page(page)
    yield page
    context.close()


def _start_and_open_step_one(phone, live_server):
    drive.open_app(phone, live_server.url + "/")
    drive.tick(phone, STORE_ANSWERS.text)
    drive.click_button(phone, "Start my reflection")
    drive.resume_code(phone)
    drive.click_button(phone, NEXT)
    main = drive.main_area(phone)
    expect(main.locator("h1").first).to_contain_text(STEPS_BY_KEY["feedback"].title)
    drive.wait_for_app(phone)
    return main


def test_ratings_drafts_and_copy_on_a_phone(phone, live_server):
    main = _start_and_open_step_one(phone, live_server)

    group = drive.rating_group(phone, FIELDS_BY_KEY["takes_criticism"].label)
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


def test_the_menu_closes_after_choosing_a_page_on_a_phone(phone, live_server):
    _start_and_open_step_one(phone, live_server)
    sidebar = phone.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    phone.locator('[data-testid="stExpandSidebarButton"]').click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    drive.go_to_page(phone, "My plan")
    expect(drive.main_area(phone).locator("h1").first).to_contain_text("My plan")
    expect(sidebar).to_have_attribute("data-collapsed", "true")


ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PERSON = {
    "Name": "Sam Patel",
    "LinkedIn URL": "linkedin.com/in/sam-patel",
    "Connected?": "Requested",
    "Next check-in": "2026-12-03",
}
OPPORTUNITY = {
    "Company": "Contoso",
    "Role": "Data analyst",
    "Stage": "Applied",
    "CV tailored?": "Yes",
    "Next step by": "2026-12-05",
}
STAR = {
    "Question": "Tell me about a time you handled a difficult stakeholder.",
    "Situation": "A client kept changing the brief two weeks before launch.",
    "Task": "Deliver on time without losing the relationship.",
    "Action": "Set up a short weekly check-in and agreed a change cut-off.",
    "Result": "We launched on the date and the client extended the contract.",
}


def test_the_whole_journey_on_a_phone_with_cards(phone, live_server):
    """390 × 844, touch: every list is written in cards and lands in the database."""
    code = journey_steps.start(phone, live_server.url + "/")
    journey_steps.fill_welcome(phone)

    journey_steps.next_page(phone, STEPS_BY_KEY["feedback"].title)
    journey_steps.choose_key(phone, "feedback_status")
    drive.add_card(phone, "action_points", {"Action point": "Bring numbers to every answer"})
    journey_steps.rate_step(phone, "feedback")

    journey_steps.next_page(phone, STEPS_BY_KEY["connections"].title)
    drive.add_card(phone, "contacts", PERSON)
    journey_steps.rate_step(phone, "connections")

    journey_steps.next_page(phone, STEPS_BY_KEY["options"].title)
    drive.add_card(phone, "pipeline", OPPORTUNITY)
    journey_steps.rate_step(phone, "options")

    journey_steps.next_page(phone, STEPS_BY_KEY["approach"].title)
    drive.add_card(phone, "tough_questions", STAR)
    card = drive.cards_of(phone, "tough_questions").first
    card.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "step4_phone_after.png"))
    # Each STAR part is its own box, as wide as the card: nothing off the right edge.
    for part in STAR:
        box = card.get_by_label(part, exact=True).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], part
    journey_steps.rate_step(phone, "approach")

    journey_steps.next_page(phone, STEPS_BY_KEY["learning"].title)
    drive.add_card(phone, "strengths", {"Strength": "Calm, clear explanations"})
    journey_steps.rate_step(phone, "learning")

    journey_steps.next_page(phone, "My plan")
    drive.tick(phone, CONSULTANT_REVIEW.text)
    drive.click_button(phone, "Share my reflection")
    expect(drive.main_area(phone)).to_contain_text("Your reflection is shared with our consultants")
    assert phone.console_errors == []

    store = live_server.store()
    answers = journey.load_answers(store, journey.resume(store, code).reflection_id)
    assert answers["contacts"] == [
        {
            "name": "Sam Patel",
            "role": "",
            "linkedin": "https://linkedin.com/in/sam-patel",
            "connected": "requested",
            "next_check_in": "2026-12-03",
        }
    ]
    assert answers["pipeline"] == [
        {
            "company": "Contoso",
            "role": "Data analyst",
            "stage": "applied",
            "cv_tailored": "yes",
            "next_step": "2026-12-05",
        }
    ]
    assert answers["tough_questions"] == [
        {"kind": None, "ready": None, **{k.lower(): v for k, v in STAR.items()}}
    ]
    assert answers["action_points"] == [{"point": "Bring numbers to every answer", "due": None}]
    assert answers["strengths"] == [{"strength": "Calm, clear explanations"}]
    for step in ("feedback", "connections", "options", "approach", "learning"):
        for key in journey_steps.likert_keys(step):
            assert answers[key] == journey_steps.rating_for(key), key
    assert journey.reflection(store, journey.resume(store, code).reflection_id)["submitted_at"]
