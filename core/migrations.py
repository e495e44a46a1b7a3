"""Numbered schema migrations, applied in order when the store opens.

Never edit a migration that has shipped: add the next number instead.
"""

from __future__ import annotations

import json
import secrets

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("bounce_back")


def _run(db: Database, script: str) -> None:
    # executescript() would COMMIT the migration's transaction; run statement by statement.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _on_postgres(db: Database) -> bool:
    """True when the store runs this migration on PostgreSQL (core/store_pg.py).

    The store translates the common DDL differences itself (INTEGER PRIMARY KEY, REAL,
    WITHOUT ROWID); a migration branches on this only where the SQL truly differs.
    """
    return getattr(db, "engine", "sqlite") == "postgresql"


@MIGRATIONS(name="0001_initial")
def m0001_initial(db: Database) -> None:
    script = _M0001
    if _on_postgres(db):
        # PostgreSQL checks a REFERENCES target when the table is created: consultants
        # (referenced by reflections.assignee_id) goes first there.
        statements = [s for s in script.split(";") if s.strip()]
        first = [s for s in statements if "CREATE TABLE consultants" in s]
        script = ";".join(first + [s for s in statements if s not in first])
    _run(db, script)


_M0001 = """
        CREATE TABLE candidates (
            id INTEGER PRIMARY KEY,
            code_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE reflections (
            id INTEGER PRIMARY KEY,
            candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            utm_source TEXT, utm_medium TEXT, utm_campaign TEXT, ref TEXT,
            consent_store_version TEXT, consent_store_at TEXT,
            consent_review_version TEXT, consent_review_at TEXT,
            submitted_at TEXT,
            review_status TEXT NOT NULL DEFAULT 'new'
                CHECK (review_status IN ('new', 'in_progress', 'contacted', 'closed')),
            assignee_id INTEGER REFERENCES consultants(id) ON DELETE SET NULL,
            company TEXT, role TEXT, stage_reached TEXT,
            overall REAL, band TEXT,
            score_feedback REAL, score_connections REAL, score_options REAL,
            score_approach REAL, score_learning REAL,
            reasons_json TEXT NOT NULL DEFAULT '[]',
            reason_codes TEXT NOT NULL DEFAULT '',
            priority INTEGER NOT NULL DEFAULT 0,
            contact_requested INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX reflections_candidate ON reflections(candidate_id, created_at);
        CREATE INDEX reflections_queue
            ON reflections(submitted_at IS NULL, priority DESC, submitted_at);
        CREATE TABLE answers (
            reflection_id INTEGER NOT NULL REFERENCES reflections(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (reflection_id, key)
        ) WITHOUT ROWID;
        CREATE TABLE contact_requests (
            id INTEGER PRIMARY KEY,
            reflection_id INTEGER NOT NULL REFERENCES reflections(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            email TEXT, phone TEXT,
            channel TEXT NOT NULL,
            message TEXT NOT NULL DEFAULT '',
            consent_version TEXT NOT NULL,
            consent_at TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX contact_requests_reflection ON contact_requests(reflection_id);
        CREATE TABLE consultants (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL DEFAULT '',
            email TEXT,
            password_hash TEXT,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            at TEXT NOT NULL,
            success INTEGER NOT NULL
        );
        CREATE INDEX login_attempts_user ON login_attempts(username, at);
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            reflection_id INTEGER NOT NULL REFERENCES reflections(id) ON DELETE CASCADE,
            consultant_id INTEGER REFERENCES consultants(id),
            body TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX notes_reflection ON notes(reflection_id, created_at);
        CREATE TABLE status_changes (
            id INTEGER PRIMARY KEY,
            reflection_id INTEGER NOT NULL REFERENCES reflections(id) ON DELETE CASCADE,
            consultant_id INTEGER REFERENCES consultants(id),
            from_status TEXT NOT NULL,
            to_status TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX status_changes_reflection ON status_changes(reflection_id, at);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            reflection_id INTEGER,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_log_at ON audit_log(at);
        """


