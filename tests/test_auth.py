"""Logging in: one message for every refusal, throttling that survives restarts,
timeouts on an injected clock, disabled accounts, audit rows without passwords."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from argon2 import PasswordHasher

from core import accounts, password_login, sso, staff_sessions
from core.clock import system_clock
from core.limits import LOCAL_CLIENT
from core.settings import Settings
from core.store import make_store

PASSWORD = "harbour lights at dusk"
SETTINGS = Settings()


@pytest.fixture
def alice(store) -> int:
    return accounts.add_consultant(store, "alice", PASSWORD, display_name="Alice A.")


def login(store, username, password, clock):
    return password_login.authenticate(
        store, username, password, SETTINGS, clock, client=LOCAL_CLIENT
    )


def audit_rows(store) -> list[dict]:
    with store.read() as conn:
        return [dict(r) for r in conn.execute("SELECT * FROM audit_log ORDER BY id")]


def test_right_password_logs_in(store, alice, clock):
    result = login(store, "Alice ", PASSWORD, clock)
    assert result.session is not None
    assert result.session.username == "alice"
    assert result.session.display_name == "Alice A."
    assert result.session.started_at == clock.now


def test_unknown_user_and_wrong_password_get_the_same_message(store, alice, clock):
    wrong = login(store, "alice", PASSWORD + "x", clock)
    unknown = login(store, "nobody", PASSWORD, clock)
    assert wrong.session is None and unknown.session is None
    assert wrong.message == unknown.message == password_login.REFUSED


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("alice", ""),
        ("", PASSWORD),
        ("alice", "x" * 10_000),
        ("a" * 5_000, PASSWORD),
        ("alice' OR '1'='1", "' OR '1'='1"),
        ("alice\x00", PASSWORD),
        (None, None),
    ],
)
def test_malformed_input_gets_the_same_generic_refusal(store, alice, clock, username, password):
    result = login(store, username, password, clock)
    assert result.session is None
    assert result.message == password_login.REFUSED


def test_unknown_users_still_cost_an_argon2_verification(store, alice, clock):
    calls = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash_, password):
            calls.append(hash_)
            return super().verify(hash_, password)

    old = accounts.use_hasher(CountingHasher(time_cost=1, memory_cost=8192, parallelism=1))
    try:
        login(store, "nobody", PASSWORD, clock)
        login(store, "alice", "wrong password here", clock)
        login(store, "", "", clock)
    finally:
        accounts.use_hasher(old)
    assert len(calls) == 3
    assert all(h.startswith("$argon2id$") for h in calls)


def test_disabled_account_is_refused_like_any_other(store, alice, clock):
    accounts.disable_consultant(store, "alice")
    result = login(store, "alice", PASSWORD, clock)
    assert result.session is None
    assert result.message == password_login.REFUSED


def test_repeated_failures_wait_longer_each_time_never_locked_for_good(store, alice, clock):
    for _ in range(5):  # the first five are free
        assert login(store, "alice", "not the password", clock).message == password_login.REFUSED
    waiting = login(store, "alice", PASSWORD, clock)
    assert waiting.session is None and waiting.locked and "wait a minute" in waiting.message
    # Another username is unaffected.
    accounts.add_consultant(store, "bob", PASSWORD + " two")
    assert login(store, "bob", PASSWORD + " two", clock).session is not None
    # Someone guessing at every chance: the wait doubles, up to 15 minutes, no further.
    waits = []
    for _ in range(8):
        started = clock.now
        while login(store, "alice", "still not it", clock).locked:
            clock.advance(seconds=15)
        waits.append(round((clock.now - started).total_seconds() / 60))
    assert waits == [1, 2, 4, 8, 15, 15, 15, 15]
    # Tries while waiting are refused unverified and do not make the wait longer.
    for _ in range(20):
        clock.advance(seconds=30)
        assert login(store, "alice", "guess while waiting", clock).locked
    clock.advance(minutes=5)  # 15 minutes after the last real failure
    assert login(store, "alice", PASSWORD, clock).session is not None
    assert not login(store, "alice", "one slip after", clock).locked


def test_lockout_survives_a_restart(db_path, store, alice, clock):
    for _ in range(5):
        login(store, "alice", "not the password", clock)
    fresh = make_store(store.path)  # a new process's connection to the same database
    try:
        assert login(fresh, "alice", PASSWORD, clock).locked
    finally:
        fresh.close()


def test_failures_spread_over_more_than_the_window_do_not_lock(store, alice, clock):
    for _ in range(5):
        login(store, "alice", "not the password", clock)
        clock.advance(minutes=4)
    assert login(store, "alice", PASSWORD, clock).session is not None


def test_a_success_resets_the_count(store, alice, clock):
    for _ in range(4):
        login(store, "alice", "not the password", clock)
    assert login(store, "alice", PASSWORD, clock).session is not None
    for _ in range(4):
        login(store, "alice", "not the password", clock)
    assert login(store, "alice", PASSWORD, clock).session is not None


def use(store, session, clock):
    """The next request of this login's session: the refreshed session, or why it ended."""
    return staff_sessions.use_staff_session(store, session.row_id, SETTINGS, clock=clock)


