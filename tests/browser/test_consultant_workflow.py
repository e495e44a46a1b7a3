"""A candidate asks for a call and shares; a consultant finds them first and follows up.

Two browsers against one server: the candidate's request must lift their reflection to
the top of the queue above older ones, and the consultant's note, status change and CSV
export must land in the database and the audit log.
"""

from __future__ import annotations

import csv
import io
import re

import drive
import pytest
from playwright.sync_api import expect

from core import accounts, journey
from core.consent import CONSULTANT_REVIEW, CONTACT_ME, STORE_ANSWERS
from core.limits import UNLIMITED
from core.questionnaire import FIELDS_BY_KEY

pytestmark = pytest.mark.browser

USERNAME = "robin"
PASSWORD = "tide tables and lighthouses"
ENTRY = "/?utm_source=blog&utm_campaign=job-rejection"
NOTE = "Called Jordan: booked a CV review for Thursday."


@pytest.fixture(scope="module")
def earlier(live_server) -> list[int]:
    """A consultant account and three reflections shared before, without a request to talk."""
    store = live_server.store()
    accounts.add_consultant(store, USERNAME, PASSWORD, display_name="Robin")
    ids = []
    for n in range(3):
        rid = journey.start(store, {"utm_campaign": "newsletter"}, client=UNLIMITED).reflection_id
        journey.save_answer(store, rid, "company", f"Earlier Co {n}")
        journey.save_answer(store, rid, "role", "Analyst")
        journey.submit_for_review(store, rid, journey.load_answers(store, rid), asked_to_talk=False)
        ids.append(rid)
    return ids


def reflection_row(store, rid: int) -> dict:
    with store.read() as conn:
        return dict(conn.execute("SELECT * FROM reflections WHERE id = ?", (rid,)).fetchone())


def candidate_asks_for_a_call_and_shares(page, live_server) -> int:
    drive.open_app(page, live_server.url + ENTRY)
    drive.tick(page, STORE_ANSWERS.text)
    drive.click_button(page, "Start my reflection")
    drive.fill_text(page, FIELDS_BY_KEY["company"].label, "Fabrikam")
    drive.fill_text(page, FIELDS_BY_KEY["role"].label, "Product manager")
    drive.go_to_page(page, "My plan")
    main = drive.main_area(page)
    # One form, in plain view under "Talk to a consultant" (no expander to open).
    # Inside a form nothing reruns until it is sent, so these are plain fills.
    main.get_by_label("Your name", exact=True).fill("Jordan Lee")
    main.get_by_label("E-mail", exact=True).fill("jordan.lee@example.com")
    main.locator('[data-testid="stCheckbox"]').filter(has_text=CONTACT_ME.text).locator(
        "label"
    ).first.click()
    drive.click_button(page, "Send my request")
    # The status says what was sent and how they'll hear back, outside any expander.
    expect(main.locator('[data-testid="stAlertContentSuccess"]')).to_contain_text(
        "by e-mail at jordan.lee@example.com"
    )
    drive.tick(page, CONSULTANT_REVIEW.text)
    drive.click_button(page, "Share my reflection")
    expect(main).to_contain_text("Your reflection is shared with our consultants")
    with live_server.store().read() as conn:
        return conn.execute("SELECT MAX(id) FROM reflections").fetchone()[0]


def test_consultant_finds_the_request_first_notes_it_marks_it_contacted_and_exports(
    page, browser, live_server, earlier, tmp_path
):
    rid = candidate_asks_for_a_call_and_shares(page, live_server)
    store = live_server.store()
    shared = reflection_row(store, rid)
    assert shared["submitted_at"] and shared["contact_requested"]
    assert shared["utm_campaign"] == "job-rejection"
    # Shared last, so only its priority can put it ahead of the older ones.
    assert all(shared["priority"] > reflection_row(store, e)["priority"] for e in earlier)

    context = drive.new_app_context(browser, accept_downloads=True)
    staff = context.new_page()
    drive.watch_page(staff)
    try:
        drive.staff_login(staff, live_server.url, USERNAME, PASSWORD)
        main = drive.main_area(staff)
        main.get_by_role("heading", name="Reflections to review").wait_for()

        # The picker lists the page in queue order and starts on its first row.
        picker = main.get_by_role("combobox", name="Open a reflection", exact=True)
        expect(picker).to_have_value(re.compile(rf"^#{rid} ·"))
        drive.click_button(staff, "Open reflection")
        main.get_by_role("heading", name=f"Reflection #{rid}").wait_for()
        document = staff.locator(".st-key-reflection_document")
        expect(document).to_contain_text("Jordan Lee")  # contact details: consent given
        expect(document).to_contain_text("jordan.lee@example.com")

        drive.fill_text(staff, "Add a note", NOTE)
        drive.click_button(staff, "Add note")
        expect(main).to_contain_text("Note added.")
        expect(main).to_contain_text(NOTE)

        drive.choose(staff, "Status", "Contacted")
        drive.click_button(staff, "Update status")
        expect(main.get_by_text("Contacted", exact=False).first).to_be_visible()
        assert reflection_row(store, rid)["review_status"] == "contacted"

        drive.go_to_page(staff, "Queue")
        with staff.expect_download() as download_info:
            main.get_by_role("button", name=re.compile("Download CSV")).click()
        saved = tmp_path / download_info.value.suggested_filename
        download_info.value.save_as(saved)
        rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
        assert [row["Reflection"] for row in rows][:1] == [str(rid)]
        assert len(rows) == 1 + len(earlier)
        assert rows[0]["Status"] == "Contacted"
        assert rows[0]["Company"] == "Fabrikam"

        assert staff.dialogs == [] and staff.console_errors == []
    finally:
        context.close()

    actions = [
        (entry["actor"], entry["action"], entry["reflection_id"]) for entry in audit_log(store)
    ]
    for action in ("note_added", "status_changed"):
        assert (USERNAME, action, rid) in actions, (action, actions)
    assert any(actor == USERNAME and act == "export" for actor, act, _ in actions), actions
    assert any(actor == USERNAME and act == "login" for actor, act, _ in actions), actions


def audit_log(store) -> list[dict]:
    """The audit log, newest first."""
    with store.read() as conn:
        return [dict(r) for r in conn.execute("SELECT * FROM audit_log ORDER BY id DESC")]
