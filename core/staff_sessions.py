"""A consultant's login that outlives a tab: a row in `consultant_sessions` behind the
`bb_staff` cookie, and the one check every consultant action goes through.

How a token reaches the cookie: `core.session_tokens`. A session ends after the idle or
absolute timeout, on logout (every session of that consultant), when the account is
disabled, or when its password changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from core import accounts, audit
from core.clock import Clock, system_clock
from core.clock import parse_stamp as _parse
from core.clock import stamp as _stamp
from core.session_tokens import (
    CLAIM_MINUTES,
    KEEP_ENDED_DAYS,
    Claimed,
    hash_secret,
    live_claim,
    new_secret,
    well_formed,
)
from core.settings import Settings
from core.store import Store

STAFF_COOKIE = "bb_staff"

StaffEnd = Literal["idle", "absolute", "disabled", "password", "logout", "unknown"]


@dataclass(frozen=True)
class StaffSession:
    row_id: int
    consultant_id: int
    username: str
    display_name: str
    started_at: dt.datetime
    last_seen: dt.datetime
    via_sso: bool


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt (password or single sign-on) came to: a started session and
    the claim ticket its page trades for the cookie, or the message to show."""

    session: StaffSession | None
    message: str = ""
    locked: bool = False
    ticket: str = ""
    # Single sign-on only: the identity is too old to start a session, so the page
    # sends the consultant through the identity provider again.
    ask_provider: bool = False


def password_fingerprint(password_hash: str | None) -> str:
    # A new password gives a new (salted) hash, so sessions made before it stop matching.
    return hash_secret(password_hash or "(no password: single sign-on)")


def open_staff_session(
    store: Store, consultant_id: int, *, via_sso: bool = False, clock: Clock = system_clock
) -> tuple[int, str]:
    """A consultant session row waiting for its cookie: (row id, claim ticket)."""
    now = clock()
    ticket = new_secret()
    with store.write() as conn:
        consultant = conn.execute(
            "SELECT password_hash FROM consultants WHERE id = ?", (consultant_id,)
        ).fetchone()
        if consultant is None:
            raise LookupError("no such consultant")
        cur = conn.execute(
            "INSERT INTO consultant_sessions (consultant_id, claim_hash, claim_expires_at, "
            "via_sso, password_fingerprint, started_at, last_seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                consultant_id,
                hash_secret(ticket),
                _stamp(now + dt.timedelta(minutes=CLAIM_MINUTES)),
                int(via_sso),
                password_fingerprint(consultant["password_hash"]),
                _stamp(now),
                _stamp(now),
            ),
        )
        row_id = int(cur.fetchone()[0])
    return row_id, ticket


def start(
    store: Store, consultant: Any, *, via_sso: bool = False, clock: Clock = system_clock
) -> LoginResult:
    """A login that just succeeded: a session row waiting for its cookie."""
    now = clock()
    row_id, ticket = open_staff_session(store, consultant["id"], via_sso=via_sso, clock=clock)
    session = StaffSession(
        row_id=row_id,
        consultant_id=int(consultant["id"]),
        username=consultant["username"],
        display_name=accounts.display_name(dict(consultant)),
        started_at=now,
        last_seen=now,
        via_sso=via_sso,
    )
    return LoginResult(session, ticket=ticket)


def claim_staff(store: Store, ticket: object, *, clock: Clock = system_clock) -> Claimed | None:
    """Trade a consultant's claim ticket for a session token, once."""
    if not well_formed(ticket):
        return None
    now = clock()
    token = new_secret()
    with store.write() as conn:
        row = live_claim(conn, "consultant_sessions", "ended_at", ticket, now)
        if row is None:
            return None
        conn.execute(
            "UPDATE consultant_sessions SET token_hash = ?, claim_hash = NULL, "
            "claim_expires_at = NULL WHERE id = ?",
            (hash_secret(token), row["id"]),
        )
    return Claimed(token, int(row["id"]), False)


def staff_row_for_token(store: Store, token: object) -> int | None:
    """The session row id behind a consultant cookie (whether or not it is still valid)."""
    if not well_formed(token):
        return None
    with store.read() as conn:
        row = conn.execute(
            "SELECT id FROM consultant_sessions WHERE token_hash = ?", (hash_secret(token),)
        ).fetchone()
    return int(row["id"]) if row else None


def _staff_end_reason(row: Any, settings: Settings, now: dt.datetime) -> StaffEnd | None:
    if row is None:
        return "unknown"
    if row["ended_at"] is not None:
        return row["ended_reason"] or "logout"
    if row["disabled"] is None or row["disabled"]:
        return "disabled"
    if row["password_fingerprint"] != password_fingerprint(row["password_hash"]):
        return "password"
    if now - _parse(row["started_at"]) >= dt.timedelta(hours=settings.absolute_timeout_hours):
        return "absolute"
    if now - _parse(row["last_seen_at"]) >= dt.timedelta(minutes=settings.idle_timeout_minutes):
        return "idle"
    return None