def test_a_login_opens_a_session_row_with_a_claim_ticket(store, alice, clock):
    result = login(store, "alice", PASSWORD, clock)
    assert result.ticket and result.session.row_id
    claimed = staff_sessions.claim_staff(store, result.ticket, clock=clock)
    assert claimed is not None and claimed.row_id == result.session.row_id


def test_idle_and_absolute_timeouts(store, alice, clock):
    session = login(store, "alice", PASSWORD, clock).session
    clock.advance(minutes=29)
    session = use(store, session, clock)
    assert session.last_seen == clock.now
    clock.advance(minutes=29)  # active again within 30 minutes
    session = use(store, session, clock)
    clock.advance(minutes=30)
    assert use(store, session, clock) == "idle"

    session = login(store, "alice", PASSWORD, clock).session
    for _ in range(12 * 4):  # busy all day, never idle for long
        clock.advance(minutes=15)
        refreshed = use(store, session, clock)
        if isinstance(refreshed, str):
            break
        session = refreshed
    assert refreshed == "absolute"
    assert clock.now - session.started_at == dt.timedelta(hours=12)


def test_disabling_ends_a_running_session(store, alice, clock):
    session = login(store, "alice", PASSWORD, clock).session
    accounts.disable_consultant(store, "alice")
    assert use(store, session, clock) == "disabled"


def test_every_attempt_is_audited_without_the_password(store, alice, clock):
    login(store, "alice", PASSWORD, clock)
    login(store, "alice", "Secret-wrong-guess", clock)
    login(store, "mallory", "Another-secret-guess", clock)
    for _ in range(4):
        login(store, "alice", "Secret-wrong-guess", clock)
    login(store, "alice", PASSWORD, clock)  # five failures: now waiting
    rows = audit_rows(store)
    mallory = rows[2]["actor"]
    assert [(r["actor"], r["action"]) for r in rows] == [
        ("alice", "login"),
        ("alice", "login_failed"),
        (mallory, "login_failed"),
        ("alice", "login_failed"),
        ("alice", "login_failed"),
        ("alice", "login_failed"),
        ("alice", "login_failed"),
        ("alice", "login_refused"),
    ]
    with store.read() as conn:
        dump = repr(rows) + repr(list(conn.execute("SELECT * FROM login_attempts")))
    for secret in (PASSWORD, "Secret-wrong-guess", "Another-secret-guess"):
        assert secret not in dump


