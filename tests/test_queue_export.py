"""CSV of the queue: every matching row, in queue order, with formulas neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from core import journey
from core.limits import UNLIMITED
from core.queue import QueueFilter
from core.queue_export import HEADER, queue_csv, safe_cell, to_bytes


def submit(store, company, role="Analyst", asked=False, campaign=None):
    session = journey.start(store, campaign or {}, client=UNLIMITED)
    rid = session.reflection_id
    journey.save_answer(store, rid, "company", company)
    journey.save_answer(store, rid, "role", role)
    journey.submit_for_review(store, rid, journey.load_answers(store, rid), asked_to_talk=asked)
    return rid


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("https://evil.example")', '\'=HYPERLINK("https://evil.example")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Acme = good", "Acme = good"),
        ("O'Brien & Sons", "O'Brien & Sons"),
        ("", ""),
        (None, ""),
        (42, "42"),
        (55.5, "55.5"),
        (True, "yes"),
        (["Asked to talk", "=evil"], "Asked to talk; =evil"),
        (["=evil", "x"], "'=evil; x"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_export_has_header_and_a_row_per_reflection_in_queue_order(store):
    plain = submit(store, "Plain Ltd")
    urgent = submit(store, "Urgent Ltd", asked=True)
    rows = read(queue_csv(store))
    assert list(rows[0]) == [label for _, label in HEADER]
    assert [int(r["Reflection"]) for r in rows] == [urgent, plain]
    assert rows[0]["Contact requested"] == "yes" and rows[1]["Contact requested"] == "no"
    assert rows[0]["Status"] == "New"


def test_candidate_formulas_are_neutralised_in_the_file(store):
    submit(store, "=cmd|' /C calc'!A0", role="@SUM(1+1)*cmd")
    [row] = read(queue_csv(store))
    assert row["Company"] == "'=cmd|' /C calc'!A0"
    assert row["Role"] == "'@SUM(1+1)*cmd"


def test_export_follows_the_filters_and_is_not_paged(store):
    for i in range(120):
        submit(store, f"Blog {i}", campaign={"utm_campaign": "blog"})
    submit(store, "Elsewhere")
    rows = read(queue_csv(store, QueueFilter(campaign="blog")))
    assert len(rows) == 120
    assert all(r["Company"].startswith("Blog") for r in rows)


def test_bytes_open_as_utf8_in_spreadsheets(store):
    submit(store, "Zoë & Söhne 🚀")
    data = to_bytes(queue_csv(store))
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Zoë & Söhne 🚀" in data.decode("utf-8-sig")
