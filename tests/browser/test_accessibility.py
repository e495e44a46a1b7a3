"""axe-core (WCAG 2.2 AA) over every candidate and consultant page, and no page wider than
a 360 px phone.

One exclusion, scoped to one rule pair on one element: Streamlit's own sidebar page
list (`stSidebarNavItems`) puts a wrapper between its <ul> and <li> elements, which
axe reports as `list`/`listitem`. Nothing the app draws can change that markup;
docs/accessibility.md records it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import drive
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from core import accounts, journey
from core.consent import STORE_ANSWERS
from core.limits import UNLIMITED
from core.questionnaire import STEPS

pytestmark = pytest.mark.browser

USERNAME = "avery"
PASSWORD = "quiet harbour morning tide"
NEXT = re.compile(r"^\s*(arrow_forward\s*)?Next\b")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
WCAG_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# (rule, the element it is allowed on): Streamlit's sidebar navigation list.
STREAMLIT_OWN = {
    ("list", '[data-testid="stSidebarNavItems"]'),
    ("listitem", '[data-testid="stSidebarNavItems"]'),
}
# Found by this scan in consultant views that issue 9 is reworking (not theme-level):
# allowed to remain until that lands, never to grow. (page, rule, element)
KNOWN_IN_CONSULTANT_VIEWS: set[tuple[str, str, str]] = set()
LISTS = {step.key: [f.key for f in step.fields if f.kind == "table"] for step in STEPS}

axe = Axe()

# How far right anything on the page reaches: the page itself, and every visible
# element in the main area (a grid that scrolls inside itself reaches past the edge).
WIDEST_JS = """
() => {
  let widest = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) widest = Math.max(widest, Math.ceil(box.right));
  }
  return widest;
}
"""


def _inside(page, selector: str, target: str) -> bool:
    return page.evaluate(
        "([outer, inner]) => { const el = document.querySelector(inner);"
        " return !!el && !!el.closest(outer); }",
        [selector, target],
    )


EXCLUDED: list[dict] = []  # what the scoped exclusion let through, kept in the record


def violations(page) -> list[dict]:
    """axe's violations, each node checked against the one scoped exclusion."""
    result = axe.run(page, options=WCAG_AA).response
    found = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            target = node["target"][0]
            allowed = any(
                rule == violation["id"] and _inside(page, scope, target)
                for rule, scope in STREAMLIT_OWN
            )
            entry = {
                "rule": violation["id"],
                "target": target,
                "summary": node.get("failureSummary", "")[:300],
            }
            (EXCLUDED if allowed else found).append(entry)
    return found


@pytest.fixture(scope="module")
def shared_reflection(live_server):
    store = live_server.store()
    accounts.add_consultant(store, USERNAME, PASSWORD, display_name="Avery")
    session = journey.start(store, {"utm_campaign": "job-rejection"}, client=UNLIMITED)
    rid = session.reflection_id
    for key, value in {
        "company": "Fabrikam",
        "role": "Product analyst",
        "stage_reached": "final_interview",
        "feedback_status": "received",
        "contacts": [{"name": "Sam Patel", "linkedin": "https://linkedin.com/in/sam"}],
        "pipeline": [{"company": "Contoso", "cv_tailored": "no"}],
        "tough_questions": [{"question": "Why us?", "action": "Named two projects"}],
        "not_good_enough": 5,
        "giving_up": 4,
    }.items():
        journey.save_answer(store, rid, key, value)
    journey.submit_for_review(store, rid, journey.load_answers(store, rid), asked_to_talk=True)
    return rid


