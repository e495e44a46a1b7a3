"""A candidate's browser that remembers them: device tokens behind the `bb_device` cookie.

How a token reaches the cookie: `core.session_tokens`. Tokens expire after
`DEVICE_IDLE_DAYS` without use (sliding) and are revoked by "Forget this browser";
deleting the candidate deletes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

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
from core.store import Store

DEVICE_IDLE_DAYS = 30
DEVICE_COOKIE = "bb_device"
KEEP_EXPIRED_DAYS = 90  # long enough to tell a returning visitor their browser forgot them

DeviceProblem = Literal["malformed", "unknown", "revoked", "expired"]


@dataclass(frozen=True)
class DeviceMatch:
    token_id: int
    candidate_id: int
    reflection_id: int


def issue_device_claim(
    store: Store, candidate_id: int, *, embedded: bool = False, clock: Clock = system_clock
) -> tuple[int, str]:
    """A device-token row for this candidate, waiting for the browser: (row id, ticket)."""
    now = clock()
    ticket = new_secret()
    with store.write() as conn:
        cur = conn.execute(
            "INSERT INTO device_tokens (candidate_id, claim_hash, claim_expires_at, embedded, "
            "created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (
                candidate_id,
                hash_secret(ticket),
                _stamp(now + dt.timedelta(minutes=CLAIM_MINUTES)),
                int(embedded),
                _stamp(now),
                _stamp(now),
            ),
        )
        row_id = int(cur.fetchone()[0])
    return row_id, ticket


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
        row = live_claim(conn, "device_tokens", "revoked_at", ticket, now)
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


def forget_stale(store: Store, *, clock: Clock = system_clock) -> int:
    """Delete device rows no browser can use any more: claims never traded (the page
    closed first), revoked tokens and long-expired ones. Returns how many went."""
    now = clock()
    with store.write() as conn:
        return conn.execute(
            "DELETE FROM device_tokens WHERE "
            "(token_hash IS NULL AND claim_expires_at < ?) "
            "OR (revoked_at IS NOT NULL AND revoked_at < ?) OR last_used_at < ?",
            (
                _stamp(now),
                _stamp(now - dt.timedelta(days=KEEP_ENDED_DAYS)),
                _stamp(now - dt.timedelta(days=DEVICE_IDLE_DAYS + KEEP_EXPIRED_DAYS)),
            ),
        ).rowcount
