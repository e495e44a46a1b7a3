"""The reflection document: complete, readable, and inert whatever the candidate typed."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest

from core import contact, journey, review
from core.document import reflection_html, reflection_markdown
from core.limits import UNLIMITED

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    "[click me](&#106;avascript:alert(1))",
    "[click me](&#x6A;&#x61;vascript&colon;alert(1))",
    "[click me](jav&#x09;ascript:alert(1))",
    "<a href='javascript:alert(1)'>a</a>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![tracker](https://evil.example/pixel.png)",
    "<iframe src='https://evil.example'></iframe>",
    "<style>body { display: none }</style>",
    "<svg onload=alert(1)>",
    "<div style='position:fixed'>x</div>",
]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def assert_inert(html: str) -> None:
    tags = parse(html)
    names = {tag for tag, _ in tags}
    assert not names & {"script", "img", "iframe", "style", "svg", "object", "embed"}
    for tag, attrs in tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs and "src" not in attrs
        href = (attrs.get("href") or "").lower()
        assert not href.startswith(("javascript", "data", "vbscript")), href
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<iframe" not in lowered
    assert "<style" not in lowered and "https://evil.example" not in _attribute_values(tags)


def _attribute_values(tags) -> str:
    return " ".join(str(v) for _, attrs in tags for v in attrs.values())


def shared_reflection(store, text_value: str, *, consent_contact: bool = True):
    session = journey.start(store, {"utm_campaign": "job-rejection"}, client=UNLIMITED)
    rid = session.reflection_id
    journey.save_answer(store, rid, "company", text_value[:120])
    journey.save_answer(store, rid, "role", "Analyst")
    journey.save_answer(store, rid, "feedback_received", text_value)
    journey.save_answer(store, rid, "fit_learned", text_value)
    journey.save_answer(store, rid, "action_points", [{"point": text_value[:200]}])
    journey.save_answer(
        store,
        rid,
        "tough_questions",
        [{"question": text_value[:300], "action": "| pipes | and\nnew lines"}],
    )
    journey.save_answer(store, rid, "takes_criticism", 4)
    journey.save_answer(store, rid, "feedback_status", "received")
    if consent_contact:
        request = contact.validate(
            "Sam <b>Candidate</b>", "sam@example.com", "", "email", text_value[:1000], True
        )
        contact.save_request(store, rid, request, client=UNLIMITED)
    journey.submit_for_review(store, rid, journey.load_answers(store, rid))
    reflection = review.submitted_reflection(store, rid)
    return reflection, journey.load_answers(store, rid), contact.requests_for(store, rid)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_payload_is_shown_as_text_and_runs_nothing(store, payload):
    reflection, answers, contacts = shared_reflection(store, payload)
    html = reflection_html(reflection, answers, contacts)
    assert_inert(html)
    # Still readable: the visible text (entities decoded) contains what they typed.
    visible = _visible_text(html)
    assert payload.replace("\n", " ") in visible


def _visible_text(html: str) -> str:
    chunks: list[str] = []

    class Text(HTMLParser):
        def handle_data(self, data):
            chunks.append(data)

    Text(convert_charrefs=True).feed(html)
    return "".join(chunks)


def test_all_payloads_together(store):
    reflection, answers, contacts = shared_reflection(store, "\n".join(PAYLOADS))
    html = reflection_html(reflection, answers, contacts)
    assert_inert(html)
    assert "<script>alert('xss')</script>" in _visible_text(html)


def test_five_thousand_brackets_render_fast_and_as_text(store):
    reflection, answers, contacts = shared_reflection(store, "[" * 4000)
    answers["fit_learned"] = "[" * 5000
    started = time.perf_counter()
    html = reflection_html(reflection, answers, contacts)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"took {elapsed:.2f}s"
    assert "[" * 5000 in _visible_text(html)


def test_markdown_export_escapes_the_same_way(store):
    reflection, answers, contacts = shared_reflection(store, PAYLOADS[0] + "\n" + PAYLOADS[2])
    markdown = reflection_markdown(reflection, answers, contacts)
    assert "<script>" not in markdown
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown)  # no "]" left to close a link
    assert "&lt;script&gt;" in markdown and r"\[click me\]" in markdown


def test_document_is_complete_and_readable(store):
    reflection, answers, contacts = shared_reflection(store, "They wanted more SQL depth.")
    html = reflection_html(reflection, answers, contacts)
    text = _visible_text(html)
    for expected in (
        f"Reflection #{reflection['id']}",
        "Analyst at They wanted more SQL depth.",
        "Why a consultant might help",
        "I've received feedback",
        "Agree (4/5)",
        "Up to three things to work on",
        "What did you learn about the fit you want?",
        "sam@example.com",
        "Sam <b>Candidate</b>",
        "campaign: job-rejection",
        "| pipes | and new lines",
    ):
        assert expected in text, expected
    # Table cells with pipes and line breaks stay in their cell.
    assert "<table>" in html


def test_no_contact_details_without_a_contact_request(store):
    reflection, answers, contacts = shared_reflection(store, "hello", consent_contact=False)
    text = _visible_text(reflection_html(reflection, answers, contacts))
    assert contacts == []
    assert "didn't ask to be contacted" in text
    assert "sam@example.com" not in text


def test_setext_and_indentation_do_not_restructure_the_document(store):
    reflection, answers, contacts = shared_reflection(store, "Title\n=====\n    indented line")
    html = reflection_html(reflection, answers, contacts)
    assert "<pre>" not in html and "<code>" not in html
    assert [tag for tag, _ in parse(html)].count("h1") == 1
