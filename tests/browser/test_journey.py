"""A candidate's whole journey in Chromium: five steps, My plan, download, review, resume."""

from __future__ import annotations

import re

import drive
import pytest
from playwright.sync_api import expect

from core import journey
from core.consent import CONSULTANT_REVIEW, STORE_ANSWERS
from core.questionnaire import FIELDS_BY_KEY, LIKERT_LABELS, STEPS, STEPS_BY_KEY

pytestmark = pytest.mark.browser

LIKERT = dict(LIKERT_LABELS)
NEXT = re.compile(r"^\s*(arrow_forward\s*)?Next\b")
ENTRY = "/?utm_source=blog&utm_campaign=job-rejection"


def label(key: str) -> str:
    return FIELDS_BY_KEY[key].label


def option(key: str, value: str) -> str:
    return dict(FIELDS_BY_KEY[key].options)[value]


def first_input(key: str) -> str:
    """The label of the first input on each card of a list (its name, say)."""
    return FIELDS_BY_KEY[key].columns[0].label


# Realistic answers, keyed like the questionnaire; what the browser types and picks.
TEXT = {
    "company": "Northwind Analytics",
    "role": "Senior data analyst",
    "feedback_contact_name": "Sam Patel",
    "feedback_received": (
        "They liked my SQL exercise but wanted more examples of leading stakeholders. "
        "The other finalist had more experience presenting to directors."
    ),
    "fit_learned": "I want a team that ships often and a manager who gives regular feedback.",
    "questions_next_time": "What does success look like in the first six months?",
}
CHOICES = {
    "stage_reached": "final_interview",
    "news_channel": "email",
    "feedback_status": "received",
    "feedback_contact": "recruiter",
    "replied_to_rejection": "yes",
    "final_rejections_6m": "1",
}
TABLES = {
    "action_points": [["Prepare two stories about leading stakeholders"]],
    "contacts": [["Sam Patel"]],
    "pipeline": [["Contoso"]],
    "improvements": [["Practise STAR answers out loud"]],
    "strengths": [["Clear, calm explanations of technical work"]],
    "small_wins": [["Reached the final round"]],
}
TABLE_COLUMN = {
    "action_points": "point",
    "contacts": "name",
    "pipeline": "company",
    "improvements": "action",
    "strengths": "strength",
    "small_wins": "win",
}
NEWS_DATE = "2026-11-20"


def rating_for(key: str) -> int:
    # Hopeful but honest: agree with the helpful statements, disagree with the heavy ones.
    return 2 if FIELDS_BY_KEY[key].reverse else 4


def likert_keys(step_key: str) -> list[str]:
    return [f.key for f in STEPS_BY_KEY[step_key].fields if f.kind == "likert"]


def expected_answers() -> dict:
    expected: dict = {**TEXT, **CHOICES, "news_date": NEWS_DATE}
    for step in STEPS:
        for key in likert_keys(step.key):
            expected[key] = rating_for(key)
    return expected


def table_first_column(answers: dict, key: str) -> list:
    return [row.get(TABLE_COLUMN[key]) for row in answers.get(key) or []]


def start(page, url: str) -> str:
    drive.open_app(page, url)
    drive.tick(page, STORE_ANSWERS.text)
    drive.click_button(page, "Start my reflection")
    return drive.resume_code(page)


def next_page(page, expected_title: str) -> None:
    """Follow the page's Next button, as the candidate would; it must lead to the title."""
    drive.click_button(page, NEXT)
    # Changing page is two runs (the click, then the new page): wait for the second.
    expect(drive.main_area(page).locator("h1").first).to_contain_text(expected_title)
    drive.wait_for_app(page)


def fill_welcome(page) -> None:
    drive.fill_text(page, label("company"), TEXT["company"])
    drive.fill_text(page, label("role"), TEXT["role"])
    drive.choose(page, label("stage_reached"), option("stage_reached", CHOICES["stage_reached"]))
    drive.fill_date(page, label("news_date"), NEWS_DATE)
    drive.choose(page, label("news_channel"), option("news_channel", CHOICES["news_channel"]))


