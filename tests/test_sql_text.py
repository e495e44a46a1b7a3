"""The one mechanical rewrite left between the engines: `?` placeholders to psycopg's
`%s`, by a tokenizer that knows quotes, quoted identifiers and comments; and the checker
that runs the app's statements on both engines."""

from __future__ import annotations

import pytest
from sql_both_engines import StatementChecker, numbered_placeholders

from core.store_base import count_placeholders, to_pyformat


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = %s AND c = %s"),
        # A `?` inside a quoted identifier or a string literal is text, not a placeholder.
        ('SELECT "odd?col" FROM t WHERE a = ?', 'SELECT "odd?col" FROM t WHERE a = %s'),
        ("SELECT '?' FROM t WHERE a = ?", "SELECT '?' FROM t WHERE a = %s"),
        # psycopg reads every %, literals included: each is doubled.
        ("SELECT '100%' FROM t WHERE a LIKE ?", "SELECT '100%%' FROM t WHERE a LIKE %s"),
        ("SELECT a % 7 FROM t", "SELECT a %% 7 FROM t"),
        # '' inside a literal is a quote, not its end; "" likewise inside an identifier.
        ("SELECT 'it''s ?' , ?", "SELECT 'it''s ?' , %s"),
        ('SELECT "a""?b" , ?', 'SELECT "a""?b" , %s'),
        # Comments keep their question marks.
        ("SELECT a -- why?\nFROM t WHERE b = ?", "SELECT a -- why?\nFROM t WHERE b = %s"),
        ("SELECT /* who? */ a FROM t WHERE b = ?", "SELECT /* who? */ a FROM t WHERE b = %s"),
        # Nothing else changes: no keyword, function or operator is rewritten.
        ("SELECT a +b FROM t ORDER BY c DESC", "SELECT a +b FROM t ORDER BY c DESC"),
        ("SELECT 'REAL' LIKE x", "SELECT 'REAL' LIKE x"),
    ],
)
def test_placeholders_become_pyformat_outside_quotes_and_comments_only(sql, expected):
    assert to_pyformat(sql) == expected


def test_counting_placeholders_skips_quotes_and_comments():
    assert count_placeholders("SELECT '?', \"?\", ? -- ?\n, /* ? */ ?") == 2


@pytest.mark.parametrize("sql", ["SELECT 'open", 'SELECT "open', "SELECT /* open"])
def test_an_unclosed_quote_or_comment_is_refused_not_guessed(sql):
    with pytest.raises(ValueError, match="unclosed"):
        to_pyformat(sql)


def test_postgres_numbered_placeholders_for_the_checker():
    assert numbered_placeholders("SELECT '?', ? , \"?\" , ?") == "SELECT '?', $1 , \"?\" , $2"


def _issue(checker: StatementChecker, engine: str, sql: str) -> None:
    # Stands in for app code calling `execute`: the checker looks at who called.
    checker(engine, sql)


@pytest.mark.postgres
def test_the_checker_fails_a_statement_only_sqlite_runs(pg_server, monkeypatch):
    import sql_both_engines

    pg_server.psql("CREATE DATABASE bb_checker TEMPLATE bb_template")
    checker = StatementChecker(pg_server.url_for("bb_checker"))
    monkeypatch.setattr(sql_both_engines, "issued_by_app_code", lambda: True)
    try:
        _issue(checker, "sqlite", "SELECT id FROM reflections WHERE instr(company, ?)")
        _issue(checker, "sqlite", "SELECT id FROM reflections WHERE company LIKE ? LIMIT ?")
        _issue(checker, "postgresql", "SELECT id FROM reflections WHERE company ILIKE ?")
        _issue(checker, "postgresql", "SELECT id FROM reflections ORDER BY id NULLS FIRST")
    finally:
        checker.close()
        pg_server.psql("DROP DATABASE bb_checker WITH (FORCE)")
    assert len(checker.failures) == 2
    assert "not on postgresql" in checker.failures[0] and "instr" in checker.failures[0]
    assert "not on sqlite" in checker.failures[1] and "ILIKE" in checker.failures[1]


def test_statements_written_by_tests_themselves_are_not_checked():
    checker = StatementChecker(None)
    try:
        checker("postgresql", "SELECT no_such_function()")
    finally:
        checker.close()
    assert checker.failures == [] and checker.checked == 0
