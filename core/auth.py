"""Consultant login: password check, throttling, session timeouts, single sign-on, audit.

Time comes from an injectable clock (a function returning an aware UTC datetime) so
throttling and timeouts can be tested without waiting. Attempts live in the
`login_attempts` table, so restarting the server does not reset a wait.

Throttling: an attempt is recorded (as failed) in the same transaction that checks the
throttle, before the password is verified, so parallel guesses cannot all slip past the
check. After `login_max_failures` failures in a row a username waits before each further
try, one minute doubling up to `login_window_minutes`: a wait, never a lock, so whoever
guesses cannot keep the owner out for longer than that. A budget of failures per client
(`login_client_failures` within `login_window_minutes`, counted in this process's memory
like the other per-client limits in `core.limits`) slows spraying many names from one
place without pausing anyone else. At most `login_parallel_checks` argon2 verifications
(about 64 MiB each) run at once in the process; the rest queue briefly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError

from core import accounts
from core.audit import printable
from core.audit import record as audit
from core.clock import Clock, parse_stamp, stamp, system_clock
from core.limits import LOCAL_CLIENT, ClientLimit, budget_for
from core.safe_html import escape_md
from core.settings import Settings
from core.store import Store

# The one answer for unknown user, wrong password, disabled account or malformed input,
# so the form never reveals which usernames exist.
REFUSED = "That username and password don't match an active account. Please try again."
LOCKED = (
    "Too many unsuccessful attempts for this username. For safety, please wait {wait} "
    "before trying again."
)
BUSY_HERE = (
    "There have been many unsuccessful logins from your network recently, so logging in "
    "with a password from it is paused for safety. Please try again in {wait}, or use "
    "single sign-on if you have it."
)
BUSY = "Logging in is busy right now. Please try again in a moment."
SSO_REFUSED = (
    "Your single sign-on account ({email}) isn't on the list of consultants allowed in. "
    "Ask the administrator to add it."
)
SSO_DISABLED = "This consultant account has been disabled. Ask the administrator if that's wrong."
SSO_NOT_SET_UP = (
    "Single sign-on isn't fully set up here yet. Please log in with your password, or ask "
    "the administrator to finish setting it up."
)
SSO_WRONG_ISSUER = (
    "That sign-in came from an identity provider we don't accept here. Ask the administrator."
)
SSO_UNVERIFIED = (
    "Your identity provider hasn't confirmed the address {email} yet, so we can't let you in "
    "with it. Confirm it with them first, or ask the administrator."
)
SSO_TAKEN = (
    "The address {email} already belongs to another consultant account, so single sign-on "
    "can't use it. Ask the administrator."
)
# The claims single sign-on reads from the identity provider's token.
SSO_CLAIMS = ("iss", "sub", "email", "email_verified", "name")
SSO_SUBJECT_MAX = 255
MAX_USERNAME_INPUT = 64
# The first wait after the free failures; it doubles with each further failure.
FIRST_WAIT = dt.timedelta(minutes=1)
# A run of failures older than this no longer counts towards a wait.
FAILURE_MEMORY = dt.timedelta(hours=24)
# How long a login waits for a free verification slot before being told to retry.
VERIFY_QUEUE_SECONDS = 5.0

_dummy_hashes: dict[int, str] = {}
_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


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


def verification_slots(limit: int) -> threading.BoundedSemaphore:
    """The process-wide cap on concurrent argon2 verifications (one per distinct limit)."""
    with _slots_lock:
        slots = _slots.get(limit)
        if slots is None:
            slots = _slots[limit] = threading.BoundedSemaphore(max(1, limit))
        return slots


def anonymous_actor(conn: Any, typed: str) -> str:
    """How a username that matches no account is written down: a keyed hash, never raw.

    People type passwords into the username box. The hash still lets the admin see the
    same unknown name being tried again; the key lives in the database (migration 0006).
    """
    row = conn.execute("SELECT audit_key FROM install_secrets WHERE id = 1").fetchone()
    key = bytes.fromhex(row["audit_key"]) if row else b""
    digest = hmac.new(key, typed.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
    return f"(unknown {digest[:12]})"


def _wait_text(seconds: float) -> str:
    if seconds <= 90:
        return "a minute"
    return f"{round(seconds / 60)} minutes"


def wait_until(conn: Any, key: str, settings: Settings, now: dt.datetime) -> dt.datetime | None:
    """When this username may try again, or None when it may try now.

    The first `login_max_failures` failures in a row are free; after that each try waits
    FIRST_WAIT after the latest failure, doubling per further failure, at most
    `login_window_minutes`. A success ends the run; refusals while waiting are not
    attempts, so they do not make the wait longer.
    """
    rows = conn.execute(
        "SELECT at, success FROM login_attempts WHERE username = ? AND at >= ? "
        "ORDER BY at DESC, id DESC LIMIT ?",
        (key, stamp(now - FAILURE_MEMORY), settings.login_max_failures + 16),
    ).fetchall()
    failures = 0
    for row in rows:
        if row["success"]:
            break
        failures += 1
    beyond = failures - settings.login_max_failures
    if beyond < 0:
        return None
    cap = dt.timedelta(minutes=settings.login_window_minutes)
    wait = min(cap, FIRST_WAIT * 2 ** min(beyond, 16))
    until = parse_stamp(rows[0]["at"]) + wait
    return until if now < until else None


def client_failures(store: Store, settings: Settings) -> ClientLimit:
    """The per-client budget of failed password logins, for this store in this process."""
    per_client = max(1, settings.login_client_failures)
    window = 60.0 * settings.login_window_minutes
    return budget_for(
        store,
        ("login failures", per_client, window),
        lambda: ClientLimit(per_client, window=window),
    )


def authenticate(
    store: Store,
    username: object,
    password: object,
    settings: Settings,
    clock: Clock = system_clock,
    *,
    client: str = LOCAL_CLIENT,
) -> LoginResult:
    """Check a login form. Every attempt is audited (never with the password).

    `client` is whom the attempt counts against besides the username (see
    `core.limits.client_key`); callers without an address share LOCAL_CLIENT.
    """
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
    failures = client_failures(store, settings)
    taken_at = now.timestamp()
    with store.write() as conn:
        found = (
            conn.execute("SELECT * FROM consultants WHERE username = ?", (name,)).fetchone()
            if accounts.USERNAME_RE.match(name)
            else None
        )
        actor = name if found else anonymous_actor(conn, name)
        until = wait_until(conn, actor, settings, now)
        message, detail = LOCKED, "waiting"
        if until is None:
            # Counted as a failure before the password is checked, like the row below.
            client_wait = failures.take(client, taken_at)
            if client_wait is not None:
                until = now + dt.timedelta(seconds=client_wait.seconds)
                message, detail = BUSY_HERE, "client waiting"
        if until is not None:
            audit(conn, actor, "login_refused", detail=detail, at=now)
        else:
            try:
                # Recorded as failed before the password is checked: a parallel guess sees it.
                attempt_id = conn.execute(
                    "INSERT INTO login_attempts (username, at, success) VALUES (?, ?, 0)",
                    (actor, stamp(now)),
                ).lastrowid
            except BaseException:
                failures.give_back(client, taken_at)
                raise
    if until is not None:
        wait = _wait_text((until - now).total_seconds())
        return LoginResult(None, message.format(wait=wait), locked=True)

    consultant = dict(found) if found is not None and well_formed else None
    slots = verification_slots(settings.login_parallel_checks)
    if not slots.acquire(timeout=VERIFY_QUEUE_SECONDS):
        with store.write() as conn:
            # Not verified, so it was no guess: it must not count against the owner.
            conn.execute("DELETE FROM login_attempts WHERE id = ?", (attempt_id,))
            audit(conn, actor, "login_refused", detail="busy", at=now)
        failures.give_back(client, taken_at)
        return LoginResult(None, BUSY)
    try:
        # Always one argon2 verification, whatever went wrong, so timing tells nothing.
        matched = _verify(
            consultant["password_hash"] if consultant else None,
            password if isinstance(password, str) and well_formed else "",
        )
    finally:
        slots.release()
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
    if success:
        failures.give_back(client, taken_at)
    with store.write() as conn:
        if success:
            conn.execute("UPDATE login_attempts SET success = 1 WHERE id = ?", (attempt_id,))
        audit(conn, actor, "login" if success else "login_failed", detail=outcome, at=now)
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


def _claim_true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def sso_login(
    store: Store,
    identity: Mapping[str, Any],
    settings: Settings,
    clock: Clock = system_clock,
) -> LoginResult:
    """Log in someone the identity provider vouched for, if we trust the vouching.

    `identity` holds the ID token's claims (`st.user`). Refused unless the issuer is the
    pinned one, there is a subject, the e-mail is on the allow-list and, when the
    provider says whether it checked the address, it did. The account is found by
    issuer + subject. At the first login of an identity, an account is made for it (no
    password) and bound to it; an older single sign-on account named after the address
    and not yet bound is bound instead. An account with a password is never taken over
    because its e-mail matches, and an address with a disabled account stays out.
    """
    now = clock()
    raw_email = identity.get("email")
    clean = raw_email.strip().lower() if isinstance(raw_email, str) else ""
    issuer = str(identity.get("iss") or "").strip()
    subject = str(identity.get("sub") or "").strip()
    # Shown on the login page, which renders Markdown: the claim comes from outside.
    shown = escape_md(printable(clean, 80)) or "no e-mail"

    def refuse(detail: str, message: str, actor: str = "") -> LoginResult:
        with store.write() as conn:
            audit(conn, actor or clean or "(no e-mail)", "sso_refused", detail=detail, at=now)
        return LoginResult(None, message)

    pinned = settings.sso_issuer.strip()
    if not pinned:
        return refuse("issuer not pinned", SSO_NOT_SET_UP)
    if issuer != pinned:
        return refuse("unexpected issuer", SSO_WRONG_ISSUER)
    if not subject or len(subject) > SSO_SUBJECT_MAX:
        return refuse("no subject", SSO_WRONG_ISSUER)
    if "email_verified" in identity and not _claim_true(identity.get("email_verified")):
        return refuse("e-mail not verified", SSO_UNVERIFIED.format(email=shown))
    if not clean or len(clean) > accounts.EMAIL_MAX or not sso_allowed(clean, settings.sso_allowed):
        return refuse("not allowed", SSO_REFUSED.format(email=shown))
    with store.write() as conn:
        row = conn.execute(
            "SELECT * FROM consultants WHERE sso_issuer = ? AND sso_subject = ?",
            (issuer, subject),
        ).fetchone()
        if row is None:
            row = _first_sso_login(conn, clean, identity, issuer, subject, now)
            if isinstance(row, LoginResult):
                return row
        consultant = dict(row)
        if consultant["disabled"]:
            audit(conn, consultant["username"], "sso_refused", detail="disabled account", at=now)
            return LoginResult(None, SSO_DISABLED)
        if consultant.get("email") != clean:
            # Keep the address current, so disabling by e-mail finds this account.
            conn.execute("UPDATE consultants SET email = ? WHERE id = ?", (clean, consultant["id"]))
        audit(conn, consultant["username"], "login", detail="single sign-on", at=now)
    return LoginResult(_new_session(consultant, now, via_sso=True))


def _first_sso_login(
    conn: Any, email: str, identity: Mapping[str, Any], issuer: str, subject: str, now: dt.datetime
) -> Any:
    """The account this new identity is bound to (a row), or a refusal (LoginResult)."""
    same_address = conn.execute(
        "SELECT * FROM consultants WHERE username = ? OR lower(email) = ? ORDER BY id",
        (email, email),
    ).fetchall()
    if any(r["disabled"] for r in same_address):
        # A leaver's address: a new identity with it must not walk back in.
        audit(conn, email, "sso_refused", detail="disabled account", at=now)
        return LoginResult(None, SSO_DISABLED)
    named = next((r for r in same_address if r["username"] == email), None)
    if named is not None:
        if named["password_hash"] is not None or named["sso_subject"] is not None:
            audit(conn, email, "sso_refused", detail="address bound elsewhere", at=now)
            return LoginResult(None, SSO_TAKEN.format(email=escape_md(printable(email, 80))))
        # Made by single sign-on before accounts were bound: bind it now.
        conn.execute(
            "UPDATE consultants SET sso_issuer = ?, sso_subject = ? WHERE id = ?",
            (issuer, subject, named["id"]),
        )
        audit(conn, email, "sso_bound", detail="existing account", at=now)
        return conn.execute("SELECT * FROM consultants WHERE id = ?", (named["id"],)).fetchone()
    raw_name = identity.get("name")
    name = printable(
        raw_name.strip() if isinstance(raw_name, str) else "", accounts.DISPLAY_NAME_MAX
    )
    cur = conn.execute(
        "INSERT INTO consultants (username, display_name, email, password_hash, created_at, "
        "sso_issuer, sso_subject) VALUES (?, ?, ?, NULL, ?, ?, ?)",
        (email, name, email, stamp(now), issuer, subject),
    )
    audit(conn, email, "sso_bound", detail="new account", at=now)
    return conn.execute("SELECT * FROM consultants WHERE id = ?", (cur.lastrowid,)).fetchone()