def rate_step(page, step_key: str) -> None:
    for key in likert_keys(step_key):
        drive.rate(page, label(key), LIKERT[rating_for(key)])


def add_rows(page, key: str) -> None:
    for row in TABLES[key]:
        drive.add_card(page, key, dict(zip([c.label for c in FIELDS_BY_KEY[key].columns], row)))


def choose_key(page, key: str) -> None:
    drive.choose(page, label(key), option(key, CHOICES[key]))


def fill_steps(page) -> None:
    next_page(page, STEPS_BY_KEY["feedback"].title)
    choose_key(page, "feedback_status")
    choose_key(page, "feedback_contact")
    drive.fill_text(page, label("feedback_contact_name"), TEXT["feedback_contact_name"])
    drive.fill_text(page, label("feedback_received"), TEXT["feedback_received"])
    add_rows(page, "action_points")
    rate_step(page, "feedback")

    next_page(page, STEPS_BY_KEY["connections"].title)
    choose_key(page, "replied_to_rejection")
    add_rows(page, "contacts")
    rate_step(page, "connections")

    next_page(page, STEPS_BY_KEY["options"].title)
    add_rows(page, "pipeline")
    rate_step(page, "options")

    next_page(page, STEPS_BY_KEY["approach"].title)
    add_rows(page, "improvements")
    rate_step(page, "approach")

    next_page(page, STEPS_BY_KEY["learning"].title)
    add_rows(page, "strengths")
    add_rows(page, "small_wins")
    drive.fill_text(page, label("fit_learned"), TEXT["fit_learned"])
    drive.fill_text(page, label("questions_next_time"), TEXT["questions_next_time"])
    rate_step(page, "learning")
    choose_key(page, "final_rejections_6m")


def only_reflection(store) -> dict:
    with store.read() as conn:
        rows = [dict(r) for r in conn.execute("SELECT * FROM reflections ORDER BY id")]
    return rows[-1]


def test_new_candidate_completes_the_journey_and_shares_it(page, live_server, tmp_path):
    code = start(page, live_server.url + ENTRY)
    assert code
    fill_welcome(page)
    fill_steps(page)

    next_page(page, "My plan")
    main = drive.main_area(page)
    score = main.locator('[data-testid="stMetric"]').first
    expect(score).to_contain_text(re.compile(r"\d+\s*/\s*100"))
    plan_screen = main.inner_text()
    # The drafts on My plan are built from what was typed on the way (greeting by first name).
    for typed in ("Hi Sam,", TEXT["company"], TEXT["role"]):
        assert typed in plan_screen, typed

    # This week: one dated checklist at the top, with the things typed on the way.
    headers = [h.strip() for h in main.locator("h2").all_inner_texts()]
    assert headers[:3] == ["This week", "What you're taking forward", "Where you are now"]
    ticks = main.locator('.st-key-this_week [data-testid="stCheckbox"]')
    week = " ".join(ticks.all_inner_texts())
    assert "Thank Sam for the feedback" in week
    for expected in (TABLES["action_points"][0][0], TABLES["improvements"][0][0], "Check in with"):
        assert expected in week, expected
    assert re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}\b", week)
    # Ticking one is saved and moves it to the bottom.
    first = ticks.first
    first_text = first.inner_text()
    with drive.expect_rerun(page):
        first.locator("label").click()
    expect(ticks.last).to_contain_text(first_text.strip().split("·")[-1].strip())

    # What they take forward: their strengths, wins, fit and questions.
    for typed in (
        TABLES["strengths"][0][0],
        TABLES["small_wins"][0][0],
        TEXT["fit_learned"],
        TEXT["questions_next_time"],
    ):
        assert typed in plan_screen, typed
    # A feeling is never listed as something that held the score back.
    assert "held it back" not in plan_screen
    # One offer of help, with its one form.
    assert "Talk to a consultant" in headers
    expect(main.get_by_role("button", name=re.compile("Send my request"))).to_be_visible()

    with page.expect_download() as download_info:
        main.get_by_role("button", name=re.compile(r"Plan \(document\)")).click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    plan_text = saved.read_text(encoding="utf-8")
    assert saved.suffix == ".md"
    for expected in (
        TEXT["company"],
        TABLES["action_points"][0][0],
        TABLES["improvements"][0][0],
        TABLES["strengths"][0][0],
        "## This week",
        "## What you're taking forward",
    ):
        assert expected in plan_text, expected
    assert not re.search(r"\\[.,()!?:;'\"/-]", plan_text)  # no stray escapes

    drive.tick(page, CONSULTANT_REVIEW.text)
    drive.click_button(page, "Share my reflection")
    expect(main).to_contain_text("Your reflection is shared with our consultants")

    assert main.locator('[data-testid="stException"]').count() == 0
    assert page.console_errors == []

    store = live_server.store()
    row = only_reflection(store)
    assert row["submitted_at"]
    assert row["consent_review_version"] == CONSULTANT_REVIEW.version
    assert row["utm_source"] == "blog"
    assert row["utm_campaign"] == "job-rejection"
    assert row["overall"] is not None
    assert f"{row['overall']:g} / 100" in plan_screen  # the score shown is the one shared
    answers = journey.load_answers(store, row["id"])
    for key, value in expected_answers().items():
        assert answers.get(key) == value, key
    for key, rows in TABLES.items():
        assert table_first_column(answers, key) == [row[0] for row in rows], key


