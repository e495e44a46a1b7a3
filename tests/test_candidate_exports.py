"""Downloads: Markdown contents, HTML safety, the calendar file, and the JSON of everything."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest

from core import contact, journey
from core.candidate_exports import (
    candidate_data,
    candidate_json,
    plan_html,
    plan_ics,
    plan_markdown,
)
from core.checklist import ChecklistItem
from core.limits import UNLIMITED
from core.plan import build_plan
from core.settings import Settings

TODAY = dt.date(2026, 11, 25)
SETTINGS = Settings(agency_name="Harbour Recruitment")


def _plan(answers, asked_to_talk=False):
    return build_plan(answers, SETTINGS.agency_name, today=TODAY, asked_to_talk=asked_to_talk)


ANSWERS = {
    "company": "Acme Ltd",
    "role": "Product designer",
    "stage_reached": "final_interview",
    "feedback_status": "received",
    "action_points": [{"point": "Quantify results in answers"}],
    "takes_criticism": 4,
    "replaying": 4,
    "contacts": [{"name": "Priya Shah", "connected": "yes", "next_check_in": "2026-12-10"}],
    "keeps_in_touch": 2,
    "pipeline": [],
    "actively_searching": 1,
    "same_cv": 5,
    "improvements": [{"action": "Practise the case study", "target_date": "2026-12-01"}],
    "rejection_reply": "Thank you for letting me know.\n\nI enjoyed meeting the team.",
}


def test_markdown_has_checklist_forward_score_drafts_and_links():
    answers = {
        **ANSWERS,
        "news_date": "2026-11-24",
        "strengths": [{"strength": "Clear storytelling"}],
        "small_wins": [{"win": "Reached the final (first time!)"}],
        "fit_learned": "I want a team that ships often.",
        "questions_next_time": "How do you measure success?",
        "tough_questions": [{"question": "A conflict?", "action": "I listened first"}],
    }
    md = plan_markdown(_plan(answers), SETTINGS)
    assert "Acme Ltd" in md and "Final interview" in md
    # This week comes first, dated like a diary, in date order.
    assert md.index("## This week") < md.index("## What you're taking forward")
    assert md.index("## What you're taking forward") < md.index("## Where you are now")
    week = md[md.index("## This week") : md.index("## What you're taking forward")]
    assert "- [ ] **Thu 26 Nov** (suggested date): Thank them for the feedback" in week
    assert week.index("Practise the case study") < week.index("Check in with Priya Shah")
    assert "**Tue 1 Dec**: Practise the case study" in week
    assert "2026-12-01" not in md
    # What they take forward, with their own words.
    for text in (
        "Clear storytelling",
        "Reached the final (first time!)",
        "I want a team that ships often.",
        "How do you measure success?",
        "**A conflict?**",
        "*Action:* I listened first",
    ):
        assert text in md, text
    assert "Overall confidence:" in md and "out of 100" in md
    assert "| Ask for feedback |" in md
    assert "not a diagnosis" in md
    assert "What held it back" not in md
    # The saved edit of the reply is used, and its second paragraph stays in the quote.
    assert "> Thank you for letting me know" in md
    assert "> I enjoyed meeting the team" in md
    # Feedback received: a thank-you note, not another request.
    assert "### Thank-you for the feedback" in md and "### Feedback request" not in md
    assert "### LinkedIn invitation note" in md
    # No live options → the suggestion names the vacancies service.
    assert "Vacancies and a CV tailoring review" in md
    assert "(https://example.com/vacancies)" in md
    assert "mailto:consultants@example.com" in md


def test_markdown_has_no_backslash_before_ordinary_punctuation():
    answers = {
        **ANSWERS,
        "company": "Acme (UK) Ltd.",
        "role": "Analyst - data, reporting & more!",
        "action_points": [{"point": "Aim for 2 examples (with numbers)."}],
        "strengths": [{"strength": "Calm; kind? yes: always"}],
        "fit_learned": "1. Small teams\n- hybrid\n# not a heading",
    }
    md = plan_markdown(_plan(answers), SETTINGS)
    assert not re.search(r"\\[.,()!?:;'\"/-]", md), re.findall(r".{10}\\[.,()!?:;'\"/-].{5}", md)
    assert "Acme (UK) Ltd." in md
    assert "Aim for 2 examples (with numbers)." in md
    # A line that would become a heading or list stays text, without a backslash.
    page = plan_html(_plan(answers), SETTINGS)
    assert "<h1>not a heading" not in page and "# not a heading" in page


def test_markdown_says_when_the_score_is_not_ready():
    md = plan_markdown(_plan({"takes_criticism": 3}), SETTINGS)
    assert "Overall confidence" not in md
    assert "at least 3 steps" in md


def test_asked_to_talk_comes_first_in_the_suggestion():
    md = plan_markdown(_plan(ANSWERS, asked_to_talk=True), SETTINGS)
    section = md[md.index("## Talk to a consultant") :]
    assert section.index("You asked to talk to someone") < section.index("no other live")


HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "&lt;script&gt;alert(2)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(3)&#62;",
    "[x](&#106;avascript:alert(4))",
    '<a href="jav&#x09;ascript:alert(5)">a</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==)",
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoNyk+)",
    '<img src="data:image/png;base64,AAAA">',
    "<svg onload=alert(8)>",
    "<iframe src=https://evil.example></iframe>",
    '<a href="https://evil.example" style="x" onclick="alert(9)">x</a>',
    "<<script>script>alert(10)<</script>/script>",
    "![remote](https://evil.example/track.png)",
]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if not self._in_style:
            self.text.append(data)


@pytest.mark.parametrize("payload", HOSTILE)
def test_html_export_has_no_live_markup_from_candidate_text(payload):
    answers = {
        **ANSWERS,
        "company": payload,
        "role": payload,
        "action_points": [{"point": payload}],
        "contacts": [{"name": payload, "next_check_in": "2026-12-10"}],
        "improvements": [{"action": payload, "target_date": "2026-12-01"}],
        "feedback_request": payload,
        "rejection_reply": f"line one\n{payload}\n\n{payload}",
        "linkedin_note": payload,
    }
    page = plan_html(_plan(answers), SETTINGS)
    parser = _Collector()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    for banned in ("script", "img", "svg", "iframe", "object", "embed", "link", "form"):
        assert banned not in tags, banned
    assert tags.count("style") == 1  # ours, in <head>
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name not in ("src", "style", "srcset", "formaction")
            if name == "href":
                assert value in (
                    SETTINGS.vacancies_url,
                    SETTINGS.contact_url,
                    f"mailto:{SETTINGS.contact_email}",
                ), value
    lowered = page.lower()
    assert "javascript:" not in re.sub(r">[^<]*<", "><", lowered)  # only ever as text
    assert "data:" not in re.sub(r">[^<]*<", "><", lowered)
    # The candidate's words come back as readable text rather than vanishing.
    visible = "".join(parser.text)
    assert visible.count(payload) >= 3


def test_html_is_standalone_and_printable():
    page = plan_html(_plan(ANSWERS), SETTINGS)
    assert page.startswith("<!DOCTYPE html>")
    assert "@media print" in page
    assert "<script" not in page.lower()
    assert not re.search(r"@import|url\(|<link|https?://fonts", page)
    assert "<title>My plan — Harbour Recruitment</title>" in page


# --- iCalendar ------------------------------------------------------------------------------


def _parse_ics(data: str) -> list[dict[str, tuple[str, str]]]:
    """A small RFC 5545 reader: checks line endings and folding, returns the VEVENTs."""
    raw = data.encode("utf-8")
    assert raw.endswith(b"\r\n")
    physical = raw[:-2].split(b"\r\n")
    for line in physical:
        assert b"\n" not in line and b"\r" not in line
        assert len(line) <= 75, line
    unfolded: list[str] = []
    for line in physical:
        text = line.decode("utf-8")  # each piece must be valid UTF-8 on its own
        if text.startswith(" "):
            unfolded[-1] += text[1:]
        else:
            unfolded.append(text)
    assert unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-1] == "END:VCALENDAR"
    events: list[dict[str, tuple[str, str]]] = []
    current: dict[str, tuple[str, str]] | None = None
    for line in unfolded:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            head, _, value = line.partition(":")
            name, _, params = head.partition(";")
            current[name] = (params, value)
    return events


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        assert ch not in ";,", f"unescaped {ch!r} in {value!r}"
        out.append(ch)
        i += 1
    return "".join(out)


def test_ics_one_event_per_dated_item_with_escaping_and_folding():
    long_title = "Ring Zoë; ask about the role, the team\\and the next step " + "🙂" * 30
    items = [
        ChecklistItem(
            "checkin:Zoë", long_title, "2026-12-03", "connections", "line one\nline two, with comma"
        ),
        ChecklistItem("feedback_request", "Done thing", "2026-11-30", "feedback", done=True),
        ChecklistItem("improvement:Practise", "Practise", "2026-12-01", "approach"),
        ChecklistItem("point:Practise", "Practise", "2026-12-01", "approach"),
    ]
    now = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
    events = _parse_ics(plan_ics(items, agency_name="Harbour", now=now))
    assert len(events) == 3
    first = events[0]
    assert _unescape(first["SUMMARY"][1]) == long_title
    assert _unescape(first["DESCRIPTION"][1]).startswith("line one\nline two, with comma")
    assert first["DTSTART"] == ("VALUE=DATE", "20261203")
    assert first["DTEND"] == ("VALUE=DATE", "20261204")
    assert first["DTSTAMP"][1] == "20261125T093000Z"
    uids = [e["UID"][1] for e in events]
    assert len(set(uids)) == 3  # the two same-titled items still get distinct UIDs
    # Downloading again gives the same UIDs, so calendars update instead of duplicating.
    again = _parse_ics(plan_ics(items, now=now + dt.timedelta(days=1)))
    assert [e["UID"][1] for e in again] == uids


def test_ics_from_answers_is_the_same_list_as_the_checklist():
    plan = _plan(ANSWERS)
    events = _parse_ics(plan_ics(plan.open_items))
    assert [_unescape(e["SUMMARY"][1]) for e in events] == [i.title for i in plan.open_items]
    assert sorted(_unescape(e["SUMMARY"][1]) for e in events) == [
        "Check in with Priya Shah",
        "Practise the case study",
        "Quantify results in answers",
        "Send your reply to the rejection",
        "Thank them for the feedback",
    ]
    # Every item has a date, suggested or their own, so every one reaches the calendar.
    assert [e["DTSTART"][1] for e in events] == [i.due.replace("-", "") for i in plan.open_items]
    assert _parse_ics(plan_ics([])) == []


# --- JSON -----------------------------------------------------------------------------------


def test_json_round_trips_everything_including_unicode(store):
    session = journey.start(
        store, {"utm_source": "blog", "utm_campaign": "job-rejection"}, client=UNLIMITED
    )
    tricky = 'Zoë 🙂 \u200fمرحبا\u200f e\u0301 — 中文 "quoted" \\ back'
    journey.save_answer(store, session.reflection_id, "company", tricky)
    journey.save_answer(store, session.reflection_id, "fit_learned", tricky + "\nsecond line")
    journey.save_answer(
        store, session.reflection_id, "contacts", [{"name": tricky, "connected": "yes"}]
    )
    journey.save_answer(store, session.reflection_id, "takes_criticism", 4)
    request = contact.validate("Zoë", "zoe@example.com", "", "email", tricky, True)
    contact.save_request(store, session.reflection_id, request, client=UNLIMITED)
    journey.submit_for_review(store, session.reflection_id, journey.load_answers(store, 1))
    second = journey.new_reflection(store, session.candidate_id, client=UNLIMITED)
    journey.save_answer(store, second, "role", "Second go 🚀")

    data = json.loads(candidate_json(store, session.candidate_id))
    assert data == json.loads(
        json.dumps(
            {"exported_at": data["exported_at"], **candidate_data(store, session.candidate_id)}
        )
    )
    assert data["candidate"]["id"] == session.candidate_id
    assert "code_hash" not in data["candidate"]
    first, later = data["reflections"]
    assert first["answers"] == journey.load_answers(store, session.reflection_id)
    assert first["answers"]["company"] == tricky
    assert first["utm_source"] == "blog"
    assert first["submitted_at"] and isinstance(first["reasons"], list)
    (req,) = first["contact_requests"]
    assert req["message"] == tricky and req["email"] == "zoe@example.com"
    purposes = [c["purpose"] for c in first["consents"]]
    assert purposes == ["store answers", "consultant review", "contact me"]
    assert later["answers"] == {"role": "Second go 🚀"}
    # Unicode is written as itself, not as \\u escapes.
    assert "🙂" in candidate_json(store, session.candidate_id)


def test_json_of_unknown_candidate_is_empty(store):
    assert candidate_data(store, 999) == {}