def _staff_row(conn: Any, row_id: int) -> Any:
    return conn.execute(
        "SELECT s.*, c.username, c.display_name, c.email, c.disabled, c.password_hash "
        "FROM consultant_sessions s LEFT JOIN consultants c ON c.id = s.consultant_id "
        "WHERE s.id = ?",
        (row_id,),
    ).fetchone()


def staff_session_state(
    store: Store, row_id: int, settings: Settings, *, clock: Clock = system_clock
) -> StaffEnd | None:
    """Why this session has ended, or None while it is valid. Does not count as activity."""
    with store.read() as conn:
        row = _staff_row(conn, row_id)
    return _staff_end_reason(row, settings, clock())


class SessionEnded(PermissionError):
    """A consultant action from a session that has ended: nothing was done."""

    def __init__(self, reason: StaffEnd) -> None:
        super().__init__(f"consultant session ended ({reason})")
        self.reason: StaffEnd = reason


def require_live_staff_session(
    store: Store, row_id: int | None, settings: Settings, *, clock: Clock = system_clock
) -> None:
    """Raise SessionEnded unless this session is still valid, right now, on the server.

    Every consultant action (a button's callback, a download's producer) calls this
    before acting: they run before, or without, the page script that checks the login.
    """
    reason: StaffEnd | None = "unknown"
    if row_id is not None:
        reason = staff_session_state(store, row_id, settings, clock=clock)
    if reason is not None:
        raise SessionEnded(reason)


def use_staff_session(
    store: Store, row_id: int, settings: Settings, *, clock: Clock = system_clock
) -> StaffSession | StaffEnd:
    """A request from this session: the refreshed session, or why it has ended.

    Counts as activity (the idle clock restarts). A session found ended for a timeout,
    a disabled account or a new password is closed here, once, with the reason.
    """
    now = clock()
    with store.write() as conn:
        row = _staff_row(conn, row_id)
        reason = _staff_end_reason(row, settings, now)
        if reason is None:
            conn.execute(
                "UPDATE consultant_sessions SET last_seen_at = ? WHERE id = ?",
                (_stamp(now), row_id),
            )
        elif row is not None and row["ended_at"] is None:
            conn.execute(
                "UPDATE consultant_sessions SET ended_at = ?, ended_reason = ?, claim_hash = NULL "
                "WHERE id = ?",
                (_stamp(now), reason, row_id),
            )
            audit.record(
                conn, row["username"] or "(deleted)", "session_ended", detail=reason, at=now
            )
    if reason is not None:
        return reason
    return StaffSession(
        row_id=row_id,
        consultant_id=int(row["consultant_id"]),
        username=row["username"],
        display_name=accounts.display_name(dict(row)),
        started_at=_parse(row["started_at"]),
        last_seen=now,
        via_sso=bool(row["via_sso"]),
    )


def log_out(store: Store, session: StaffSession, *, clock: Clock = system_clock) -> None:
    """Log out everywhere: every session of this consultant ends, and it is audited."""
    end_consultant_sessions(store, session.consultant_id, clock=clock)
    with store.write() as conn:
        audit.record(conn, session.username, "logout", at=clock())


def end_consultant_sessions(
    store: Store, consultant_id: int, reason: StaffEnd = "logout", *, clock: Clock = system_clock
) -> int:
    """End every open session of this consultant (logout ends them in every tab)."""
    with store.write() as conn:
        cur = conn.execute(
            "UPDATE consultant_sessions SET ended_at = ?, ended_reason = ?, claim_hash = NULL "
            "WHERE consultant_id = ? AND ended_at IS NULL",
            (_stamp(clock()), reason, consultant_id),
        )
    return cur.rowcount


def forget_stale(store: Store, settings: Settings, *, clock: Clock = system_clock) -> int:
    """Delete session rows no browser can use any more: claims never traded, sessions
    that ended or ran past their absolute limit. Returns how many went."""
    now = clock()
    absolute = dt.timedelta(hours=settings.absolute_timeout_hours)
    with store.write() as conn:
        return conn.execute(
            "DELETE FROM consultant_sessions WHERE "
            "(token_hash IS NULL AND claim_expires_at < ?) "
            "OR (ended_at IS NOT NULL AND ended_at < ?) OR started_at < ?",
            (
                _stamp(now),
                _stamp(now - dt.timedelta(days=KEEP_ENDED_DAYS)),
                _stamp(now - absolute - dt.timedelta(days=KEEP_ENDED_DAYS)),
            ),
        ).rowcount