RESUME_LINK = re.compile(r"https?://\S+[?&]resume=[0-9A-Z-]+")


def test_closing_the_tab_loses_nothing_and_the_resume_link_restores_it(page, browser, live_server):
    code = start(page, live_server.url + ENTRY)
    link = RESUME_LINK.search(drive.main_area(page).inner_text())
    assert link, "the Welcome page shows no resume link"
    assert code in link.group(0)
    fill_welcome(page)
    next_page(page, STEPS_BY_KEY["feedback"].title)
    choose_key(page, "feedback_status")
    drive.fill_text(page, label("feedback_received"), TEXT["feedback_received"])
    add_rows(page, "action_points")
    rate_step(page, "feedback")
    # Close the tab mid-journey, with no "save" step: everything must already be stored.
    page.context.close()

    context = drive.new_app_context(browser)
    try:
        again = context.new_page()
        drive.watch_page(again)
        drive.open_app(again, link.group(0))
        # A link never attaches by itself: the visitor is asked first.
        expect(drive.main_area(again)).to_contain_text(
            f"Open the reflection saved under {code[:4]}-"
        )
        assert "resume=" not in again.url  # the code has left the address bar
        drive.click_button(again, "Open")
        main = drive.main_area(again)
        # Restored values are drawn a moment after the run ends: assert with retries.
        expect(main).to_contain_text("Welcome back")
        for key in ("company", "role"):
            expect(main.get_by_label(label(key), exact=True)).to_have_value(TEXT[key])
        for key in ("stage_reached", "news_channel"):
            expect(main.get_by_role("combobox", name=label(key), exact=True)).to_have_value(
                option(key, CHOICES[key])
            )
        date = main.get_by_role("group", name=label("news_date"), exact=True)
        expect(date).to_have_text(re.compile(r"\s*-?\s*".join(NEWS_DATE.split("-"))))

        drive.go_to_page(again, f"1. {STEPS_BY_KEY['feedback'].title}")
        expect(
            main.get_by_role("combobox", name=label("feedback_status"), exact=True)
        ).to_have_value(option("feedback_status", CHOICES["feedback_status"]))
        expect(main.get_by_label(label("feedback_received"), exact=True)).to_have_value(
            TEXT["feedback_received"]
        )
        for key in likert_keys("feedback"):
            picked = drive.rating_group(again, label(key)).get_by_role(
                "radio", name=LIKERT[rating_for(key)], exact=True
            )
            expect(picked).to_have_attribute("aria-checked", "true")
        expect(drive.cards_of(again, "action_points")).to_have_count(len(TABLES["action_points"]))
        assert drive.card_values(again, "action_points", first_input("action_points")) == [
            row[0] for row in TABLES["action_points"]
        ]
        assert main.locator('[data-testid="stException"]').count() == 0
        assert again.console_errors == []
    finally:
        context.close()


