"""Consultant login through single sign-on: Streamlit's OIDC login (`st.user`) turned
into a consultant session, if we trust the vouching, and the start-up check of the
secret that signs Streamlit's identity cookie.

Streamlit keeps the identity in its own cookie for 30 days, and `st.user` reads it on
every visit. A new consultant session is only started from an identity the provider
issued in the last SSO_FRESH_MINUTES (its `iat`): an older one sends the consultant
through the provider again, so this app's idle and absolute limits and its logout hold
for single sign-on too. `iat` and not `auth_time`: a provider with its own session
answers a new trip with a fresh `iat` but its old `auth_time`, so requiring a recent
`auth_time` would send such a consultant round forever. How long the provider's own
session lasts is the provider's setting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from core import accounts, staff_sessions
from core.audit import printable
from core.audit import record as audit
from core.clock import Clock, stamp, system_clock
from core.safe_html import escape_md
from core.settings import Settings
from core.staff_sessions import LoginResult
from core.store import Store

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
SSO_AGAIN = (
    "For safety, single sign-on checks with your identity provider again before a new "
    'session. Press "Sign in with single sign-on" to continue.'
)
# The claims single sign-on reads from the identity provider's token.
SSO_CLAIMS = ("iss", "sub", "email", "email_verified", "name", "iat")
SSO_SUBJECT_MAX = 255
# How recently the provider must have issued the identity for a new session to start.
SSO_FRESH_MINUTES = 5
# A provider's clock a little ahead of ours does not make its token unusable.
SSO_CLOCK_SKEW = dt.timedelta(minutes=1)

# `[auth] cookie_secret` signs Streamlit's identity cookie: whoever knows it can forge
# any consultant's single sign-on. At least this long, and never a sample from the docs.
MIN_COOKIE_SECRET = 32
SAMPLE_COOKIE_SECRETS = (
    "a long random string",
    "paste the output of the command above here",
)
MAKE_A_SECRET = 'make one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'  # noqa: S105


def cookie_secret_problem(auth_section: Mapping[str, Any] | None) -> str | None:
    """Why the `[auth]` section's cookie_secret is unsafe to start with, or None.

    No `[auth]` section at all (no single sign-on) is fine.
    """
    if auth_section is None:
        return None
    secret = auth_section.get("cookie_secret")
    if not isinstance(secret, str) or not secret.strip():
        return f"[auth] cookie_secret in .streamlit/secrets.toml is missing; {MAKE_A_SECRET}"
    if secret.strip().lower() in SAMPLE_COOKIE_SECRETS:
        return (
            "[auth] cookie_secret in .streamlit/secrets.toml is the sample from the docs, "
            f"which anyone can read; {MAKE_A_SECRET}"
        )
    if len(secret) < MIN_COOKIE_SECRET:
        return (
            f"[auth] cookie_secret in .streamlit/secrets.toml is shorter than "
            f"{MIN_COOKIE_SECRET} characters; {MAKE_A_SECRET}"
        )
    return None


def issued_at(identity: Mapping[str, Any]) -> dt.datetime | None:
    """When the provider issued this identity (`iat`, seconds since 1970), if it says."""
    value = identity.get("iat")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def fresh(identity: Mapping[str, Any], now: dt.datetime) -> bool:
    """The provider vouched for this identity within the last SSO_FRESH_MINUTES."""
    at = issued_at(identity)
    if at is None:
        return False
    return now - dt.timedelta(minutes=SSO_FRESH_MINUTES) <= at <= now + SSO_CLOCK_SKEW


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
    provider says whether it checked the address, it did. An identity issued more than
    SSO_FRESH_MINUTES ago starts nothing: the result asks for the provider again.

    The account is found by issuer + subject. At the first login of an identity, an
    account is made for it (no password) and bound to it; an older single sign-on
    account named after the address and not yet bound is bound instead. An account with
    a password is never taken over because its e-mail matches, and an address with a
    disabled account stays out.
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
    if not fresh(identity, now):
        # Not a refusal: the provider is asked again, and a fresh identity comes back.
        return LoginResult(None, SSO_AGAIN, ask_provider=True)
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
    return staff_sessions.start(store, consultant, via_sso=True, clock=clock)


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
        "sso_issuer, sso_subject) VALUES (?, ?, ?, NULL, ?, ?, ?) RETURNING id",
        (email, name, email, stamp(now), issuer, subject),
    )
    new_id = int(cur.fetchone()[0])
    audit(conn, email, "sso_bound", detail="new account", at=now)
    return conn.execute("SELECT * FROM consultants WHERE id = ?", (new_id,)).fetchone()
