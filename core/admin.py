"""The admin's housekeeping over the store: purge old data, back up, count.

Pure functions over a `Store`; `core.cli` parses arguments and prints. Every refusal is
a `ValueError` whose message is meant for the person at the command line, raised before
anything has changed.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from core.campaign import NO_CAMPAIGN
from core.clock import stamp, system_clock
from core.review import REVIEW_STATUSES
from core.store import Store, StoreError, create_private_file

# Anything past a century is a typo, not a retention policy.
MAX_RETENTION_DAYS = 36_500
# A draft updated in the last day may be open in someone's browser right now.
MIN_RETENTION_DAYS = 1

_DRAFTS_DUE = "submitted_at IS NULL AND updated_at < ?"
_SUBMITTED_DUE = "submitted_at IS NOT NULL AND submitted_at < ?"


def _check_days(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"The {what} age must be a whole number of days, got {value!r}.")
    if value < MIN_RETENTION_DAYS:
        raise ValueError(
            f"The {what} age must be at least {MIN_RETENTION_DAYS} day, got {value}. "
            "Nothing was deleted."
        )
    if value > MAX_RETENTION_DAYS:
        raise ValueError(
            f"The {what} age of {value:,} days is more than {MAX_RETENTION_DAYS:,} "
            "(a hundred years); that looks like a typo. Nothing was deleted."
        )
    return value


def purge(
    store: Store,
    draft_days: int,
    submitted_days: int,
    *,
    audit_days: int | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Delete reflections past their retention age, then candidates left with none.

    Unsubmitted reflections go `draft_days` after their last change; submitted ones go
    `submitted_days` after submission. Answers, contact requests, notes and status
    history go with their reflection. With `audit_days`, audit log rows and login
    attempts older than that go too. With `dry_run`, only count: a read that needs no
    write lock, so it answers at once even while the app or another command writes.
    """
    draft_days = _check_days(draft_days, "draft")
    submitted_days = _check_days(submitted_days, "submitted")
    if audit_days is not None:
        audit_days = _check_days(audit_days, "audit log")
    now = now or system_clock()
    if now.tzinfo is None:
        raise ValueError("The purge time must carry a time zone.")
    draft_cutoff = stamp(now - dt.timedelta(days=draft_days))
    submitted_cutoff = stamp(now - dt.timedelta(days=submitted_days))
    with store.read() if dry_run else store.write() as conn:
        drafts = conn.execute(
            f"SELECT COUNT(*) FROM reflections WHERE {_DRAFTS_DUE}", (draft_cutoff,)
        ).fetchone()[0]
        submitted = conn.execute(
            f"SELECT COUNT(*) FROM reflections WHERE {_SUBMITTED_DUE}", (submitted_cutoff,)
        ).fetchone()[0]
        # A candidate goes when none of their reflections would survive.
        orphans = conn.execute(
            "SELECT COUNT(*) FROM candidates c WHERE NOT EXISTS ("
            f"SELECT 1 FROM reflections r WHERE r.candidate_id = c.id "
            f"AND NOT ({_DRAFTS_DUE}) AND NOT ({_SUBMITTED_DUE}))",
            (draft_cutoff, submitted_cutoff),
        ).fetchone()[0]
        if not dry_run:
            # "What keeps coming up", shared with a reflection that stays, quotes the ones
            # going (their stages, strengths, wins): that copy goes with them.
            conn.execute(
                "UPDATE reflections SET shared_patterns_json = NULL, "
                "consent_patterns_version = NULL, consent_patterns_at = NULL "
                f"WHERE shared_patterns_json IS NOT NULL AND NOT ({_DRAFTS_DUE}) "
                f"AND NOT ({_SUBMITTED_DUE}) AND candidate_id IN (SELECT candidate_id "
                f"FROM reflections WHERE ({_DRAFTS_DUE}) OR ({_SUBMITTED_DUE}))",
                (draft_cutoff, submitted_cutoff, draft_cutoff, submitted_cutoff),
            )
            conn.execute(f"DELETE FROM reflections WHERE {_DRAFTS_DUE}", (draft_cutoff,))
            conn.execute(f"DELETE FROM reflections WHERE {_SUBMITTED_DUE}", (submitted_cutoff,))
            deleted = conn.execute(
                "DELETE FROM candidates WHERE NOT EXISTS ("
                "SELECT 1 FROM reflections r WHERE r.candidate_id = candidates.id)"
            ).rowcount
            if deleted != orphans:
                # Should be impossible inside one transaction; refuse rather than guess.
                raise RuntimeError("Purge counts changed mid-transaction; rolled back.")
        logs = (
            {}
            if audit_days is None
            else _purge_logs(conn, stamp(now - dt.timedelta(days=audit_days)), dry_run)
        )
    return {"drafts": drafts, "submitted": submitted, "candidates": orphans, **logs}