@MIGRATIONS(name="0002_queue_indexes")
def m0002_queue_indexes(db: Database) -> None:
    # Partial indexes cover only submitted reflections, the only rows consultants see, so
    # the queue's first page and its count read a small index instead of every draft.
    _run(
        db,
        """
        CREATE INDEX reflections_queue_order
            ON reflections(priority DESC, submitted_at, id) WHERE submitted_at IS NOT NULL;
        CREATE INDEX reflections_queue_status
            ON reflections(review_status, priority DESC, submitted_at, id)
            WHERE submitted_at IS NOT NULL;
        CREATE INDEX reflections_queue_band
            ON reflections(band, priority DESC, submitted_at, id) WHERE submitted_at IS NOT NULL;
        CREATE INDEX reflections_queue_submitted
            ON reflections(submitted_at) WHERE submitted_at IS NOT NULL;
        CREATE INDEX reflections_queue_campaign
            ON reflections(utm_campaign, submitted_at) WHERE submitted_at IS NOT NULL;
        CREATE INDEX reflections_queue_assignee
            ON reflections(assignee_id, submitted_at) WHERE submitted_at IS NOT NULL;
        CREATE INDEX audit_log_reflection ON audit_log(reflection_id, at);
        """,
    )


@MIGRATIONS(name="0003_queue_covering_index")
def m0003_queue_covering_index(db: Database) -> None:
    # The queue-order index now also carries every filtered and searched column, so any
    # filter or search is one sequential pass over the index without touching the table.
    _run(
        db,
        """
        DROP INDEX reflections_queue_order;
        CREATE INDEX reflections_queue_cover
            ON reflections(priority DESC, submitted_at, id, review_status, band, utm_campaign,
                           assignee_id, reason_codes, company, role)
            WHERE submitted_at IS NOT NULL;
        """,
    )


@MIGRATIONS(name="0004_queue_filter_indexes_cover")
def m0004_queue_filter_indexes_cover(db: Database) -> None:
    # Combined filters (status and band, status and reason...) were counted through the
    # status index plus one table lookup per match: 0.2-0.3 s at 100,000 submissions.
    # The status, band and campaign indexes now carry every filtered column, so a count
    # under any mix of filters reads one index and never the table.
    _run(
        db,
        """
        DROP INDEX reflections_queue_status;
        CREATE INDEX reflections_queue_status
            ON reflections(review_status, priority DESC, submitted_at, id, band, utm_campaign,
                           assignee_id, reason_codes, company, role)
            WHERE submitted_at IS NOT NULL;
        DROP INDEX reflections_queue_band;
        CREATE INDEX reflections_queue_band
            ON reflections(band, priority DESC, submitted_at, id, review_status, utm_campaign,
                           assignee_id, reason_codes, company, role)
            WHERE submitted_at IS NOT NULL;
        DROP INDEX reflections_queue_campaign;
        CREATE INDEX reflections_queue_campaign
            ON reflections(utm_campaign, submitted_at, review_status, band, assignee_id,
                           reason_codes, company, role)
            WHERE submitted_at IS NOT NULL;
        """,
    )


@MIGRATIONS(name="0005_browser_and_staff_sessions")
def m0005_browser_and_staff_sessions(db: Database) -> None:
    # Sessions that outlive a websocket: a candidate's browser (device token) and a
    # consultant's login. Only SHA-256 hashes of tokens and claim tickets are stored. A
    # row is made first with a one-time claim ticket; the browser trades the ticket for
    # its cookie at a server route, which writes the token hash.
    _run(
        db,
        """
        CREATE TABLE device_tokens (
            id INTEGER PRIMARY KEY,
            candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
            token_hash TEXT UNIQUE,
            claim_hash TEXT UNIQUE,
            claim_expires_at TEXT,
            embedded INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            last_used_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX device_tokens_candidate ON device_tokens(candidate_id);
        CREATE TABLE consultant_sessions (
            id INTEGER PRIMARY KEY,
            consultant_id INTEGER NOT NULL REFERENCES consultants(id) ON DELETE CASCADE,
            token_hash TEXT UNIQUE,
            claim_hash TEXT UNIQUE,
            claim_expires_at TEXT,
            via_sso INTEGER NOT NULL DEFAULT 0,
            password_fingerprint TEXT NOT NULL,
            started_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            ended_at TEXT,
            ended_reason TEXT
        );
        CREATE INDEX consultant_sessions_consultant ON consultant_sessions(consultant_id);
        """,
    )


