"""Consultant login with a password: the check, its throttling and its audit rows.

Time comes from the one clock (`core.clock`, injectable) so throttling can be tested
without waiting. Attempts live in the `login_attempts` table, so restarting the server
does not reset a wait.

No stranger can refuse a consultant's login (SPEC §13), so every wait is keyed by who
is asking as well as by the username:
- **Per username and client.** After `login_max_failures` failures in a row for one
  username from one client (`core.limits.client_key`), that client waits before each
  further try at that username: one minute, doubling up to `login_window_minutes`. A
  wait, never a lock. The same username from any other client is not slowed by it, so
  someone guessing at a consultant's name from elsewhere never keeps them out. The
  client is stored only as a keyed hash beside the username (`core.audit_key`).
- **Per client.** `login_client_failures` failures within `login_window_minutes`, at
  any usernames, make that client's password logins wait (spraying many names).
- **Everyone together.** Past `login_failures_ceiling` failures in the window, from
  all clients, every password login slows down by FLOOD_PAUSE_SECONDS before it is
  checked: a flood from many addresses costs each try more time, and nobody is refused.
- At most `login_parallel_checks` argon2 verifications (about 64 MiB each) run at once
  in the process; the rest queue briefly.
The per-client and everyone-together counts live in this process's memory, like the
other per-client limits (`core.limits`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError

from core import accounts, staff_sessions
from core.audit import record as audit
from core.audit_key import audit_key
from core.clock import Clock, parse_stamp, stamp, system_clock
from core.limits import ClientLimit, budget_for
from core.settings import Settings
from core.staff_sessions import LoginResult
from core.store import Store

# The one answer for unknown user, wrong password, disabled account or malformed input,
# so the form never reveals which usernames exist.
REFUSED = "That username and password don't match an active account. Please try again."
LOCKED = (
    "Too many unsuccessful attempts for this username from your network. For safety, "
    "please wait {wait} before trying again."
)
BUSY_HERE = (
    "There have been many unsuccessful logins from your network recently, so logging in "
    "with a password from it is paused for safety. Please try again in {wait}, or use "
    "single sign-on if you have it."
)
BUSY = "Logging in is busy right now. Please try again in a moment."
MAX_USERNAME_INPUT = 64
# The first wait after the free failures; it doubles with each further failure.
FIRST_WAIT = dt.timedelta(minutes=1)
# A run of failures older than this no longer counts towards a wait.
FAILURE_MEMORY = dt.timedelta(hours=24)
# How long a login waits for a free verification slot before being told to retry.
VERIFY_QUEUE_SECONDS = 5.0
# Past the ceiling of failures from everyone, each password login first waits this long.
FLOOD_PAUSE_SECONDS = 2.0
# The key everyone's failures are counted under for the ceiling.
EVERYONE = "everyone"

_dummy_hashes: dict[int, str] = {}
_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


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


def _keyed(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:12]


def anonymous_actor(key: bytes, typed: str) -> str:
    """How a username that matches no account is written down: a keyed hash, never raw.

    People type passwords into the username box. The hash still lets the admin see the
    same unknown name being tried again; the key lives outside the database
    (`core.audit_key`).
    """
    return f"(unknown {_keyed(key, typed)})"


def throttle_key(key: bytes, actor: str, client: str) -> str:
    """What a run of failures is counted under: this username from this client."""
    return f"{actor} from {_keyed(key, 'client ' + client)}"


def _wait_text(seconds: float) -> str:
    if seconds <= 90:
        return "a minute"
    return f"{round(seconds / 60)} minutes"


def wait_until(conn: Any, key: str, settings: Settings, now: dt.datetime) -> dt.datetime | None:
    """When this throttle key may try again, or None when it may try now.

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


def failures_everywhere(store: Store, settings: Settings) -> ClientLimit:
    """Everyone's failed password logins together, counted against the ceiling."""
    ceiling = max(1, settings.login_failures_ceiling)
    window = 60.0 * settings.login_window_minutes
    return budget_for(
        store,
        ("login failures, everyone", ceiling, window),
        lambda: ClientLimit(ceiling, window=window),
    )


def authenticate(
    store: Store,
    username: object,
    password: object,
    settings: Settings,
    clock: Clock = system_clock,
    *,
    client: str,
    pause: Callable[[float], None] = time.sleep,
) -> LoginResult:
    """Check a login form; on success a consultant session is started. Every attempt is
    audited (never with the password).

    `client` is whom the attempt counts against besides the username (see
    `core.limits.client_key`; `core.limits.LOCAL_CLIENT` where there is no address).
    `pause` is how a flooded login slows down (a test passes its own).
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
    key = audit_key(settings, store)
    failures = client_failures(store, settings)
    everyone = failures_everywhere(store, settings)
    taken_at = now.timestamp()
    flooded = False
    with store.write() as conn:
        found = (
            conn.execute("SELECT * FROM consultants WHERE username = ?", (name,)).fetchone()
            if accounts.USERNAME_RE.match(name)
            else None
        )
        actor = name if found else anonymous_actor(key, name)
        throttled_as = throttle_key(key, actor, client)
        until = wait_until(conn, throttled_as, settings, now)
        message, detail = LOCKED, "waiting"
        if until is None:
            # Counted as a failure before the password is checked, like the row below.
            client_wait = failures.take(client, taken_at)
            if client_wait is not None:
                until = now + dt.timedelta(seconds=client_wait.seconds)
                message, detail = BUSY_HERE, "client waiting"
            else:
                flooded = everyone.take(EVERYONE, taken_at) is not None
        if until is not None:
            audit(conn, actor, "login_refused", detail=detail, at=now)
        else:
            try:
                # Recorded as failed before the password is checked: a parallel guess sees it.
                attempt_id = conn.execute(
                    "INSERT INTO login_attempts (username, at, success) VALUES (?, ?, 0) "
                    "RETURNING id",
                    (throttled_as, stamp(now)),
                ).fetchone()[0]
            except BaseException:
                failures.give_back(client, taken_at)
                if not flooded:
                    everyone.give_back(EVERYONE, taken_at)
                raise
    if until is not None:
        wait = _wait_text((until - now).total_seconds())
        return LoginResult(None, message.format(wait=wait), locked=True)

    def not_counted() -> None:
        failures.give_back(client, taken_at)
        if not flooded:  # a flooded attempt was never counted towards the ceiling
            everyone.give_back(EVERYONE, taken_at)

    if flooded:
        pause(FLOOD_PAUSE_SECONDS)
    consultant = dict(found) if found is not None and well_formed else None
    slots = verification_slots(settings.login_parallel_checks)
    if not slots.acquire(timeout=VERIFY_QUEUE_SECONDS):
        with store.write() as conn:
            # Not verified, so it was no guess: it must not count against the owner.
            conn.execute("DELETE FROM login_attempts WHERE id = ?", (attempt_id,))
            audit(conn, actor, "login_refused", detail="busy", at=now)
        not_counted()
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
        not_counted()
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
    return staff_sessions.start(store, consultant, clock=clock)
