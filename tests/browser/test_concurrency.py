"""Eight candidates at once against one server: every answer lands, the database stays whole.

Streamlit runs each browser session in its own thread, all sharing the store's one
connection. Eight real Chromium contexts drive their journeys concurrently (asyncio, in a
thread of its own so it never meets the sync Playwright used by other tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from pathlib import Path

import drive
import pytest

from core import journey
from core.consent import STORE_ANSWERS
from core.questionnaire import FIELDS_BY_KEY, LIKERT_LABELS, STEPS_BY_KEY

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SESSIONS = 8
TIMEOUT_MS = 90_000
LIKERT = dict(LIKERT_LABELS)
NEXT = re.compile(r"^\s*(arrow_forward\s*)?Next\b")


def label(key: str) -> str:
    return FIELDS_BY_KEY[key].label


def option(key: str, value: str) -> str:
    return dict(FIELDS_BY_KEY[key].options)[value]


def answers_for(n: int) -> dict:
    """Different answers per candidate, so a crossed wire between sessions would show."""
    stages = [k for k, _ in FIELDS_BY_KEY["stage_reached"].options]
    statuses = [k for k, _ in FIELDS_BY_KEY["feedback_status"].options]
    replies = [k for k, _ in FIELDS_BY_KEY["replied_to_rejection"].options]
    return {
        "company": f"Concurrent Co {n}",
        "role": f"Analyst grade {n}",
        "stage_reached": stages[n % len(stages)],
        "feedback_status": statuses[n % len(statuses)],
        "feedback_contact_name": f"Contact {n} Ó'Brien",
        "takes_criticism": 1 + n % 5,
        "replaying": 1 + (n + 2) % 5,
        "replied_to_rejection": replies[n % len(replies)],
        "keeps_in_touch": 1 + (n + 1) % 5,
        "would_apply_again": 1 + (n + 3) % 5,
    }


class Driver:
    """The few widget drivers this journey needs, for Playwright's async API."""

    def __init__(self, page) -> None:
        self.page = page
        self.main = page.locator('[data-testid="stMain"]')

    async def wait(self, since=None, settle_ms: int = 250) -> None:
        await self.page.wait_for_function(
            drive.IDLE_CHECK, arg=[settle_ms, since], timeout=TIMEOUT_MS, polling=100
        )

    async def rerun(self, action) -> None:
        before = await self.page.evaluate(drive.SNAPSHOT)
        await action()
        await self.wait(since=before, settle_ms=150)

    async def open(self, url: str) -> None:
        await self.page.goto(url)
        await self.wait(since={"started": 0, "sent": 0})

    async def tick(self, text: str) -> None:
        widget = self.main.locator('[data-testid="stCheckbox"]').filter(has_text=text)
        await self.rerun(lambda: widget.locator("label").first.click())

    async def click(self, name) -> None:
        await self.rerun(lambda: self.main.get_by_role("button", name=name).click())

    async def fill(self, key: str, value: str) -> None:
        box = self.main.get_by_label(label(key), exact=True)

        async def type_and_commit() -> None:
            await box.fill(value)
            await box.press("Enter")

        await self.rerun(type_and_commit)

    async def choose(self, key: str, value: str) -> None:
        combobox = self.main.get_by_role("combobox", name=label(key), exact=True)
        choice = self.page.get_by_role("listbox").get_by_role(
            "option", name=option(key, value), exact=True
        )
        for attempt in range(4):
            # Under load a click can land while the box redraws and leave it shut, or the
            # list can be redrawn away under the pointer: open it again and pick again.
            if attempt:
                await self.wait()
            await combobox.click()
            with contextlib.suppress(Exception):
                await choice.wait_for(state="visible", timeout=5000)
                before = await self.page.evaluate(drive.SNAPSHOT)
                await choice.click(timeout=10_000)
                await self.wait(since=before, settle_ms=150)
                return
        raise AssertionError(f"could not pick {value!r} in {label(key)!r}")

    async def rate(self, key: str, value: int) -> None:
        group = self.main.get_by_role("radiogroup", name=label(key), exact=True)
        await self.rerun(lambda: group.get_by_role("radio", name=LIKERT[value], exact=True).click())

    async def next_to(self, title: str) -> None:
        """Follow the Next button; fails unless it leads to the page titled `title`."""
        from playwright.async_api import expect

        await self.click(NEXT)
        # Changing page is two runs (the click, then the new page): wait for the second.
        await expect(self.main.locator("h1").first).to_contain_text(title, timeout=TIMEOUT_MS)
        await self.wait()