def test_usernames_that_do_not_exist_are_stored_hashed_never_raw(store, alice, clock):
    typed = "MyBankPin-4412"  # a password typed into the username box
    login(store, typed, "whatever was in the password box", clock)
    login(store, typed, "a second try", clock)
    login(store, "mallory", "anything", clock)
    rows = audit_rows(store)
    with store.read() as conn:
        attempts = [
            r["username"] for r in conn.execute("SELECT username FROM login_attempts ORDER BY id")
        ]
    dump = repr(rows) + repr(attempts)
    assert typed not in dump and typed.lower() not in dump and "mallory" not in dump
    # The same unknown name maps to the same entry, so repeats can still be seen.
    assert rows[0]["actor"] == rows[1]["actor"] and attempts[0] == attempts[1]
    assert attempts[0].startswith(rows[0]["actor"] + " from ")  # and a keyed client
    assert rows[0]["actor"].startswith("(unknown ") and rows[2]["actor"] != rows[0]["actor"]
    # Real usernames stay readable.
    login(store, "alice", "wrong", clock)
    assert audit_rows(store)[-1]["actor"] == "alice"


class SlowCountingHasher(PasswordHasher):
    """Counts verifications and how many ran at the same moment."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8192, parallelism=1)
        self.calls = 0
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def verify(self, hash_, password):
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(0.05)  # long enough that unthrottled guesses would overlap
            return super().verify(hash_, password)
        finally:
            with self._lock:
                self.running -= 1


def parallel_logins(store, clock, settings, guesses):
    start = threading.Barrier(len(guesses))

    def attempt(pair):
        start.wait()
        return password_login.authenticate(
            store, pair[0], pair[1], settings, clock, client=LOCAL_CLIENT
        )

    with ThreadPoolExecutor(max_workers=len(guesses)) as pool:
        return list(pool.map(attempt, guesses))


def test_parallel_guesses_cannot_all_slip_past_the_throttle(store, alice, clock):
    hasher = SlowCountingHasher()
    old = accounts.use_hasher(hasher)
    try:
        results = parallel_logins(
            store, clock, SETTINGS, [("alice", f"guess {n}") for n in range(12)]
        )
    finally:
        accounts.use_hasher(old)
    assert hasher.calls == SETTINGS.login_max_failures == 5
    assert sum(r.locked for r in results) == 7
    assert all(r.session is None for r in results)


def test_no_more_argon2_checks_at_once_than_the_cap(store, alice, clock):
    hasher = SlowCountingHasher()
    old = accounts.use_hasher(hasher)
    settings = replace(SETTINGS, login_parallel_checks=2)
    try:
        # Twelve different names, so the per-username throttle does not stop any of them.
        results = parallel_logins(
            store, clock, settings, [(f"user{n}", "guess") for n in range(12)]
        )
    finally:
        accounts.use_hasher(old)
    assert hasher.calls == 12
    assert hasher.most_at_once <= 2
    assert all(r.message == password_login.REFUSED for r in results)


def test_a_failure_budget_per_client_slows_only_that_client(store, alice, clock):
    settings = replace(SETTINGS, login_client_failures=10)
    for n in range(10):
        refused = login_with(store, f"name{n}", "guess", settings, clock, client="192.0.2.1")
        assert refused.message == password_login.REFUSED
    paused = login_with(store, "alice", PASSWORD, settings, clock, client="192.0.2.1")
    assert paused.session is None and "paused for safety" in paused.message
    # Not a global pause: the same login from another client goes straight in.
    assert login_with(store, "alice", PASSWORD, settings, clock, client="192.0.2.2").session
    clock.advance(minutes=15)  # the failures leave the window
    assert login_with(store, "alice", PASSWORD, settings, clock, client="192.0.2.1").session


def login_with(store, username, password, settings, clock, client=LOCAL_CLIENT):
    return password_login.authenticate(store, username, password, settings, clock, client=client)


def test_logout_is_audited(store, alice, clock):
    session = login(store, "alice", PASSWORD, clock).session
    staff_sessions.log_out(store, session, clock=clock)
    assert audit_rows(store)[-1]["action"] == "logout"
    assert use(store, session, clock) == "logout"


# ---------------------------------------------------------------- single sign-on


ISSUER = "https://login.agency.example"


def sso_settings(allowed: str = "@agency.example") -> Settings:
    return Settings(sso_allowed=allowed, sso_issuer=ISSUER)


def claims(email, name="Ann", sub=None, **extra):
    """What `st.user` holds after an OIDC login (a stand-in for it)."""
    found = {"iss": ISSUER, "sub": sub or f"sub-{email.lower()}", "email": email, "name": name}
    # Issued just now, as after a trip through the provider (the test clock's now).
    return found | {"iat": int(system_clock().timestamp())} | extra


@pytest.mark.parametrize(
    ("email", "allowed", "ok"),
    [
        ("ann@agency.example", "ann@agency.example", True),
        ("Ann@Agency.Example", "@agency.example", True),
        ("ann@evil.example", "@agency.example", False),
        ("ann@agency.example.evil", "@agency.example", False),
        ("ann@sub.agency.example", "@agency.example", False),
        ("ann@agency.example", "", False),
        ("not-an-email", "@agency.example", False),
    ],
)
def test_sso_allow_list(email, allowed, ok):
    assert sso.sso_allowed(email, allowed) is ok


def test_sso_login_creates_the_consultant_once(store, clock):
    settings = sso_settings("@agency.example")
    first = sso.sso_login(store, claims("Ann@Agency.example", "Ann B"), settings, clock)
    again = sso.sso_login(store, claims("ann@agency.example", "Ann B"), settings, clock)
    assert first.session is not None and again.session is not None
    assert first.session.consultant_id == again.session.consultant_id
    assert first.session.via_sso
    [row] = accounts.list_consultants(store)
    assert row["email"] == "ann@agency.example" and row["display_name"] == "Ann B"
    assert accounts.get_by_username(store, row["username"])["password_hash"] is None


def test_sso_refuses_outsiders_and_disabled_accounts(store, clock):
    settings = sso_settings("@agency.example")
    outsider = sso.sso_login(store, claims("eve@evil.example", "Eve"), settings, clock)
    assert outsider.session is None and "isn't on the list" in outsider.message
    assert accounts.list_consultants(store) == []
    accounts.add_consultant(store, "ann", PASSWORD, email="ann@agency.example")
    accounts.disable_consultant(store, "ann")
    disabled = sso.sso_login(store, claims("ann@agency.example"), settings, clock)
    assert disabled.session is None and "disabled" in disabled.message


def test_a_password_less_sso_account_cannot_log_in_with_a_password(store, clock):
    sso.sso_login(store, claims("ann@agency.example"), sso_settings(), clock)
    assert login(store, "ann@agency.example", "", clock).message == password_login.REFUSED
    assert login(store, "ann@agency.example", PASSWORD, clock).message == password_login.REFUSED


def test_a_login_upgrades_a_hash_made_with_older_settings(store, alice, clock):
    before = accounts.get_by_username(store, "alice")["password_hash"]
    stronger = PasswordHasher(time_cost=2, memory_cost=16384, parallelism=1)
    old = accounts.use_hasher(stronger)
    try:
        assert login(store, "alice", PASSWORD, clock).session is not None
    finally:
        accounts.use_hasher(old)
    after = accounts.get_by_username(store, "alice")["password_hash"]
    assert after != before and "m=16384,t=2,p=1" in after
    assert stronger.verify(after, PASSWORD)


# ---------------------------------------------------------------- leavers


def sso_as(store, email, clock, name="Ann", **extra):
    return sso.sso_login(store, claims(email, name, **extra), sso_settings(), clock)


def test_a_single_sign_on_consultant_can_be_disabled_by_e_mail(store, clock):
    session = sso_as(store, "ann@agency.example", clock).session
    assert accounts.disable_consultant(store, "Ann@Agency.example") == ["ann@agency.example"]
    # The open session ends at its next check, and single sign-on refuses them from now on.
    assert use(store, session, clock) == "disabled"
    again = sso_as(store, "ann@agency.example", clock)
    assert again.session is None and again.message == sso.SSO_DISABLED


def test_disabling_by_e_mail_reaches_every_account_with_that_address(store, alice, clock):
    accounts.add_consultant(store, "ann", PASSWORD, email="ann@agency.example")
    password_session = login(store, "ann", PASSWORD, clock).session
    disabled = accounts.disable_consultant(store, "ann@agency.example")
    assert disabled == ["ann"]
    assert use(store, password_session, clock) == "disabled"
    assert sso_as(store, "ann@agency.example", clock).session is None
    assert login(store, "alice", PASSWORD, clock).session is not None  # nobody else is touched


def test_cli_disables_a_single_sign_on_account(db_path, store, clock, capsys):
    from core.cli import main

    sso_as(store, "ann@agency.example", clock)
    assert main(["--db", store.path, "disable-consultant", "ann@agency.example"]) == 0
    assert "Disabled consultant 'ann@agency.example'" in capsys.readouterr().out
    assert accounts.get_by_username(store, "ann@agency.example")["disabled"] == 1


def test_disabling_a_password_account_also_shuts_its_owner_out_of_single_sign_on(store, clock):
    accounts.add_consultant(store, "ann", PASSWORD, email="ann@agency.example")
    sso_session = sso_as(store, "ann@agency.example", clock).session
    assert accounts.disable_consultant(store, "ann") == ["ann", "ann@agency.example"]
    assert use(store, sso_session, clock) == "disabled"
    # Even a new identity at the provider with that address stays out.
    assert sso_as(store, "ann@agency.example", clock, sub="a-new-subject").session is None


# ---------------------------------------------------------------- single sign-on identity


def test_sso_requires_email_verified_where_the_provider_sends_it(store, clock):
    unverified = sso_as(store, "ann@agency.example", clock, email_verified=False)
    assert unverified.session is None and "hasn't confirmed" in unverified.message
    assert sso_as(store, "ann@agency.example", clock, email_verified="false").session is None
    assert accounts.list_consultants(store) == []
    assert sso_as(store, "ann@agency.example", clock, email_verified=True).session is not None
    assert (
        sso_as(store, "bea@agency.example", clock).session is not None
    )  # a provider that never sends it


def test_sso_accepts_only_the_pinned_issuer(store, clock):
    unpinned = sso.sso_login(
        store, claims("ann@agency.example"), Settings(sso_allowed="@agency.example"), clock
    )
    assert unpinned.session is None and "isn't fully set up" in unpinned.message
    forged = claims("ann@agency.example", iss="https://evil.example")
    other = sso.sso_login(store, forged, sso_settings(), clock)
    assert other.session is None and "don't accept" in other.message
    no_subject = sso.sso_login(store, claims("ann@agency.example", sub=" "), sso_settings(), clock)
    assert no_subject.session is None
    assert accounts.list_consultants(store) == []
    refused = [r for r in audit_rows(store) if r["action"] == "sso_refused"]
    assert [r["detail"] for r in refused] == [
        "issuer not pinned",
        "unexpected issuer",
        "no subject",
    ]


def test_sso_binds_the_account_to_issuer_and_subject(store, clock):
    first = sso_as(store, "ann@agency.example", clock, sub="0001").session
    row = accounts.get_by_id(store, first.consultant_id)
    assert (row["sso_issuer"], row["sso_subject"]) == (ISSUER, "0001")
    # The provider changed her address: the same identity finds the same account.
    moved = sso_as(store, "ann.lee@agency.example", clock, sub="0001")
    assert moved.session is not None and moved.session.consultant_id == first.consultant_id
    # Someone else at the provider now holding the old address does not get her account.
    other = sso_as(store, "ann@agency.example", clock, sub="0002")
    assert other.session is None and "already belongs" in other.message
    assert len(accounts.list_consultants(store)) == 1


def test_sso_binds_an_account_it_made_before_identities_were_bound(store, clock):
    with store.write() as conn:
        conn.execute(
            "INSERT INTO consultants (username, display_name, email, created_at) "
            "VALUES ('ann@agency.example', 'Ann', 'ann@agency.example', '2026-01-01')"
        )
    first = sso_as(store, "ann@agency.example", clock, sub="0001")
    assert first.session is not None
    assert accounts.get_by_id(store, first.session.consultant_id)["sso_subject"] == "0001"
    assert sso_as(store, "ann@agency.example", clock, sub="0002").session is None


def test_sso_never_takes_over_a_password_account_with_the_same_address(store, alice, clock):
    with store.write() as conn:
        conn.execute("UPDATE consultants SET email = 'alice@agency.example' WHERE id = ?", (alice,))
    result = sso_as(store, "alice@agency.example", clock, name="Not Alice")
    assert result.session is not None and result.session.consultant_id != alice
    password_account = accounts.get_by_id(store, alice)
    assert (
        password_account["sso_subject"] is None and password_account["display_name"] == "Alice A."
    )
    assert result.session.username == "alice@agency.example"
    assert login(store, "alice", PASSWORD, clock).session.consultant_id == alice


def test_a_login_that_finds_no_free_check_is_asked_to_retry_and_not_counted(
    store, alice, clock, monkeypatch
):
    monkeypatch.setattr(password_login, "VERIFY_QUEUE_SECONDS", 0.05)
    settings = replace(SETTINGS, login_parallel_checks=1)
    slots = password_login.verification_slots(1)
    assert slots.acquire(timeout=1)  # a burst is using the only slot
    try:
        busy = login_with(store, "alice", PASSWORD, settings, clock)
    finally:
        slots.release()
    assert busy.session is None and busy.message == password_login.BUSY
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM login_attempts").fetchone()[0] == 0
    assert login_with(store, "alice", PASSWORD, settings, clock).session is not None


# ------------------------------------------------- single sign-on: fresh identities only


def test_an_identity_older_than_a_few_minutes_starts_no_session(store, clock):
    """`st.user` lasts 30 days in Streamlit's cookie; only an identity the provider
    issued in the last SSO_FRESH_MINUTES starts a session, so logout and the time
    limits hold for single sign-on too."""
    now = int(system_clock().timestamp())
    for stale in (
        {"iat": now - 60 * (sso.SSO_FRESH_MINUTES + 1)},
        {"iat": now - 29 * 24 * 3600},
        {"iat": "not a time"},
        {"iat": now + 3600},  # from the future: not something a provider issues
    ):
        result = sso.sso_login(store, claims("ann@agency.example") | stale, sso_settings(), clock)
        assert result.session is None and result.ask_provider
        assert result.message == sso.SSO_AGAIN
    no_time = {k: v for k, v in claims("ann@agency.example").items() if k != "iat"}
    assert sso.sso_login(store, no_time, sso_settings(), clock).ask_provider
    assert accounts.list_consultants(store) == []
    fresh = claims("ann@agency.example") | {"iat": now - 60 * sso.SSO_FRESH_MINUTES + 5}
    assert sso.sso_login(store, fresh, sso_settings(), clock).session is not None


def test_single_sign_on_reads_the_issue_time_from_st_user():
    assert "iat" in sso.SSO_CLAIMS
    assert sso.SSO_FRESH_MINUTES == 5


@pytest.mark.parametrize(
    ("secret", "refused"),
    [
        ("a long random string", True),  # the old sample in the docs
        ("x" * 31, True),
        ("", True),
        (None, True),
        ("k" * 32, False),
    ],
)
def test_a_short_or_sample_cookie_secret_is_refused(secret, refused):
    problem = sso.cookie_secret_problem({"cookie_secret": secret})
    assert (problem is not None) == refused
    if refused:
        assert "secrets.token_urlsafe(48)" in problem


def test_no_cookie_secret_written_in_the_docs_would_be_accepted():
    """Whatever sample the docs show for `[auth] cookie_secret`, starting with it as it
    stands is refused, and the docs say how to make a real one."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    texts = [p.read_text() for p in [root / "README.md", *sorted((root / "docs").glob("*.md"))]]
    samples = [s for text in texts for s in re.findall(r'cookie_secret\s*=\s*"([^"]*)"', text)]
    assert samples, "the docs show how to set cookie_secret"
    for sample in samples:
        assert sso.cookie_secret_problem({"cookie_secret": sample}) is not None, sample
    assert any("secrets.token_urlsafe(48)" in text for text in texts)
