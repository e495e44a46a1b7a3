"""Admin housekeeping: purge by age, online backup, counts."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest

from core import admin, journey
from core.limits import UNLIMITED
from core.store import Store

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def _ago(days: float) -> str:
    return (NOW - dt.timedelta(days=days)).isoformat(timespec="seconds")


def _reflection(
    store: Store,
    candidate_id: int | None,
    *,
    updated_days: float,
    submitted_days: float | None = None,
    campaign: str | None = None,
) -> tuple[int, int]:
    """A reflection with one answer and timestamps set as if it were that old."""
    if candidate_id is None:
        session = journey.start(
            store, {"utm_campaign": campaign} if campaign else None, client=UNLIMITED
        )
        candidate_id, rid = session.candidate_id, session.reflection_id
    else:
        rid = journey.new_reflection(
            store, candidate_id, {"utm_campaign": campaign} if campaign else None, client=UNLIMITED
        )
    journey.save_answer(store, rid, "company", f"Company {rid}")
    if submitted_days is not None:
        journey.submit_for_review(store, rid, journey.load_answers(store, rid))
    with store.write() as conn:
        conn.execute(
            "UPDATE reflections SET updated_at = ?, submitted_at = ? WHERE id = ?",
            (
                _ago(updated_days),
                None if submitted_days is None else _ago(submitted_days),
                rid,
            ),
        )
    return candidate_id, rid


def _add_contact_and_note(store: Store, rid: int) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO contact_requests (reflection_id, name, email, channel, "
            "consent_version, consent_at, created_at) VALUES (?, 'Sam', 's@example.com', "
            "'email', 'v1', ?, ?)",
            (rid, _ago(1), _ago(1)),
        )
        conn.execute(
            "INSERT INTO notes (reflection_id, body, created_at) VALUES (?, 'call back', ?)",
            (rid, _ago(1)),
        )


TABLES = (
    "candidates",
    "reflections",
    "answers",
    "contact_requests",
    "notes",
    "status_changes",
    "audit_log",
    "consultants",
)


def _dump(store: Store) -> list[str]:
    """Every row of every table, on either engine."""
    with store.read() as conn:
        return [
            f"{table}: {tuple(row)!r}"
            for table in TABLES
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")
        ]


def _ids(store: Store, table: str) -> set[int]:
    with store.read() as conn:
        return {row[0] for row in conn.execute(f"SELECT id FROM {table}")}


@pytest.fixture
def aged(store: Store) -> dict[str, int]:
    """Reflections of known ages; retention is 90 days for drafts, 365 for submitted."""
    ids: dict[str, int] = {}
    ids["cand_old_draft"], ids["old_draft"] = _reflection(store, None, updated_days=100)
    ids["cand_recent"], ids["recent_draft"] = _reflection(store, None, updated_days=10)
    ids["cand_all_old"], ids["old_submitted"] = _reflection(
        store, None, updated_days=400, submitted_days=400
    )
    _, ids["old_draft_2"] = _reflection(store, ids["cand_all_old"], updated_days=95)
    _add_contact_and_note(store, ids["old_submitted"])
    # Submitted 100 days ago and untouched since: a draft's age must not apply to it.
    ids["cand_submitted"], ids["kept_submitted"] = _reflection(
        store, None, updated_days=200, submitted_days=100
    )
    _add_contact_and_note(store, ids["kept_submitted"])
    ids["cand_mixed"], ids["mixed_old"] = _reflection(store, None, updated_days=91)
    _, ids["mixed_new"] = _reflection(store, ids["cand_mixed"], updated_days=1)
    # Just inside the limit.
    ids["cand_edge"], ids["edge_draft"] = _reflection(store, None, updated_days=89.99)
    return ids


def test_dry_run_counts_what_is_due_and_changes_nothing(store, aged):
    before = _dump(store)
    counts = admin.purge(store, 90, 365, dry_run=True, now=NOW)
    assert counts == {"drafts": 3, "submitted": 1, "candidates": 2}
    assert _dump(store) == before


def test_purge_removes_exactly_what_is_due(store, aged):
    counts = admin.purge(store, 90, 365, now=NOW)
    assert counts == {"drafts": 3, "submitted": 1, "candidates": 2}
    assert _ids(store, "reflections") == {
        aged["recent_draft"],
        aged["kept_submitted"],
        aged["mixed_new"],
        aged["edge_draft"],
    }
    assert _ids(store, "candidates") == {
        aged["cand_recent"],
        aged["cand_submitted"],
        aged["cand_mixed"],
        aged["cand_edge"],
    }
    with store.read() as conn:
        contacts = [r[0] for r in conn.execute("SELECT reflection_id FROM contact_requests")]
        notes = [r[0] for r in conn.execute("SELECT reflection_id FROM notes")]
        answer_owners = {r[0] for r in conn.execute("SELECT reflection_id FROM answers")}
    # The removed reflection's contact details and notes went with it; the kept ones stay.
    assert contacts == [aged["kept_submitted"]]
    assert notes == [aged["kept_submitted"]]
    assert answer_owners == _ids(store, "reflections")
    for rid in _ids(store, "reflections"):
        assert journey.load_answers(store, rid) == {"company": f"Company {rid}"}


def test_second_purge_finds_nothing_more(store, aged):
    admin.purge(store, 90, 365, now=NOW)
    before = _dump(store)
    assert admin.purge(store, 90, 365, now=NOW) == {"drafts": 0, "submitted": 0, "candidates": 0}
    assert _dump(store) == before


def test_shorter_submitted_retention_reaches_recent_submissions(store, aged):
    counts = admin.purge(store, 90, 50, now=NOW)
    assert counts["submitted"] == 2
    assert aged["kept_submitted"] not in _ids(store, "reflections")
    assert aged["cand_submitted"] not in _ids(store, "candidates")


@pytest.mark.parametrize(
    ("drafts", "submitted", "words"),
    [
        (-1, 365, "at least 1 day"),
        (90, -30, "at least 1 day"),
        (0, 365, "at least 1 day"),
        (90, 10**9, "looks like a typo"),
        (1.5, 365, "whole number"),
        ("90", 365, "whole number"),
        (True, 365, "whole number"),
    ],
)
def test_bad_ages_are_refused_and_nothing_changes(store, aged, drafts, submitted, words):
    before = _dump(store)
    with pytest.raises(ValueError, match=words):
        admin.purge(store, drafts, submitted, now=NOW)
    assert _dump(store) == before


@pytest.mark.sqlite_only
def test_backup_is_consistent_while_answers_keep_arriving(store, tmp_path):
    session = journey.start(store, client=UNLIMITED)
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def keep_writing() -> None:
        try:
            i = 0
            while not stop.is_set() or i < 50:
                journey.save_answer(store, session.reflection_id, "fit_learned", f"note {i}")
                journey.save_answer(store, session.reflection_id, "takes_criticism", i % 5 + 1)
                written.append(i)
                i += 1
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 10:
            threading.Event().wait(0.005)
        result = admin.backup(store, tmp_path / "copy.db")
        during = len(written)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert not errors
    assert during > 10 and len(written) >= 50
    copy = sqlite3.connect(result["path"])
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        saved = dict(copy.execute("SELECT key, value FROM answers").fetchall())
    finally:
        copy.close()
    assert result["bytes"] == (tmp_path / "copy.db").stat().st_size > 0
    # The copy is one snapshot: the note and rating came from the same finished save.
    assert saved["fit_learned"].startswith('"note ')
    n = int(saved["fit_learned"].strip('"').split()[1])
    assert saved["takes_criticism"] in (str(n % 5 + 1), str((n - 1) % 5 + 1))
    # The writer was not lost or stalled by the copy.
    assert journey.load_answers(store, session.reflection_id)["fit_learned"] == (
        f"note {len(written) - 1}"
    )


def test_backup_refuses_an_existing_file_and_leaves_it_alone(store, tmp_path):
    existing = tmp_path / "keep.db"
    existing.write_bytes(b"precious")
    with pytest.raises(ValueError, match="already exists"):
        admin.backup(store, existing)
    assert existing.read_bytes() == b"precious"


def test_backup_refuses_a_missing_folder(store, tmp_path):
    target = tmp_path / "no" / "such" / "copy.db"
    with pytest.raises(ValueError, match="does not exist"):
        admin.backup(store, target)
    assert not target.parent.exists()


@pytest.mark.sqlite_only
def test_backup_refuses_the_live_database(store, db_path):
    journey.start(store, client=UNLIMITED)
    before = _dump(store)
    for target in (db_path, f"{db_path}-wal", db_path.parent / "." / db_path.name):
        with pytest.raises(ValueError, match="live database"):
            admin.backup(store, target)
    assert _dump(store) == before


@pytest.mark.sqlite_only
def test_backup_that_fails_its_check_is_removed(store, tmp_path, monkeypatch):
    real_backup = store.write_backup

    def damaged_copy(target):
        real_backup(target)  # a real copy on disk, which its check then condemns
        return "*** page 3: btree broken"

    monkeypatch.setattr(store, "write_backup", damaged_copy)
    target = tmp_path / "copy.db"
    with pytest.raises(ValueError, match="integrity check"):
        admin.backup(store, target)
    assert not target.exists()


def test_stats_counts_by_status_and_campaign(store):
    _reflection(store, None, updated_days=1, campaign="job-rejection")
    _, submitted = _reflection(
        store, None, updated_days=1, submitted_days=1, campaign="job-rejection"
    )
    cand, closed = _reflection(store, None, updated_days=1, submitted_days=2)
    _reflection(store, cand, updated_days=1)
    with store.write() as conn:
        conn.execute("UPDATE reflections SET review_status = 'closed' WHERE id = ?", (closed,))
    _add_contact_and_note(store, submitted)
    result = admin.stats(store)
    assert result["candidates"] == 3
    assert result["reflections"] == 4
    assert result["drafts"] == 2
    assert result["submitted"] == {
        "total": 2,
        "new": 1,
        "in_progress": 0,
        "contacted": 0,
        "closed": 1,
    }
    assert result["by_campaign"] == {
        "job-rejection": {"reflections": 2, "submitted": 1},
        "(none)": {"reflections": 2, "submitted": 1},
    }
    assert result["contact_requests"] == 1


def test_stats_on_an_empty_database(store):
    result = admin.stats(store)
    assert result["candidates"] == result["reflections"] == result["contact_requests"] == 0
    assert result["by_campaign"] == {}
    assert result["submitted"]["total"] == 0
