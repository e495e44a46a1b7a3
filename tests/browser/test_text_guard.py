"""A lone surrogate (half of an emoji, from a broken paste) in a text box: Streamlit's
server cannot decode it and would drop the connection, leaving the text unsaved with no
word. The page's guard replaces it with "�" before it is sent, so the rest is saved and
the field says so."""

from __future__ import annotations

import drive
import pytest
from playwright.sync_api import expect

from core import journey
from core.consent import STORE_ANSWERS
from core.questionnaire import FIELDS_BY_KEY
from ui.fields import REPLACED_NOTE

pytestmark = pytest.mark.browser

TYPE_LONE_SURROGATE = """(box, text) => {
  // What a broken paste produces: text with half of a surrogate pair.
  const value = text.replace("?", String.fromCharCode(0xD83D));
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  setter.call(box, value);
  box.dispatchEvent(new Event("input", { bubbles: true }));
}"""


def test_a_lone_surrogate_is_replaced_and_the_rest_saved(page, live_server):
    drive.open_app(page, live_server.url)
    drive.tick(page, STORE_ANSWERS.text)
    drive.click_button(page, "Start my reflection")
    code = drive.resume_code(page)
    box = drive.main_area(page).get_by_label(FIELDS_BY_KEY["company"].label, exact=True)
    box.scroll_into_view_if_needed()
    with drive.expect_rerun(page):
        box.click()
        box.evaluate(TYPE_LONE_SURROGATE, "Acme ? Ltd")
        box.press("Enter")
    expect(drive.main_area(page)).to_contain_text(REPLACED_NOTE)
    expect(box).to_have_value("Acme \ufffd Ltd")
    session = journey.resume(live_server.store(), code)
    assert journey.load_answers(live_server.store(), session.reflection_id)["company"] == (
        "Acme \ufffd Ltd"
    )
    assert "Error deserializing back message" not in live_server.log()
