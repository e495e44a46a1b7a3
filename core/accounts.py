"""Consultant accounts: create, disable, list. Passwords are stored only as argon2id hashes.

Refusals raise `ValueError` whose message is shown to the admin as it is.
"""

from __future__ import annotations

import re
from typing import Any

from argon2 import PasswordHasher

from core.clock import now_stamp
from core.store import Store, StoreConflict

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12
# Long enough for any passphrase; short enough that hashing it cannot be used to stall us.
MAX_PASSWORD = 256
DISPLAY_NAME_MAX = 80
EMAIL_MAX = 254
EMAIL_RE = re.compile(r"^[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\"]{2,}$")

# argon2-cffi's defaults are RFC 9106's low-memory argon2id profile. Tests swap in a
# cheaper hasher (still argon2id) through `use_hasher`.
_hasher = PasswordHasher()

# The stems behind the most common leaked passwords. A password that is one of these,
# perhaps with digits or symbols around it ("Password2024!"), is refused.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


COMMON_STEMS = _words(
    """
    password passw0rd p@ssw0rd p@ssword pass qwerty qwertyuiop qwertyuiopasdfghjkl
    asdfghjkl asdfgh zxcvbnm qazwsx qweasd azerty iloveyou letmein welcome admin
    administrator changeme default secret monkey dragon football baseball soccer
    superman batman princess sunshine shadow master trustno1 starwars whatever
    computer internet login abc abcdef abcdefg abcdefgh abcdefghijkl hello
    helloworld freedom charlie michael jessica ashley bailey summer winter spring
    autumn flower hunter killer jordan harley ranger thomas tigger pokemon
    chocolate cheese cookie banana orange purple yellow liverpool arsenal chelsea
    manchester london england recruitment consultant bounceback harbour
    correcthorsebatterystaple
    """
)
# Whole passwords from public most-common lists that already have 12+ characters.
COMMON_PASSWORDS = _words(
    """
    123456789012 1234567890123 12345678901234 123123123123 111111111111
    000000000000 123456123456 1q2w3e4r5t6y 1qaz2wsx3edc qwertyuiop123
    qwerty123456 password1234 password12345 password123456 iloveyou1234
    abc123abc123 1234qwerasdf qwer1234asdf asdfghjkl123 zaq12wsxcde3
    """
)
_EDGE_JUNK = re.compile(r"^[\d\W_]+|[\d\W_]+$")


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Replace the password hasher (tests use cheaper argon2id settings); returns the old one."""
    global _hasher
    old, _hasher = _hasher, hasher
    return old


def hasher() -> PasswordHasher:
    return _hasher


def clean_username(raw: object) -> str:
    """The canonical form of a username, or ValueError explaining the rule."""
    if not isinstance(raw, str):
        raise ValueError("The username must be text.")
    username = raw.strip().lower()
    if not USERNAME_RE.match(username):
        raise ValueError(
            "Usernames are 2 to 64 characters: lower-case letters, digits, dots, dashes "
            "and underscores, starting with a letter or digit."
        )
    return username


def is_common(password: str) -> bool:
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        return True
    stem = _EDGE_JUNK.sub("", lowered)
    return stem in COMMON_STEMS or (bool(stem) and set(stem) == {stem[0]})


def check_password(password: object, username: str = "") -> str:
    """The password if it meets the policy, otherwise ValueError with the reason."""
    if not isinstance(password, str) or not password:
        raise ValueError("The password is empty.")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"The password needs at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"The password can be at most {MAX_PASSWORD} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        raise ValueError("The password contains a control character.")
    if len(set(password)) < 5:
        raise ValueError("The password repeats too few characters; choose a less guessable one.")
    if is_common(password):
        raise ValueError("That password is among the most common ones; choose another.")
    if username and username.lower() in password.lower():
        raise ValueError("The password must not contain the username.")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_consultant(
    store: Store,
    username: str,
    password: str,
    display_name: str = "",
    email: str | None = None,
) -> int:
    """Create an active consultant login; returns its id."""
    username = clean_username(username)
    check_password(password, username)
    display_name = (display_name or "").strip()
    if len(display_name) > DISPLAY_NAME_MAX:
        raise ValueError(f"The display name can be at most {DISPLAY_NAME_MAX} characters.")
    if any(ord(ch) < 32 for ch in display_name):
        raise ValueError("The display name contains a control character.")
    clean_email = (email or "").strip().lower() or None
    if clean_email and (len(clean_email) > EMAIL_MAX or not EMAIL_RE.match(clean_email)):
        raise ValueError("That e-mail address doesn't look right, e.g. name@example.com.")
    password_hash = hash_password(password)
    try:
        with store.write() as conn:
            cur = conn.execute(
                "INSERT INTO consultants (username, display_name, email, password_hash, "
                "created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                (username, display_name, clean_email, password_hash, now_stamp()),
            )
            return int(cur.fetchone()[0])
    except StoreConflict as exc:
        raise ValueError(f"A consultant called {username!r} already exists.") from exc


def disable_consultant(store: Store, who: str) -> list[str]:
    """Stop a consultant logging in, by username or e-mail; returns the usernames disabled.

    Single sign-on accounts are named after their e-mail address, and a person may have
    both a password account and a single sign-on one with the same address: every account
    with that username or e-mail, or with the e-mail of an account named, is disabled.
    Their open sessions end at their next click (`core.staff_sessions` reads the flag)
    and single sign-on refuses them from then on. Notes and history stay.
    """
    wanted = who.strip().lower() if isinstance(who, str) else ""
    if not wanted or len(wanted) > EMAIL_MAX:
        raise ValueError(f"There is no consultant called {who!r}.")
    with store.write() as conn:
        rows = conn.execute(
            "SELECT id, username, email FROM consultants WHERE username = ? OR lower(email) = ?",
            (wanted, wanted),
        ).fetchall()
        if not rows:
            raise ValueError(f"There is no consultant called {who!r}.")
        # The same person's other accounts (password and single sign-on) go too.
        addresses = sorted({r["email"].lower() for r in rows if r["email"]})
        for address in addresses:
            rows += conn.execute(
                "SELECT id, username, email FROM consultants "
                "WHERE username = ? OR lower(email) = ?",
                (address, address),
            ).fetchall()
        rows = sorted({r["id"]: r for r in rows}.values(), key=lambda r: r["username"])
        conn.executemany(
            "UPDATE consultants SET disabled = 1 WHERE id = ?", [(row["id"],) for row in rows]
        )
    return [row["username"] for row in rows]


def list_consultants(store: Store) -> list[dict[str, Any]]:
    """Every consultant (active and disabled), without password hashes."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT id, username, display_name, email, disabled, created_at FROM consultants "
            "ORDER BY username"
        ).fetchall()
    return [dict(row) for row in rows]


def get_by_username(store: Store, username: str) -> dict[str, Any] | None:
    with store.read() as conn:
        row = conn.execute("SELECT * FROM consultants WHERE username = ?", (username,)).fetchone()
    return dict(row) if row else None


def get_by_id(store: Store, consultant_id: int) -> dict[str, Any] | None:
    with store.read() as conn:
        row = conn.execute("SELECT * FROM consultants WHERE id = ?", (consultant_id,)).fetchone()
    return dict(row) if row else None


def active_consultants(store: Store) -> list[dict[str, Any]]:
    """Consultants who can currently log in, for the "assign to" list."""
    return [c for c in list_consultants(store) if not c["disabled"]]


def display_name(consultant: dict[str, Any]) -> str:
    return consultant.get("display_name") or consultant["username"]
