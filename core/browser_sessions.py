"""Sessions that outlive a websocket: a candidate's browser and a consultant's login.

Streamlit's session state dies with the tab. What survives a reload is an HttpOnly
cookie holding a random token, and a row here holding only the token's SHA-256.

A cookie cannot be set from a script run, only from an HTTP response. So a row starts
with a one-time claim ticket (also stored only as a hash, valid for a few minutes);
the page trades the ticket for the cookie at a server route (`claim_*`), which draws
the token, stores its hash and answers with `Set-Cookie`. The token itself never
passes through a script run, the database, a log or the audit log.

Candidate device tokens expire after `DEVICE_IDLE_DAYS` without use (sliding) and are
revoked by "Forget this browser"; deleting the candidate deletes them. Consultant
sessions end after the idle or absolute timeout, on logout (every session of that
consultant), when the account is disabled, or when its password changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from core import accounts, audit
from core.clock import Clock, system_clock
from core.clock import parse_stamp as _parse
from core.clock import stamp as _stamp
from core.settings import Settings
from core.store import Store

DEVICE_IDLE_DAYS = 30
CLAIM_MINUTES = 5
TOKEN_BYTES = 32  # 256 random bits; at least 128 are needed
# secrets.token_urlsafe(32) is 43 characters of the URL-safe base64 alphabet.
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")

DEVICE_COOKIE = "bb_device"
STAFF_COOKIE = "bb_staff"

DeviceProblem = Literal["malformed", "unknown", "revoked", "expired"]
StaffEnd = Literal["idle", "absolute", "disabled", "password", "logout", "unknown"]


def new_secret() -> str:
    """A fresh token or claim ticket: 256 random bits, URL-safe text."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def well_formed(value: object) -> bool:
    return isinstance(value, str) and bool(_TOKEN_RE.fullmatch(value))


def hash_secret(value: str) -> str:
    # 256 random bits need no salt or slow hash: there is nothing to guess against.
    return hashlib.sha256(value.encode()).hexdigest()


# ------------------------------------------------------------------ candidate devices


@dataclass(frozen=True)
class DeviceMatch:
    token_id: int
    candidate_id: int
    reflection_id: int


@dataclass(frozen=True)
class Claimed:
    """What a claim route needs to answer: the new token (for the cookie only) and mode."""

    token: str
    row_id: int
    embedded: bool


def issue_device_claim(
    store: Store, candidate_id: int, *, embedded: bool = False, clock: Clock = system_clock
) -> tuple[int, str]:
    """A device-token row for this candidate, waiting for the browser: (row id, ticket)."""
    now = clock()
    ticket = new_secret()
    with store.write() as conn:
        cur = conn.execute(
            "INSERT INTO device_tokens (candidate_id, claim_hash, claim_expires_at, embedded, "
            "created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                candidate_id,
                hash_secret(ticket),
                _stamp(now + dt.timedelta(minutes=CLAIM_MINUTES)),
                int(embedded),
                _stamp(now),
                _stamp(now),
            ),
        )
    return int(cur.lastrowid), ticket


def claim_device(
    store: Store,
    ticket: object,
    replaces: object = None,
    *,
    embedded: bool | None = None,
    clock: Clock = system_clock,
) -> Claimed | None:
    """Trade a claim ticket for a token, once; None for anything else.

    `replaces` is the device cookie the browser still had (say someone else's on a shared
    computer): it is revoked, so one browser holds one live token. `embedded` is what
    the page saw (inside a frame or not), when it said.
    """
    if not well_formed(ticket):
        return None
    now = clock()
    token = new_secret()
    with store.write() as conn:
        row = _live_claim(conn, "device_tokens", "revoked_at", ticket, now)
        if row is None:
            return None
        if well_formed(replaces):
            conn.execute(
                "UPDATE device_tokens SET revoked_at = ? WHERE token_hash = ? AND id != ?",
                (_stamp(now), hash_secret(replaces), row["id"]),
            )
        framed = bool(row["embedded"]) if embedded is None else embedded
        conn.execute(
            "UPDATE device_tokens SET token_hash = ?, claim_hash = NULL, claim_expires_at = NULL, "
            "last_used_at = ?, embedded = ? WHERE id = ?",
            (hash_secret(token), _stamp(now), int(framed), row["id"]),
        )
    return Claimed(token, int(row["id"]), framed)


def check_device(
    store: Store, token: object, *, clock: Clock = system_clock, touch: bool = True
) -> DeviceMatch | DeviceProblem:
    """The candidate and latest reflection behind a device cookie, or why there is none.

    A valid token's expiry slides: using it counts as use.
    """
    if not well_formed(token):
        return "malformed"
    now = clock()
    with store.read() as conn:
        row = conn.execute(
            "SELECT t.id, t.candidate_id, t.last_used_at, t.revoked_at, "
            "(SELECT r.id FROM reflections r WHERE r.candidate_id = t.candidate_id "
            " ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS reflection_id "
            "FROM device_tokens t WHERE t.token_hash = ?",
            (hash_secret(token),),
        ).fetchone()
    if row is None or row["reflection_id"] is None:
        return "unknown"
    if row["revoked_at"] is not None:
        return "revoked"
    if now - _parse(row["last_used_at"]) >= dt.timedelta(days=DEVICE_IDLE_DAYS):
        return "expired"
    if touch:
        with store.write() as conn:
            conn.execute(
                "UPDATE device_tokens SET last_used_at = ? WHERE id = ?", (_stamp(now), row["id"])
            )
    return DeviceMatch(int(row["id"]), int(row["candidate_id"]), int(row["reflection_id"]))


