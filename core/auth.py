"""Consultant login: password check, throttling, session timeouts, single sign-on, audit.

Time comes from an injectable clock (a function returning an aware UTC datetime) so
throttling and timeouts can be tested without waiting. Failed attempts live in the
`login_attempts` table, so restarting the server does not reset a lockout.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError

from core import accounts
from core.settings import Settings
from core.store import Store

Clock = Callable[[], dt.datetime]

# The one answer for unknown user, wrong password, disabled account or malformed input,
# so the form never reveals which usernames exist.
REFUSED = "That username and password don't match an active account. Please try again."
LOCKED = (
    "Too many unsuccessful attempts for this username. For safety, logging in is paused "
    "for {minutes} minutes. Please try again later."
)
SSO_REFUSED = (
    "Your single sign-on account ({email}) isn't on the list of consultants allowed in. "
    "Ask the administrator to add it."
)
SSO_DISABLED = "This consultant account has been disabled. Ask the administrator if that's wrong."
MAX_USERNAME_INPUT = 64
AUDIT_ACTOR_MAX = 64

_dummy_hashes: dict[int, str] = {}


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """ISO text in UTC, second precision: sorts and compares correctly as text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _printable(text: str, limit: int) -> str:
    # Attacker-chosen usernames end up in the audit log: keep them short and one line.
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return kept[:limit]


def audit(
    conn: Any,
    actor: str,
    action: str,
    reflection_id: int | None = None,
    detail: str = "",
    *,
    at: dt.datetime | None = None,
) -> None:
    """One audit row, written inside the caller's transaction. Never pass candidate text."""
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, reflection_id, detail) VALUES (?, ?, ?, ?, ?)",
        (
            stamp(at or system_clock()),
            _printable(actor, AUDIT_ACTOR_MAX) or "(blank)",
            action,
            reflection_id,
            detail,
        ),
    )


def audit_entries(store: Store, *, limit: int = 200) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [dict(row) for row in rows]


@dataclass(frozen=True)
class ConsultantSession:
    consultant_id: int
    username: str
    display_name: str
    started_at: dt.datetime
    last_seen: dt.datetime
    via_sso: bool = False


@dataclass(frozen=True)
class LoginResult:
    session: ConsultantSession | None
    message: str = ""
    locked: bool = False

    @property
    def ok(self) -> bool:
        return self.session is not None


def _dummy_hash() -> str:
    # Verified against for unknown users so a miss costs as much time as a wrong password.
    key = id(accounts.hasher())
    if key not in _dummy_hashes:
        _dummy_hashes[key] = accounts.hasher().hash("not a real password, only for timing")
    return _dummy_hashes[key]


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return accounts.hasher().verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False


def locked_until(
    store: Store, username: str, settings: Settings, now: dt.datetime
) -> dt.datetime | None:
    """When the lockout on this username ends, or None when it may try now.

    Locked when the last `login_max_failures` attempts all failed within
    `login_window_minutes` of each other; the pause lasts `login_window_minutes` from the
    last of them. A success in between breaks the run.
    """
    window = dt.timedelta(minutes=settings.login_window_minutes)
    with store.read() as conn:
        rows = conn.execute(
            "SELECT at, success FROM login_attempts WHERE username = ? AND at >= ? "
            "ORDER BY at DESC, id DESC LIMIT ?",
            (username, stamp(now - 2 * window), settings.login_max_failures),
        ).fetchall()
    if len(rows) < settings.login_max_failures or any(r["success"] for r in rows):
        return None
    newest, oldest = parse_stamp(rows[0]["at"]), parse_stamp(rows[-1]["at"])
    if newest - oldest > window:
        return None
    until = newest + window
    return until if now < until else None


def authenticate(
    store: Store,
    username: object,
    password: object,
    settings: Settings,
    clock: Clock = system_clock,
) -> LoginResult:
    """Check a login form. Every attempt is audited (never with the password)."""
    now = clock()
    raw = username if isinstance(username, str) else ""
    name = raw.strip().lower()[:MAX_USERNAME_INPUT]
    well_formed = (
        isinstance(username, str)
        and isinstance(password, str)
        and bool(password)
        and len(password) <= accounts.MAX_PASSWORD
        and len(raw) <= MAX_USERNAME_INPUT
        and bool(accounts.USERNAME_RE.match(name))
    )
    until = locked_until(store, name, settings, now) if name else None
    if until is not None:
        minutes = max(1, round((until - now).total_seconds() / 60))
        with store.write() as conn:
            audit(conn, name, "login_refused", detail="locked", at=now)
        return LoginResult(None, LOCKED.format(minutes=minutes), locked=True)

    consultant = accounts.get_by_username(store, name) if well_formed else None
    # Always run one argon2 verification, whatever went wrong, so timing tells nothing.
    matched = _verify(
        consultant["password_hash"] if consultant else None,
        password if isinstance(password, str) and well_formed else "",
    )
    if not well_formed:
        outcome = "malformed input"
    elif consultant is None:
        outcome = "unknown user"
    elif not matched:
        outcome = "wrong password"
    elif consultant["disabled"]:
        outcome = "disabled account"
    else:
        outcome = "ok"
    success = outcome == "ok"
    with store.write() as conn:
        if name:
            conn.execute(
                "INSERT INTO login_attempts (username, at, success) VALUES (?, ?, ?)",
                (name, stamp(now), int(success)),
            )
        audit(conn, name, "login" if success else "login_failed", detail=outcome, at=now)
        if success and accounts.hasher().check_needs_rehash(consultant["password_hash"]):
            conn.execute(
                "UPDATE consultants SET password_hash = ? WHERE id = ?",
                (accounts.hash_password(password), consultant["id"]),
            )
    if not success:
        return LoginResult(None, REFUSED)
    return LoginResult(_new_session(consultant, now))


