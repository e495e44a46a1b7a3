"""Device tokens and consultant session rows: hashing, claim once, expiry, revocation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import accounts, devices, journey, session_tokens, staff_sessions
from core.limits import UNLIMITED
from core.settings import Settings
from core.store import Store

SETTINGS = Settings()
PASSWORD = "harbour lights at dusk"


def _device(store: Store, clock, *, embedded: bool = False):
    session = journey.start(store, client=UNLIMITED)
    row_id, ticket = devices.issue_device_claim(
        store, session.candidate_id, embedded=embedded, clock=clock
    )
    claimed = devices.claim_device(store, ticket, clock=clock)
    assert claimed is not None
    return session, claimed


def _all_text(store: Store) -> str:
    """Every value in every table, as one string (to look for secrets in it)."""
    out = []
    with store.read() as conn:
        for table in store.table_names():
            for row in conn.execute(f"SELECT * FROM {table}"):  # noqa: S608 (own table names)
                out.extend(str(v) for v in tuple(row))
    return "\n".join(out)


def test_tokens_are_random_and_long_enough():
    tokens = {session_tokens.new_secret() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert session_tokens.well_formed(token)
        assert len(token) * 6 >= 128  # URL-safe base64: 6 bits a character


def test_only_hashes_are_stored(store, clock):
    session, claimed = _device(store, clock)
    text = _all_text(store)
    assert claimed.token not in text
    assert session_tokens.hash_secret(claimed.token) in text


def test_a_claimed_device_token_restores_the_latest_reflection(store, clock):
    session, claimed = _device(store, clock)
    newer = journey.new_reflection(store, session.candidate_id, client=UNLIMITED)
    match = devices.check_device(store, claimed.token, clock=clock)
    assert isinstance(match, devices.DeviceMatch)
    assert match.candidate_id == session.candidate_id
    assert match.reflection_id == newer


def test_a_claim_ticket_works_once_and_only_for_a_few_minutes(store, clock):
    session = journey.start(store, client=UNLIMITED)
    _, ticket = devices.issue_device_claim(store, session.candidate_id, clock=clock)
    assert devices.claim_device(store, ticket, clock=clock) is not None
    assert devices.claim_device(store, ticket, clock=clock) is None

    _, late = devices.issue_device_claim(store, session.candidate_id, clock=clock)
    clock.advance(minutes=session_tokens.CLAIM_MINUTES)
    assert devices.claim_device(store, late, clock=clock) is None


def test_device_expiry_slides_with_use(store, clock):
    _, claimed = _device(store, clock)
    for _ in range(3):  # used every 29 days: still good after 87
        clock.advance(days=devices.DEVICE_IDLE_DAYS - 1)
        assert isinstance(
            devices.check_device(store, claimed.token, clock=clock), devices.DeviceMatch
        )
    clock.advance(days=devices.DEVICE_IDLE_DAYS)
    assert devices.check_device(store, claimed.token, clock=clock) == "expired"


def test_forgetting_a_browser_revokes_only_that_token(store, clock):
    session, first = _device(store, clock)
    row_id, ticket = devices.issue_device_claim(store, session.candidate_id, clock=clock)
    second = devices.claim_device(store, ticket, clock=clock)
    devices.revoke_device(store, first.row_id, clock=clock)
    assert devices.check_device(store, first.token, clock=clock) == "revoked"
    assert isinstance(devices.check_device(store, second.token, clock=clock), devices.DeviceMatch)


def test_withdrawing_consent_revokes_every_token_of_the_candidate(store, clock):
    session, first = _device(store, clock)
    _, ticket = devices.issue_device_claim(store, session.candidate_id, clock=clock)
    second = devices.claim_device(store, ticket, clock=clock)
    other_session, other = _device(store, clock)
    assert devices.revoke_candidate_devices(store, session.candidate_id, clock=clock) == 2
    assert devices.check_device(store, first.token, clock=clock) == "revoked"
    assert devices.check_device(store, second.token, clock=clock) == "revoked"
    assert isinstance(devices.check_device(store, other.token, clock=clock), devices.DeviceMatch)


def test_deleting_the_candidate_deletes_their_tokens(store, clock):
    session, claimed = _device(store, clock)
    journey.delete_candidate(store, session.candidate_id)
    assert devices.check_device(store, claimed.token, clock=clock) == "unknown"
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM device_tokens").fetchone()[0] == 0


def test_claiming_on_a_browser_with_an_older_cookie_revokes_that_cookie(store, clock):
    _, theirs = _device(store, clock)
    mine = journey.start(store, client=UNLIMITED)
    _, ticket = devices.issue_device_claim(store, mine.candidate_id, clock=clock)
    claimed = devices.claim_device(store, ticket, replaces=theirs.token, clock=clock)
    assert claimed is not None
    assert devices.check_device(store, theirs.token, clock=clock) == "revoked"
    match = devices.check_device(store, claimed.token, clock=clock)
    assert isinstance(match, devices.DeviceMatch) and match.candidate_id == mine.candidate_id


@given(st.text(max_size=80) | st.none() | st.integers() | st.binary(max_size=40))
def test_any_forged_cookie_gets_nobody(value):
    from core.store import make_store

    store = make_store(":memory:")
    journey.start(store, client=UNLIMITED)
    assert devices.check_device(store, value) in ("malformed", "unknown")
    assert devices.claim_device(store, value) is None
    assert staff_sessions.staff_row_for_token(store, value) is None


def test_a_well_formed_but_unknown_token_gets_nobody(store, clock):
    _device(store, clock)
    assert devices.check_device(store, session_tokens.new_secret(), clock=clock) == "unknown"


# ------------------------------------------------------------------ consultants


@pytest.fixture
def alex(store) -> int:
    return accounts.add_consultant(store, "alex", PASSWORD, display_name="Alex Morgan")


def _staff(store, consultant_id, clock):
    row_id, ticket = staff_sessions.open_staff_session(store, consultant_id, clock=clock)
    claimed = staff_sessions.claim_staff(store, ticket, clock=clock)
    assert claimed is not None and claimed.row_id == row_id
    return claimed


def test_a_consultant_cookie_finds_its_session_row(store, alex, clock):
    claimed = _staff(store, alex, clock)
    row_id = staff_sessions.staff_row_for_token(store, claimed.token)
    assert row_id == claimed.row_id
    session = staff_sessions.use_staff_session(store, row_id, SETTINGS, clock=clock)
    assert isinstance(session, staff_sessions.StaffSession)
    assert session.display_name == "Alex Morgan"
    assert claimed.token not in _all_text(store)


def test_idle_timeout_from_the_row_and_checking_is_not_activity(store, alex, clock):
    claimed = _staff(store, alex, clock)
    clock.advance(minutes=SETTINGS.idle_timeout_minutes - 1)
    # The idle watcher looks without counting as use.
    assert staff_sessions.staff_session_state(store, claimed.row_id, SETTINGS, clock=clock) is None
    clock.advance(minutes=1)
    assert (
        staff_sessions.staff_session_state(store, claimed.row_id, SETTINGS, clock=clock) == "idle"
    )
    assert staff_sessions.use_staff_session(store, claimed.row_id, SETTINGS, clock=clock) == "idle"
    clock.advance(minutes=1)
    # Once ended it stays ended, with the reason it ended for.
    assert staff_sessions.use_staff_session(store, claimed.row_id, SETTINGS, clock=clock) == "idle"


def test_activity_keeps_a_session_alive_until_the_absolute_limit(store, alex, clock):
    claimed = _staff(store, alex, clock)
    steps = SETTINGS.absolute_timeout_hours * 60 // 20
    for _ in range(steps - 1):
        clock.advance(minutes=20)
        assert isinstance(
            staff_sessions.use_staff_session(store, claimed.row_id, SETTINGS, clock=clock),
            staff_sessions.StaffSession,
        )
    clock.advance(minutes=20)
    assert (
        staff_sessions.use_staff_session(store, claimed.row_id, SETTINGS, clock=clock) == "absolute"
    )


def test_logout_ends_every_session_of_that_consultant_only(store, alex, clock):
    one, two = _staff(store, alex, clock), _staff(store, alex, clock)
    sam = accounts.add_consultant(store, "sam", PASSWORD + " too")
    other = _staff(store, sam, clock)
    assert staff_sessions.end_consultant_sessions(store, alex, clock=clock) == 2
    assert staff_sessions.use_staff_session(store, one.row_id, SETTINGS, clock=clock) == "logout"
    assert staff_sessions.use_staff_session(store, two.row_id, SETTINGS, clock=clock) == "logout"
    assert isinstance(
        staff_sessions.use_staff_session(store, other.row_id, SETTINGS, clock=clock),
        staff_sessions.StaffSession,
    )


def test_disabling_a_consultant_ends_their_sessions_at_the_next_request(store, alex, clock):
    claimed = _staff(store, alex, clock)
    accounts.disable_consultant(store, "alex")
    assert (
        staff_sessions.use_staff_session(store, claimed.row_id, SETTINGS, clock=clock) == "disabled"
    )


def test_a_new_password_ends_sessions_made_with_the_old_one(store, alex, clock):
    claimed = _staff(store, alex, clock)
    with store.write() as conn:
        conn.execute(
            "UPDATE consultants SET password_hash = ? WHERE id = ?",
            (accounts.hash_password("a different long password"), alex),
        )
    assert (
        staff_sessions.use_staff_session(store, claimed.row_id, SETTINGS, clock=clock) == "password"
    )


def test_a_staff_claim_works_once(store, alex, clock):
    _, ticket = staff_sessions.open_staff_session(store, alex, clock=clock)
    assert staff_sessions.claim_staff(store, ticket, clock=clock) is not None
    assert staff_sessions.claim_staff(store, ticket, clock=clock) is None


def test_an_unknown_session_row_is_ended(store, clock):
    assert staff_sessions.use_staff_session(store, 12345, SETTINGS, clock=clock) == "unknown"


def forget_stale(store, clock) -> int:
    """What start-up deletes (web/startup.py): stale device rows, then session rows."""
    return devices.forget_stale(store, clock=clock) + staff_sessions.forget_stale(
        store, SETTINGS, clock=clock
    )


def test_stale_rows_are_tidied_and_live_ones_kept(store, alex, clock):
    session, live = _device(store, clock)
    _, never_claimed = devices.issue_device_claim(store, session.candidate_id, clock=clock)
    _, forgotten = _device(store, clock)
    devices.revoke_device(store, forgotten.row_id, clock=clock)
    staff_live = _staff(store, alex, clock)
    staff_ended = _staff(store, alex, clock)
    with store.write() as conn:
        conn.execute(
            "UPDATE consultant_sessions SET ended_at = started_at, ended_reason = 'logout' "
            "WHERE id = ?",
            (staff_ended.row_id,),
        )
    clock.advance(minutes=session_tokens.CLAIM_MINUTES + 1)
    assert forget_stale(store, clock) == 1  # only the unclaimed ticket
    clock.advance(days=session_tokens.KEEP_ENDED_DAYS)
    assert forget_stale(store, clock) == 2  # the revoked token, the logout
    with store.read() as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM device_tokens")] == [live.row_id]
        assert [r[0] for r in conn.execute("SELECT id FROM consultant_sessions")] == [
            staff_live.row_id
        ]
    # A session past its absolute limit goes the same number of days after that limit.
    clock.advance(hours=SETTINGS.absolute_timeout_hours)
    assert forget_stale(store, clock) == 1
    # The browser's own token, used in time, stays through all of it.
    assert isinstance(devices.check_device(store, live.token, clock=clock), devices.DeviceMatch)