def device_row_for_token(store: Store, token: object) -> dict[str, Any] | None:
    """The live row behind a device cookie (for the refresh route), or None."""
    if not well_formed(token):
        return None
    with store.read() as conn:
        row = conn.execute(
            "SELECT id, embedded FROM device_tokens WHERE token_hash = ? AND revoked_at IS NULL",
            (hash_secret(token),),
        ).fetchone()
    return dict(row) if row else None


def revoke_device(store: Store, row_id: int, *, clock: Clock = system_clock) -> None:
    """'Forget this browser': this one token stops working."""
    with store.write() as conn:
        conn.execute(
            "UPDATE device_tokens SET revoked_at = COALESCE(revoked_at, ?), claim_hash = NULL "
            "WHERE id = ?",
            (_stamp(clock()), row_id),
        )


def revoke_device_token(store: Store, token: object, *, clock: Clock = system_clock) -> None:
    if well_formed(token):
        with store.write() as conn:
            conn.execute(
                "UPDATE device_tokens SET revoked_at = COALESCE(revoked_at, ?) "
                "WHERE token_hash = ?",
                (_stamp(clock()), hash_secret(token)),
            )


def revoke_candidate_devices(
    store: Store, candidate_id: int, *, clock: Clock = system_clock
) -> int:
    """Every browser of this candidate forgets them (consent withdrawn). Returns the count."""
    with store.write() as conn:
        cur = conn.execute(
            "UPDATE device_tokens SET revoked_at = ?, claim_hash = NULL "
            "WHERE candidate_id = ? AND revoked_at IS NULL",
            (_stamp(clock()), candidate_id),
        )
    return cur.rowcount


# ------------------------------------------------------------------ consultant sessions


@dataclass(frozen=True)
class StaffSession:
    row_id: int
    consultant_id: int
    username: str
    display_name: str
    started_at: dt.datetime
    last_seen: dt.datetime
    via_sso: bool


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
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
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
    return int(cur.lastrowid), ticket


def _live_claim(conn: Any, table: str, ended: str, ticket: str, now: dt.datetime) -> Any:
    """The row holding this unexpired, unspent claim ticket, or None. `table` and `ended`
    are one of two fixed pairs written in this module, never outside input."""
    row = conn.execute(
        f"SELECT * FROM {table} WHERE claim_hash = ? AND {ended} IS NULL",
        (hash_secret(ticket),),
    ).fetchone()
    if row is None or _parse(row["claim_expires_at"]) <= now:
        return None
    return row


def claim_staff(store: Store, ticket: object, *, clock: Clock = system_clock) -> Claimed | None:
    """Trade a consultant's claim ticket for a session token, once."""
    if not well_formed(ticket):
        return None
    now = clock()
    token = new_secret()
    with store.write() as conn:
        row = _live_claim(conn, "consultant_sessions", "ended_at", ticket, now)
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


# ------------------------------------------------------------------ tidying


KEEP_ENDED_DAYS = 7  # the audit log keeps the history; the rows are only needed briefly
KEEP_EXPIRED_DAYS = 90  # long enough to tell a returning visitor their browser forgot them


def forget_stale(store: Store, settings: Settings, *, clock: Clock = system_clock) -> int:
    """Delete rows no browser can use any more. Returns how many went.

    Claims never traded (the page closed first), revoked tokens, long-expired ones,
    and consultant sessions that ended or ran past their absolute limit.
    """
    now = clock()
    ended_before = _stamp(now - dt.timedelta(days=KEEP_ENDED_DAYS))
    absolute = dt.timedelta(hours=settings.absolute_timeout_hours)
    with store.write() as conn:
        gone = conn.execute(
            "DELETE FROM device_tokens WHERE "
            "(token_hash IS NULL AND claim_expires_at < ?) "
            "OR (revoked_at IS NOT NULL AND revoked_at < ?) OR last_used_at < ?",
            (
                _stamp(now),
                ended_before,
                _stamp(now - dt.timedelta(days=DEVICE_IDLE_DAYS + KEEP_EXPIRED_DAYS)),
            ),
        ).rowcount
        gone += conn.execute(
            "DELETE FROM consultant_sessions WHERE "
            "(token_hash IS NULL AND claim_expires_at < ?) "
            "OR (ended_at IS NOT NULL AND ended_at < ?) OR started_at < ?",
            (
                _stamp(now),
                ended_before,
                _stamp(now - absolute - dt.timedelta(days=KEEP_ENDED_DAYS)),
            ),
        ).rowcount
    return gone