def _record(found: dict[str, list[dict]]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    record = {"violations": found, "excluded_streamlit_nav": EXCLUDED}
    (ARTIFACTS / "axe_violations.json").write_text(json.dumps(record, indent=2))


def _next(page) -> None:
    with drive.expect_rerun(page):
        drive.main_area(page).get_by_role("button", name=NEXT).click()
    drive.wait_for_app(page)
    drive.wait_for_app(page)


def _add_a_card_to_each_list(page, step_key: str) -> None:
    # Scan the cards themselves, not only their "Add" buttons.
    for key in LISTS[step_key]:
        button = drive.main_area(page).locator(f".st-key-add_{key} button")
        if button.count() and button.is_visible():
            with drive.expect_rerun(page):
                button.click()


def test_every_page_has_no_axe_violations(page, browser, live_server, shared_reflection):
    found: dict[str, list[dict]] = {}
    drive.open_app(page, live_server.url + "/")
    found["Welcome"] = violations(page)
    drive.tick(page, STORE_ANSWERS.text)
    drive.click_button(page, "Start my reflection")
    drive.resume_code(page)
    found["Welcome, started"] = violations(page)
    for step in STEPS:
        _next(page)
        expect(drive.main_area(page).locator("h1").first).to_contain_text(step.title)
        _add_a_card_to_each_list(page, step.key)
        found[f"Step {step.number}"] = violations(page)
    _next(page)
    expect(drive.main_area(page).locator("h1").first).to_contain_text("My plan")
    found["My plan"] = violations(page)
    drive.open_app(page, live_server.url + "/answer-bank")
    expect(drive.main_area(page).locator("h1").first).to_contain_text("Answer bank")
    found["Answer bank"] = violations(page)

    staff = drive.new_app_context(browser).new_page()
    drive.watch_page(staff)
    drive.open_app(staff, live_server.url + "/staff")
    found["Staff login"] = violations(staff)
    drive.staff_login(staff, live_server.url, USERNAME, PASSWORD)
    main = drive.main_area(staff)
    main.get_by_role("heading", name="Reflections to review").wait_for()
    found["Consultant queue"] = violations(staff)
    with drive.expect_rerun(staff):
        main.get_by_role("button", name="Open reflection", exact=True).first.click()
    drive.wait_for_app(staff)
    main.get_by_role("heading", name=f"Reflection #{shared_reflection}").wait_for()
    found["Consultant detail"] = violations(staff)
    overview = staff.locator('[data-testid="stSidebarNavLink"]').filter(
        has_text=re.compile("Overview")
    )
    if overview.count():
        with drive.expect_rerun(staff):
            overview.first.click()
        drive.wait_for_app(staff)
        drive.wait_for_app(staff)
        found["Consultant overview"] = violations(staff)
    staff.context.close()

    _record(found)
    counts = {name: len(nodes) for name, nodes in found.items()}
    print("axe violation nodes per page:", counts)
    unexpected = {
        name: [
            node
            for node in nodes
            if (name, node["rule"], node["target"]) not in KNOWN_IN_CONSULTANT_VIEWS
        ]
        for name, nodes in found.items()
    }
    assert not any(unexpected.values()), json.dumps(unexpected, indent=1)


def test_no_candidate_page_scrolls_sideways_at_360_px(browser, live_server, shared_reflection):
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    context.add_init_script(drive.RUN_TRACKER)
    phone = context.new_page()
    drive.watch_page(phone)
    wide: dict[str, int] = {}

    def check(name: str) -> None:
        width = phone.evaluate(WIDEST_JS)
        if width > 360:
            wide[name] = width

    try:
        drive.open_app(phone, live_server.url + "/")
        drive.tick(phone, STORE_ANSWERS.text)
        drive.click_button(phone, "Start my reflection")
        drive.resume_code(phone)
        check("Welcome")
        for step in STEPS:
            _next(phone)
            expect(drive.main_area(phone).locator("h1").first).to_contain_text(step.title)
            _add_a_card_to_each_list(phone, step.key)
            check(f"Step {step.number}")
        _next(phone)
        expect(drive.main_area(phone).locator("h1").first).to_contain_text("My plan")
        check("My plan")
        drive.open_app(phone, live_server.url + "/answer-bank")
        expect(drive.main_area(phone).locator("h1").first).to_contain_text("Answer bank")
        check("Answer bank")
        # The staff login only: the queue's table is being reworked with the consultant
        # workspace (issue 9), and reaches past a phone's edge inside its own scroller.
        drive.open_app(phone, live_server.url + "/staff")
        drive.main_area(phone).get_by_label("Username", exact=True).wait_for()
        check("Staff login")
    finally:
        context.close()
    assert wide == {}, wide
