"""Reading answers defensively, and the one way a reflection's role and company read."""

from __future__ import annotations

import datetime as dt

import pytest

from core.answer_values import answer_rows, iso_date, one_line, role_at_company


@pytest.mark.parametrize(
    ("role", "company", "expected"),
    [
        ("Senior Data Analyst", "Acme", "Senior Data Analyst at Acme"),
        ("Analyst", None, "Analyst"),
        (None, "Acme", "Acme"),
        ("", "  ", ""),
        (None, None, ""),
        ("Data\n  Analyst ", " Acme\tLtd", "Data Analyst at Acme Ltd"),
    ],
)
def test_role_at_company_reads_one_way_whatever_is_known(role, company, expected):
    assert role_at_company(role, company) == expected


def test_answer_rows_keeps_only_rows():
    answers = {"contacts": [{"name": "Priya"}, "stray", None, {"name": "Tom"}], "role": "x"}
    assert answer_rows(answers, "contacts") == [{"name": "Priya"}, {"name": "Tom"}]
    assert answer_rows(answers, "role") == []
    assert answer_rows(answers, "missing") == []


def test_one_line_folds_white_space_and_ignores_what_is_not_text():
    assert one_line("  two\n lines\t here ") == "two lines here"
    assert one_line(5) == ""
    assert one_line(None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-03-02", dt.date(2026, 3, 2)), ("2026-02-30", None), ("", None), (None, None)],
)
def test_iso_date_is_a_date_or_none(value, expected):
    assert iso_date(value) == expected