async def one_candidate(browser, url: str, n: int) -> list[str]:
    """Consent, start, then answers across Welcome, step 1 and step 2. Returns problems."""
    answers = answers_for(n)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    await context.add_init_script(drive.RUN_TRACKER)
    problems: list[str] = []
    try:
        page = await context.new_page()
        page.on("pageerror", lambda error: problems.append(f"{n}: uncaught {error}"))
        ui = Driver(page)
        await ui.open(url)
        await ui.tick(STORE_ANSWERS.text)
        await ui.click("Start my reflection")
        await ui.fill("company", answers["company"])
        await ui.fill("role", answers["role"])
        await ui.choose("stage_reached", answers["stage_reached"])

        await ui.next_to(STEPS_BY_KEY["feedback"].title)
        await ui.choose("feedback_status", answers["feedback_status"])
        await ui.fill("feedback_contact_name", answers["feedback_contact_name"])
        await ui.rate("takes_criticism", answers["takes_criticism"])
        await ui.rate("replaying", answers["replaying"])

        await ui.next_to(STEPS_BY_KEY["connections"].title)
        await ui.choose("replied_to_rejection", answers["replied_to_rejection"])
        await ui.rate("keeps_in_touch", answers["keeps_in_touch"])
        await ui.rate("would_apply_again", answers["would_apply_again"])
        if await ui.main.locator('[data-testid="stException"]').count():
            problems.append(f"{n}: {await ui.main.inner_text()}")
    except Exception as exc:  # report every session's failure, not just the first
        problems.append(f"{n}: {exc.__class__.__name__}: {exc}")
    finally:
        if problems:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(Exception):
                await page.screenshot(path=str(ARTIFACTS / f"concurrency-{n}.png"))
        await context.close()
    return problems


async def all_candidates(url: str) -> list[str]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=drive.CHROMIUM, args=drive.CHROMIUM_ARGS)
        try:
            results = await asyncio.gather(
                *(one_candidate(browser, url, n) for n in range(SESSIONS))
            )
        finally:
            await browser.close()
    return [problem for problems in results for problem in problems]


def test_eight_candidates_at_once_lose_no_answer(live_server):
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["problems"] = asyncio.run(
                all_candidates(
                    live_server.url + "/?utm_source=blog&utm_campaign=concurrency",
                )
            )
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="concurrent-candidates")
    worker.start()
    worker.join(timeout=240)
    assert not worker.is_alive(), "the concurrent journeys did not finish within 4 minutes"
    if "error" in outcome:
        raise outcome["error"]
    assert outcome["problems"] == [], "\n".join(outcome["problems"])

    store = live_server.store()
    with store.read() as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                "SELECT id, company, utm_source, utm_campaign FROM reflections ORDER BY id"
            )
        ]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        foreign_keys = conn.execute("PRAGMA foreign_key_check").fetchall()
    assert integrity == "ok"
    assert foreign_keys == []
    assert len(rows) == SESSIONS
    by_company = {row["company"]: row for row in rows}
    for n in range(SESSIONS):
        expected = answers_for(n)
        row = by_company.get(expected["company"])
        assert row is not None, f"candidate {n}'s reflection is missing"
        assert (row["utm_source"], row["utm_campaign"]) == ("blog", "concurrency")
        assert journey.load_answers(store, row["id"]) == expected, f"candidate {n}"
