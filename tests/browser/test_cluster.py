"""A replica killed, nothing lost: three app processes behind HAProxy on PostgreSQL
(scripts/cluster.py). The process serving the browser is killed with SIGKILL; the reload
lands on another process, which knows the browser by its HttpOnly cookie and reads every
answer from the shared database.

Needs PostgreSQL and HAProxy: without them (and with CI unset) it skips, saying which.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

import drive
import pytest
from playwright.sync_api import expect

from core import accounts, devices, staff_sessions
from core.consent import STORE_ANSWERS
from core.questionnaire import FIELDS_BY_KEY, STEPS_BY_KEY
from core.store import make_store

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from cluster import STICKY_COOKIE, Cluster  # noqa: E402
from pg_local import bin_dir  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

ENTRY = "/?utm_source=blog&utm_campaign=job-rejection"
COMPANY = "Northwind Analytics"
FEEDBACK = "They wanted more stakeholder stories."
USERNAME = "robin"
PASSWORD = "harbour lights at dusk"


def _missing() -> str | None:
    if bin_dir() is None:
        return "PostgreSQL is not installed (Debian: apt-get install postgresql)"
    if shutil.which("haproxy") is None:
        return "HAProxy is not installed (Debian: apt-get install haproxy)"
    return None


@pytest.fixture(scope="module")
def cluster():
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {reason}")
        pytest.skip(reason)
    running = Cluster(replicas=3).start()
    try:
        yield running
    finally:
        running.stop()


def label(key: str) -> str:
    return FIELDS_BY_KEY[key].label


def option(key: str, value: str) -> str:
    return dict(FIELDS_BY_KEY[key].options)[value]


def kill_my_replica(page, cluster: Cluster) -> str:
    """SIGKILL the process this browser is stuck to; its name (app1…)."""
    sticky = {c["name"]: c["value"] for c in page.context.cookies()}[STICKY_COOKIE]
    cluster.kill_replica(int(sticky.removeprefix("app")) - 1)
    return sticky


def test_a_candidate_whose_process_is_killed_continues_on_another(page, cluster):
    drive.open_app(page, cluster.url + ENTRY)
    drive.tick(page, STORE_ANSWERS.text)
    drive.click_button(page, "Start my reflection")
    drive.resume_code(page)
    drive.wait_for_cookie(page.context, devices.DEVICE_COOKIE)
    drive.fill_text(page, label("company"), COMPANY)
    drive.go_to_page(page, f"1. {STEPS_BY_KEY['feedback'].title}")
    drive.choose(page, label("feedback_status"), option("feedback_status", "received"))
    drive.fill_text(page, label("feedback_received"), FEEDBACK)

    killed = kill_my_replica(page, cluster)
    page.reload()
    drive.wait_for_app(page, since={"started": 0, "sent": 0})
    now_on = {c["name"]: c["value"] for c in page.context.cookies()}[STICKY_COOKIE]
    assert now_on != killed
    main = drive.main_area(page)
    assert urlsplit(page.url).path == "/feedback"
    expect(main.get_by_role("combobox", name=label("feedback_status"), exact=True)).to_have_value(
        option("feedback_status", "received")
    )
    expect(main.get_by_label(label("feedback_received"), exact=True)).to_have_value(FEEDBACK)
    drive.go_to_page(page, "Welcome")
    expect(main.get_by_label(label("company"), exact=True)).to_have_value(COMPANY)


def test_a_consultant_whose_process_is_killed_stays_logged_in(page, cluster):
    store = make_store(cluster.database_url)
    try:
        accounts.add_consultant(store, USERNAME, PASSWORD, display_name="Robin")
    finally:
        store.close()
    drive.staff_login(page, cluster.url, USERNAME, PASSWORD)
    expect(drive.main_area(page).locator("h1").first).to_contain_text("Reflections to review")
    drive.wait_for_cookie(page.context, staff_sessions.STAFF_COOKIE)

    killed = kill_my_replica(page, cluster)
    page.reload()
    drive.wait_for_app(page, since={"started": 0, "sent": 0})
    now_on = {c["name"]: c["value"] for c in page.context.cookies()}[STICKY_COOKIE]
    assert now_on != killed
    expect(drive.main_area(page).locator("h1").first).to_contain_text("Reflections to review")
    assert "Please log in" not in drive.main_area(page).inner_text()
