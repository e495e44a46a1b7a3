"""Delete my data: every row goes, the text is gone from the file, and the code stops working."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from core import contact, journey
from core.limits import UNLIMITED


def _file_bytes(store, db_path: Path, pytest_request) -> bytes:
    """Every byte of the database's files (PostgreSQL: its folder, WAL aside)."""
    if store.engine == "postgresql":
        server = pytest_request.getfixturevalue("pg_server")
        with store.write() as conn:
            folder = conn.execute(
                "SELECT oid FROM pg_database WHERE datname = current_database()"
            ).fetchone()[0]
        server.psql("CHECKPOINT")  # shared buffers onto the files
        return b"".join(
            p.read_bytes() for p in sorted((server.data / "base" / str(folder)).iterdir())
        )
    store.checkpoint()
    data = db_path.read_bytes()
    wal = Path(str(db_path) + "-wal")
    if wal.exists():
        data += wal.read_bytes()
    return data


def _count(store, table: str, column: str, value: int) -> int:
    with store.read() as conn:
        return conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (value,)
        ).fetchone()[0]


def test_delete_removes_every_trace(store, db_path, request):
    fixtures = request
    marker = f"MARKER-{secrets.token_hex(8)}"
    session = journey.start(store, {"utm_source": "blog"}, client=UNLIMITED)
    journey.save_answer(store, session.reflection_id, "company", f"{marker} company")
    journey.save_answer(store, session.reflection_id, "fit_learned", f"{marker} " * 150)
    journey.save_answer(store, session.reflection_id, "contacts", [{"name": f"{marker} contact"}])
    request = contact.validate(f"{marker} name", "me@example.com", "", "email", marker, True)
    contact.save_request(store, session.reflection_id, request, client=UNLIMITED)
    answers = journey.load_answers(store, session.reflection_id)
    journey.submit_for_review(store, session.reflection_id, answers, asked_to_talk=True)
    second = journey.new_reflection(store, session.candidate_id, client=UNLIMITED)
    journey.save_answer(store, second, "role", f"{marker} role")

    # Someone else's data must survive.
    other = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, other.reflection_id, "company", "Keep me Ltd")

    assert marker.encode() in _file_bytes(store, db_path, fixtures)

    journey.delete_candidate(store, session.candidate_id)
    # What cron's `bounce-back maintenance` does after it (PostgreSQL: the tables
    # rewritten; SQLite: nothing left to do, secure_delete overwrote the rows).
    store.run_maintenance()

    assert _count(store, "candidates", "id", session.candidate_id) == 0
    assert _count(store, "reflections", "candidate_id", session.candidate_id) == 0
    for rid in (session.reflection_id, second):
        assert _count(store, "answers", "reflection_id", rid) == 0
        assert _count(store, "contact_requests", "reflection_id", rid) == 0
    assert marker.encode() not in _file_bytes(store, db_path, fixtures)
    assert journey.load_answers(store, other.reflection_id) == {"company": "Keep me Ltd"}

    with pytest.raises(journey.UnknownCode):
        journey.resume(store, session.code)