def test_welcome_and_step_one_work_with_the_keyboard_alone(page, live_server):
    drive.open_app(page, live_server.url + ENTRY)
    main = drive.main_area(page)
    keyboard = page.keyboard

    consent = main.get_by_label(STORE_ANSWERS.text, exact=True)
    drive.tab_to(page, consent)
    with drive.expect_rerun(page):
        keyboard.press("Space")
    expect(consent).to_be_checked()

    drive.tab_to(page, main.get_by_role("button", name="Start my reflection"))
    with drive.expect_rerun(page):
        keyboard.press("Enter")
    code = drive.resume_code(page)

    for key in ("company", "role"):
        drive.tab_to(page, main.get_by_label(label(key), exact=True))
        keyboard.type(TEXT[key])
    stage = main.get_by_label(label("stage_reached"), exact=True)
    drive.tab_to(page, stage)  # leaving the role box saves it
    keyboard.type(option("stage_reached", CHOICES["stage_reached"]))
    with drive.expect_rerun(page):
        keyboard.press("Enter")
    expect(stage).to_have_value(option("stage_reached", CHOICES["stage_reached"]))

    drive.tab_to(page, main.get_by_role("button", name=NEXT))
    with drive.expect_rerun(page):
        keyboard.press("Enter")
    expect(main.locator("h1").first).to_contain_text(STEPS_BY_KEY["feedback"].title)
    drive.wait_for_app(page)

    status = main.get_by_label(label("feedback_status"), exact=True)
    drive.tab_to(page, status)
    keyboard.type(option("feedback_status", "asked"))
    with drive.expect_rerun(page):
        keyboard.press("Enter")
    contact = main.get_by_label(label("feedback_contact"), exact=True)
    drive.tab_to(page, contact)
    keyboard.type(option("feedback_contact", "hiring_manager"))
    with drive.expect_rerun(page):
        keyboard.press("Enter")
    for key in likert_keys("feedback"):
        group = drive.rating_group(page, label(key))
        choice = group.get_by_role("radio", name=LIKERT[rating_for(key)], exact=True)
        # Tab enters the group once; arrow keys move between its options.
        drive.tab_to(page, group)
        for _ in range(len(LIKERT)):
            if drive.focused(choice):
                break
            keyboard.press("ArrowRight")
        assert drive.focused(choice), key
        with drive.expect_rerun(page):
            keyboard.press("Space")
        expect(choice).to_have_attribute("aria-checked", "true")

    drive.tab_to(page, main.get_by_role("button", name=NEXT))
    with drive.expect_rerun(page):
        keyboard.press("Enter")
    expect(main.locator("h1").first).to_contain_text(STEPS_BY_KEY["connections"].title)
    assert page.console_errors == []

    store = live_server.store()
    session = journey.resume(store, code)
    answers = journey.load_answers(store, session.reflection_id)
    assert answers["company"] == TEXT["company"]
    assert answers["role"] == TEXT["role"]
    assert answers["stage_reached"] == CHOICES["stage_reached"]
    assert answers["feedback_status"] == "asked"
    assert answers["feedback_contact"] == "hiring_manager"
    for key in likert_keys("feedback"):
        assert answers[key] == rating_for(key), key


# The focused control, or the box Streamlit draws around it, shows a ring.
FOCUS_RING_JS = """
() => {
  let el = document.activeElement;
  for (let depth = 0; el && depth < 6; depth += 1, el = el.parentElement) {
    const style = getComputedStyle(el);
    if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) return true;
  }
  return false;
}
"""
KEYBOARD_CARDS = {
    "feedback": ("action_points", "Action point", "Bring numbers to every answer"),
    "connections": ("contacts", "Name", "Sam Patel"),
    "options": ("pipeline", "Company", "Contoso"),
    "approach": ("tough_questions", "Question", "Why do you want this role?"),
    "learning": ("strengths", "Strength", "Calm, clear explanations"),
}


