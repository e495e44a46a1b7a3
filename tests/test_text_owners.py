"""Three facts with one owner each: how a reflection's role and company read, how candidate
text is escaped for Markdown, and which session-state keys are a candidate's."""

from __future__ import annotations

import re
from pathlib import Path

from core import answer_values, candidate_exports, document, plan, safe_html
from ui import state

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    p
    for folder in ("core", "ui", "views", "web")
    for p in (ROOT / folder).rglob("*.py")
    if "__pycache__" not in p.parts
] + [ROOT / "app.py"]


def written_in(pattern: str) -> list[str]:
    found = re.compile(pattern)
    return sorted(p.relative_to(ROOT).as_posix() for p in SOURCES if found.search(p.read_text()))


def test_role_at_company_is_written_in_one_place():
    assert written_in(r'" at "\.join') == ["core/answer_values.py"]
    reflection = {"id": 7, "role": "Data  Analyst", "company": "Acme\n"}
    assert document.heading(reflection) == "Data Analyst at Acme · Reflection #7"
    built = plan.build_plan({"role": "Data  Analyst", "company": "Acme\n"}, "Harbour")
    assert built.about == answer_values.role_at_company("Data Analyst", "Acme")


def test_markdown_escaping_is_implemented_once():
    # A backslash put before a captured character is how Markdown escaping is done.
    assert written_in(r"""\.sub\(\s*r["']\\\\\\1""") == ["core/safe_html.py"]
    assert candidate_exports._e is safe_html.escape_md
    assert document.text("# *hi*") == safe_html.escape_md("# *hi*")


def test_candidate_session_keys_are_cleared_in_one_place():
    assert written_in(r"for \w+ in list\(st\.session_state") == ["ui/state.py"]


def test_every_candidate_prefix_cleared_is_still_written_somewhere():
    others = [p for p in SOURCES if p.name != "state.py"]
    for prefix in state.CANDIDATE_PREFIXES:
        writes = re.compile(rf"""f?["']{prefix}""")
        assert any(writes.search(p.read_text()) for p in others), prefix