def _purge_logs(conn: Any, cutoff: str, dry_run: bool) -> dict[str, int]:
    # Both tables hold who did what and when (and, for unknown names, a keyed hash):
    # they are kept for the audit retention, not for ever.
    counts = {}
    for table in ("audit_log", "login_attempts"):
        counts[table] = conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE at < ?", (cutoff,)
        ).fetchone()[0]
        if not dry_run:
            conn.execute(f"DELETE FROM {table} WHERE at < ?", (cutoff,))
    return {"audit": counts["audit_log"], "login_attempts": counts["login_attempts"]}


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _check_backup_target(store: Store, target: Path) -> None:
    live = Path(store.path).resolve() if store.engine == "sqlite" and not store.memory else None
    if live is not None:
        live_files = {live, Path(f"{live}-wal"), Path(f"{live}-shm"), Path(f"{live}-journal")}
        if target in live_files or _same_file(target, live):
            raise ValueError(
                f"{target} is the live database. Choose a new file name for the backup."
            )
    if target.is_dir():
        raise ValueError(f"{target} is a folder. Give a file name inside it, e.g. {target}/b.db")
    if target.exists():
        raise ValueError(
            f"{target} already exists. Backups never overwrite a file; choose a new name."
        )
    if not target.parent.is_dir():
        raise ValueError(f"The folder {target.parent} does not exist. Create it first.")


def backup(store: Store, path: str | Path) -> dict[str, Any]:
    """Write a consistent copy of the database to a new file and check it.

    The engine makes and checks the copy (`Store.write_backup`): SQLite through a
    separate read-only connection, so sessions are not held up behind the store's lock
    for the length of the copy; PostgreSQL with `pg_dump`, restorable with `pg_restore`.

    The copy is created readable by its owner only (0600). If anything fails, the files
    this backup created (the copy and its -journal) are removed, and the error says
    what failed first; a file that could not be removed is named, never hidden.
    """
    target = Path(path).expanduser().resolve()
    _check_backup_target(store, target)
    siblings = [Path(f"{target}{suffix}") for suffix in ("-journal", "-wal", "-shm")]
    already_there = {p for p in siblings if p.exists()}
    try:
        if not create_private_file(target):
            raise ValueError(
                f"{target} already exists. Backups never overwrite a file; choose a new name."
            )
    except OSError as exc:
        raise ValueError(f"The backup could not be created at {target}: {exc.strerror}.") from exc
    try:
        verdict = store.write_backup(target)
    except (StoreError, OSError) as exc:
        raise ValueError(
            f"The backup could not be written to {target}: {exc}."
            + _clean_up([target, *siblings], already_there)
        ) from exc
    if verdict != "ok":
        raise ValueError(
            f"The backup failed its integrity check ({verdict[:200]}) and was removed. "
            "The live database was not changed." + _clean_up([target, *siblings], already_there)
        )
    return {"path": str(target), "bytes": target.stat().st_size}


def _clean_up(paths: list[Path], keep: set[Path]) -> str:
    """Remove what a failed backup left behind; a note on anything that stayed."""
    stuck = []
    for leftover in paths:
        if leftover in keep:
            continue
        try:
            leftover.unlink(missing_ok=True)
        except OSError as exc:
            stuck.append(f"{leftover} ({exc.strerror})")
    if stuck:
        return " These partial files could not be removed: " + ", ".join(stuck) + "."
    return ""


def stats(store: Store) -> dict[str, Any]:
    """Counts for the admin: people, reflections, review statuses, campaigns, contacts."""
    with store.read() as conn:

        def one(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])

        candidates = one("SELECT COUNT(*) FROM candidates")
        reflections = one("SELECT COUNT(*) FROM reflections")
        drafts = one("SELECT COUNT(*) FROM reflections WHERE submitted_at IS NULL")
        contact_requests = one("SELECT COUNT(*) FROM contact_requests")
        by_status = dict(
            conn.execute(
                "SELECT review_status, COUNT(*) FROM reflections "
                "WHERE submitted_at IS NOT NULL GROUP BY review_status"
            ).fetchall()
        )
        campaigns = conn.execute(
            "SELECT COALESCE(utm_campaign, ?) AS campaign, COUNT(*) AS reflections, "
            "COUNT(submitted_at) AS submitted FROM reflections "
            "GROUP BY campaign ORDER BY reflections DESC, campaign",
            (NO_CAMPAIGN,),
        ).fetchall()
    submitted = {status: int(by_status.get(status, 0)) for status in REVIEW_STATUSES}
    return {
        "candidates": candidates,
        "reflections": reflections,
        "drafts": drafts,
        "submitted": {"total": reflections - drafts, **submitted},
        "by_campaign": {
            row["campaign"]: {"reflections": row["reflections"], "submitted": row["submitted"]}
            for row in campaigns
        },
        "contact_requests": contact_requests,
    }