def keyboard_to(page, locator, *, backwards: bool = False) -> None:
    """Tab (or Shift+Tab) to `locator`, and check its focus can be seen."""
    if backwards:
        for _ in range(12):
            page.keyboard.press("Shift+Tab")
            if drive.focused(locator):
                break
    else:
        drive.tab_to(page, locator)
    assert drive.focused(locator), locator
    assert page.evaluate(FOCUS_RING_JS), f"no visible focus on {locator}"


def keyboard_rate(page, key: str) -> None:
    group = drive.rating_group(page, label(key))
    choice = group.get_by_role("radio", name=LIKERT[rating_for(key)], exact=True)
    keyboard_to(page, group)
    for _ in range(len(LIKERT)):
        if drive.focused(choice):
            break
        page.keyboard.press("ArrowRight")
    with drive.expect_rerun(page):
        page.keyboard.press("Space")
    expect(choice).to_have_attribute("aria-checked", "true")


def keyboard_next(page, title: str) -> None:
    main = drive.main_area(page)
    keyboard_to(page, main.get_by_role("button", name=NEXT))
    with drive.expect_rerun(page):
        page.keyboard.press("Enter")
    expect(main.locator("h1").first).to_contain_text(title)
    drive.wait_for_app(page)


def test_five_steps_and_sharing_with_the_keyboard_alone(page, live_server):
    drive.open_app(page, live_server.url + ENTRY)
    main = drive.main_area(page)
    keyboard = page.keyboard
    keyboard_to(page, main.get_by_label(STORE_ANSWERS.text, exact=True))
    with drive.expect_rerun(page):
        keyboard.press("Space")
    keyboard_to(page, main.get_by_role("button", name="Start my reflection"))
    with drive.expect_rerun(page):
        keyboard.press("Enter")
    code = drive.resume_code(page)

    for step in STEPS:
        keyboard_next(page, step.title)
        if step.key == "feedback":
            status = main.get_by_label(label("feedback_status"), exact=True)
            keyboard_to(page, status)
            keyboard.type(option("feedback_status", "received"))
            with drive.expect_rerun(page):
                keyboard.press("Enter")
        key, first, text = KEYBOARD_CARDS[step.key]
        keyboard_to(page, main.locator(f".st-key-add_{key} button"))
        with drive.expect_rerun(page):
            keyboard.press("Enter")
        # The new card sits just above the button: back up into it.
        box = drive.cards_of(page, key).last.get_by_label(first, exact=True)
        keyboard_to(page, box, backwards=True)
        keyboard.type(text)
        with drive.expect_rerun(page):
            keyboard.press("Tab")  # leaving the box saves it
        for rating in likert_keys(step.key):
            keyboard_rate(page, rating)

    keyboard_next(page, "My plan")
    keyboard_to(page, main.get_by_label(CONSULTANT_REVIEW.text, exact=True))
    with drive.expect_rerun(page):
        keyboard.press("Space")
    keyboard_to(page, main.get_by_role("button", name="Share my reflection"))
    with drive.expect_rerun(page):
        keyboard.press("Enter")
    expect(main).to_contain_text("Your reflection is shared with our consultants")
    assert page.console_errors == []

    store = live_server.store()
    session = journey.resume(store, code)
    answers = journey.load_answers(store, session.reflection_id)
    for key, first_label, text in KEYBOARD_CARDS.values():
        column = next(c.key for c in FIELDS_BY_KEY[key].columns if c.label == first_label)
        assert [row[column] for row in answers[key]] == [text], key
    for step in STEPS:
        for key in likert_keys(step.key):
            assert answers[key] == rating_for(key), key
    assert journey.reflection(store, session.reflection_id)["submitted_at"]