@MIGRATIONS(name="0006_trust_fixes")
def m0006_trust_fixes(db: Database) -> None:
    # Single sign-on accounts are bound to the identity provider's issuer and subject,
    # never to the e-mail claim alone. Consultants read a snapshot of what was shared
    # (answers as JSON; the scores and reasons already live on the row), taken now from
    # the current answers for reflections shared before this migration. Status history
    # also records the candidate sharing, re-sending or withdrawing. Unknown usernames
    # in the audit log are stored as a keyed hash; the key is made here, once. The
    # overview counts shared reflections only (contact requests join the queue without
    # answers): its two partial indexes keep that to one index pass each.
    _run(
        db,
        """
        ALTER TABLE consultants ADD COLUMN sso_issuer TEXT;
        ALTER TABLE consultants ADD COLUMN sso_subject TEXT;
        CREATE UNIQUE INDEX consultants_sso_identity
            ON consultants(sso_issuer, sso_subject) WHERE sso_subject IS NOT NULL;
        ALTER TABLE reflections ADD COLUMN shared_answers_json TEXT;
        ALTER TABLE status_changes ADD COLUMN kind TEXT NOT NULL DEFAULT 'status';
        CREATE TABLE install_secrets (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            audit_key TEXT NOT NULL
        );
        CREATE INDEX login_attempts_at ON login_attempts(at, success);
        CREATE INDEX reflections_shared_band
            ON reflections(band, submitted_at) WHERE shared_answers_json IS NOT NULL;
        CREATE INDEX reflections_shared_campaign
            ON reflections(utm_campaign, submitted_at) WHERE shared_answers_json IS NOT NULL
        """,
    )
    if _on_postgres(db):
        db.execute(
            "UPDATE reflections SET shared_answers_json = (SELECT COALESCE(json_object_agg(a.key, "
            "a.value::json)::text, '{}') FROM answers a WHERE a.reflection_id = reflections.id) "
            "WHERE submitted_at IS NOT NULL"
        )
        db.execute(
            "INSERT INTO install_secrets (id, audit_key) VALUES (1, ?)", (secrets.token_hex(32),)
        )
    else:
        _run(
            db,
            """
            UPDATE reflections SET shared_answers_json = (
                SELECT json_group_object(a.key, json(a.value)) FROM answers a
                WHERE a.reflection_id = reflections.id
            ) WHERE submitted_at IS NOT NULL;
            INSERT INTO install_secrets (id, audit_key) VALUES (1, lower(hex(randomblob(32))))
            """,
        )
    # Contact requests from candidates who never shared were stored but reached nobody:
    # they join the queue now as contact requests, ranked like "asked to talk".
    from core.contact import ASKED_TO_TALK

    db.execute(
        "UPDATE reflections SET submitted_at = (SELECT MIN(c.created_at) FROM contact_requests c "
        "WHERE c.reflection_id = reflections.id), contact_requested = 1, reason_codes = ?, "
        "reasons_json = ?, priority = ?, company = NULL, role = NULL, stage_reached = NULL "
        "WHERE submitted_at IS NULL AND EXISTS (SELECT 1 FROM contact_requests c "
        "WHERE c.reflection_id = reflections.id)",
        (ASKED_TO_TALK.code, json.dumps([ASKED_TO_TALK.as_dict()]), ASKED_TO_TALK.priority),
    )


@MIGRATIONS(name="0007_preferred_time_and_follow_up")
def m0007_preferred_time_and_follow_up(db: Database) -> None:
    # The one contact form on My plan asks when suits the candidate best; consultants
    # set a follow-up date on a reflection, and the queue shows the ones due first.
    _run(
        db,
        """
        ALTER TABLE contact_requests ADD COLUMN preferred_time TEXT NOT NULL DEFAULT '';
        ALTER TABLE reflections ADD COLUMN follow_up_on TEXT;
        CREATE INDEX reflections_follow_up ON reflections(follow_up_on, id)
            WHERE follow_up_on IS NOT NULL AND submitted_at IS NOT NULL
        """,
    )
