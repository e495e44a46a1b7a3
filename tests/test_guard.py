"""The page guard's pieces that AppTest can see: the surrogate guard script is on every
page, in a shape Streamlit's sanitiser keeps, and a replaced character is explained."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ui.fields import REPLACED_NOTE
from ui.guard import SURROGATE_GUARD

ROOT = Path(__file__).resolve().parent.parent


def test_the_guard_script_survives_the_sanitiser():
    # DOMPurify drops a script whose text contains "<!" or "<letter" (an mXSS pattern).
    body = SURROGATE_GUARD.removeprefix("<script>").removesuffix("</script>")
    assert "<" not in body
    assert SURROGATE_GUARD.startswith("<script>") and SURROGATE_GUARD.endswith("</script>")


def test_every_page_carries_the_guard_in_the_sidebar(app):
    at = app.run()
    scripts = [el.proto for el in at.sidebar.get("html")]
    assert [p.body for p in scripts] == [SURROGATE_GUARD]
    assert scripts[0].unsafe_allow_javascript
    # Once, in the sidebar: the main area has only the page's own styles.
    assert SURROGATE_GUARD not in [el.proto.body for el in at.main.get("html")]


def test_a_replaced_character_is_explained_beside_the_field(app):
    at = app.run()
    at.checkbox(key="consent_store").check().run()
    [b for b in at.button if b.label == "Start my reflection"][0].click().run()
    at.text_input(key="answer_company").input("Acme \ufffd Ltd").run()
    assert REPLACED_NOTE in [c.value for c in at.caption]
    at.text_input(key="answer_company").input("Acme Ltd").run()
    assert REPLACED_NOTE not in [c.value for c in at.caption]


def test_streamlit_shows_no_error_details_in_the_browser():
    # "false" meant "stack trace" in Streamlit 1.67; only "none" hides everything.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