def _new_session(
    consultant: dict[str, Any], now: dt.datetime, via_sso: bool = False
) -> ConsultantSession:
    return ConsultantSession(
        consultant_id=consultant["id"],
        username=consultant["username"],
        display_name=accounts.display_name(consultant),
        started_at=now,
        last_seen=now,
        via_sso=via_sso,
    )


def expiry_reason(session: ConsultantSession, settings: Settings, now: dt.datetime) -> str | None:
    """'idle' or 'absolute' when the session has run out, else None."""
    if now - session.started_at >= dt.timedelta(hours=settings.absolute_timeout_hours):
        return "absolute"
    if now - session.last_seen >= dt.timedelta(minutes=settings.idle_timeout_minutes):
        return "idle"
    return None


def touch(session: ConsultantSession, now: dt.datetime) -> ConsultantSession:
    return replace(session, last_seen=now)


def still_active(store: Store, session: ConsultantSession) -> bool:
    """False once the account was disabled (or deleted) while logged in."""
    consultant = accounts.get_by_id(store, session.consultant_id)
    return consultant is not None and not consultant["disabled"]


def validate_session(
    store: Store, session: ConsultantSession, settings: Settings, clock: Clock = system_clock
) -> tuple[ConsultantSession | None, str | None]:
    """(refreshed session, None) while valid; (None, reason) once it has ended.

    An ended session is audited once here, with the reason.
    """
    now = clock()
    reason = expiry_reason(session, settings, now)
    if reason is None and not still_active(store, session):
        reason = "disabled"
    if reason is None:
        return touch(session, now), None
    with store.write() as conn:
        audit(conn, session.username, "session_ended", detail=reason, at=now)
    return None, reason


def logout(store: Store, session: ConsultantSession, clock: Clock = system_clock) -> None:
    with store.write() as conn:
        audit(conn, session.username, "logout", at=clock())


def sso_allowed(email: str, allow_list: str) -> bool:
    """Is this e-mail on the comma-separated allow-list of addresses and "@domain" entries?"""
    email = email.strip().lower()
    if "@" not in email:
        return False
    domain = "@" + email.rsplit("@", 1)[1]
    for entry in (e.strip().lower() for e in allow_list.split(",")):
        if entry and (entry == email or (entry.startswith("@") and entry == domain)):
            return True
    return False


def sso_login(
    store: Store,
    email: object,
    display_name: str,
    settings: Settings,
    clock: Clock = system_clock,
) -> LoginResult:
    """Log in someone the identity provider vouched for, if the allow-list admits them.

    The first time an allowed address signs in, a consultant row (no password) is made
    for it so notes and assignments have someone to point at.
    """
    now = clock()
    clean = email.strip().lower() if isinstance(email, str) else ""
    if not clean or len(clean) > accounts.EMAIL_MAX or not sso_allowed(clean, settings.sso_allowed):
        with store.write() as conn:
            audit(conn, clean or "(no e-mail)", "sso_refused", detail="not allowed", at=now)
        return LoginResult(None, SSO_REFUSED.format(email=_printable(clean, 80) or "no e-mail"))
    with store.write() as conn:
        row = conn.execute(
            "SELECT * FROM consultants WHERE email = ? OR username = ? ORDER BY id LIMIT 1",
            (clean, clean),
        ).fetchone()
        if row is None:
            name = _printable(display_name.strip(), accounts.DISPLAY_NAME_MAX)
            cur = conn.execute(
                "INSERT INTO consultants (username, display_name, email, password_hash, "
                "created_at) VALUES (?, ?, ?, NULL, ?)",
                (clean, name, clean, stamp(now)),
            )
            consultant: dict[str, Any] = {
                "id": int(cur.lastrowid),
                "username": clean,
                "display_name": name,
                "disabled": 0,
            }
        else:
            consultant = dict(row)
        if consultant["disabled"]:
            audit(conn, consultant["username"], "sso_refused", detail="disabled account", at=now)
            return LoginResult(None, SSO_DISABLED)
        audit(conn, consultant["username"], "login", detail="single sign-on", at=now)
    return LoginResult(_new_session(consultant, now, via_sso=True))
