"""The numbers the README and docs/ (and SPEC, where the code implements it) promise.

Issue 22: lifetimes, limits, thresholds and weights were only checked through the
constants under test, so changing a device token's 30 idle days to 3,000 left the suite
green. Here each promised number is written out, as a literal, as the pages state it. Where a user
would notice the number, it is checked at that edge on an explicit clock (a second
before it, a second after it); where that is impractical, the setting or constant is
compared with the literal. Grouped by the page and section (or SPEC section) that says it.
The last test checks that the pages still state each number, so neither side can drift.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import stat
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from core import (
    accounts,
    admin,
    campaign,
    checklist,
    contact,
    devices,
    drafts,
    journey,
    password_login,
    questionnaire,
    scoring,
    session_tokens,
    staff_sessions,
    suggestions,
    validation,
)
from core.audit import record
from core.clock import stamp, system_clock
from core.limits import LOCAL_CLIENT, UNLIMITED, ClientLimit
from core.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
# A fixed moment: nothing here depends on the real date.
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
PASSWORD = "harbour lights at dusk"
DEFAULTS = Settings()


def at(moment: dt.datetime):
    """A clock stopped at `moment`."""
    return lambda: moment


def after(**delta: float) -> dt.datetime:
    return T0 + dt.timedelta(**delta)


@pytest.fixture
def consultant(store) -> int:
    return accounts.add_consultant(store, "alice", PASSWORD, display_name="Alice")


def _count(store, table: str) -> int:
    with store.read() as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


# --------------------------------------------------------------------------------------
# README "Settings": the defaults table.


PROMISED_DEFAULTS = [
    ("BOUNCE_BACK_DRAFT_RETENTION_DAYS", 90),
    ("BOUNCE_BACK_SUBMITTED_RETENTION_DAYS", 365),
    ("BOUNCE_BACK_AUDIT_RETENTION_DAYS", 365),
    ("BOUNCE_BACK_IDLE_TIMEOUT_MINUTES", 30),
    ("BOUNCE_BACK_ABSOLUTE_TIMEOUT_HOURS", 12),
    ("BOUNCE_BACK_LOGIN_MAX_FAILURES", 5),
    ("BOUNCE_BACK_LOGIN_WINDOW_MINUTES", 15),
    ("BOUNCE_BACK_LOGIN_CLIENT_FAILURES", 20),
    ("BOUNCE_BACK_LOGIN_PARALLEL_CHECKS", 2),
    ("BOUNCE_BACK_LOGIN_FAILURES_CEILING", 500),
]


def test_the_settings_table_lists_every_setting():
    table = (ROOT / "README.md").read_text()
    for field in dataclasses.fields(Settings):
        assert f"| `BOUNCE_BACK_{field.name.upper()}` |" in table, field.name


@pytest.mark.parametrize(("variable", "default"), PROMISED_DEFAULTS)
def test_settings_table_default_is_the_number_the_readme_states(variable, default):
    field = variable.removeprefix("BOUNCE_BACK_").lower()
    assert getattr(load_settings({}), field) == default
    assert getattr(DEFAULTS, field) == default


# --------------------------------------------------------------------------------------
# README "Linking from the blog": campaign parameters are cut to 100 characters.


def test_campaign_parameters_are_cut_to_100_characters():
    kept = campaign.clean_campaign({"utm_campaign": "j" * 100, "utm_source": "b" * 150})
    assert kept["utm_campaign"] == "j" * 100
    assert kept["utm_source"] == "b" * 100


# --------------------------------------------------------------------------------------
# docs/security.md "Sessions and cookies": claim tickets, device tokens, consultant sessions.


def _claimed_device(store, moment: dt.datetime) -> str:
    session = journey.start(store, client=UNLIMITED)
    _, ticket = devices.issue_device_claim(store, session.candidate_id, clock=at(moment))
    claimed = devices.claim_device(store, ticket, clock=at(moment))
    assert claimed is not None
    return claimed.token


def _device_ticket(store, moment: dt.datetime) -> str:
    session = journey.start(store, client=UNLIMITED)
    return devices.issue_device_claim(store, session.candidate_id, clock=at(moment))[1]


def test_a_claim_ticket_holds_256_random_bits():
    ticket = session_tokens.new_secret()  # what issue_device_claim and open_staff_session hand out
    assert len(base64.urlsafe_b64decode(ticket + "=")) * 8 == 256


def test_a_device_claim_ticket_works_at_4_min_59_s_and_not_at_5_min_1_s(store):
    early = _device_ticket(store, T0)
    assert devices.claim_device(store, early, clock=at(after(minutes=5) - SECOND)) is not None
    late = _device_ticket(store, T0)
    assert devices.claim_device(store, late, clock=at(after(minutes=5) + SECOND)) is None


def test_a_consultant_claim_ticket_works_at_4_min_59_s_and_not_at_5_min_1_s(store, consultant):
    _, early = staff_sessions.open_staff_session(store, consultant, clock=at(T0))
    assert staff_sessions.claim_staff(store, early, clock=at(after(minutes=5) - SECOND)) is not None
    _, late = staff_sessions.open_staff_session(store, consultant, clock=at(T0))
    assert staff_sessions.claim_staff(store, late, clock=at(after(minutes=5) + SECOND)) is None


def test_a_device_token_idle_29_days_still_works(store):
    token = _claimed_device(store, T0)
    found = devices.check_device(store, token, clock=at(after(days=30) - SECOND))
    assert isinstance(found, devices.DeviceMatch)


def test_a_device_token_idle_30_days_has_expired(store):
    token = _claimed_device(store, T0)
    assert devices.check_device(store, token, clock=at(after(days=30) + SECOND)) == "expired"


def test_a_device_token_slides_each_visit_restarts_the_30_days(store):
    token = _claimed_device(store, T0)
    assert isinstance(
        devices.check_device(store, token, clock=at(after(days=20))), devices.DeviceMatch
    )
    # 49 days after it was issued, but only 29 since the last visit.
    assert isinstance(
        devices.check_device(store, token, clock=at(after(days=49))), devices.DeviceMatch
    )
    assert devices.check_device(store, token, clock=at(after(days=79) + SECOND)) == "expired"


def test_the_device_cookie_lives_30_days():
    from web import routes

    assert routes.DEVICE_MAX_AGE == 30 * 24 * 60 * 60


def _staff_session(store, consultant_id: int) -> int:
    row_id, ticket = staff_sessions.open_staff_session(store, consultant_id, clock=at(T0))
    assert staff_sessions.claim_staff(store, ticket, clock=at(T0)) is not None
    return row_id


def _use(store, row_id: int, moment: dt.datetime):
    return staff_sessions.use_staff_session(store, row_id, DEFAULTS, clock=at(moment))


def test_a_consultant_idle_29_min_59_s_stays_logged_in_and_30_min_1_s_is_logged_out(
    store, consultant
):
    row_id = _staff_session(store, consultant)
    last = after(minutes=30) - SECOND
    assert isinstance(_use(store, row_id, last), staff_sessions.StaffSession)
    # That request restarted the idle clock: 30 minutes and a second after it, it ends.
    assert _use(store, row_id, last + dt.timedelta(minutes=30) + SECOND) == "idle"


def test_a_busy_consultant_is_logged_out_after_12_hours_in_all(store, consultant):
    row_id = _staff_session(store, consultant)
    for step in range(1, 29):  # a click every 25 minutes, never idle for long
        assert isinstance(
            _use(store, row_id, after(minutes=25 * step)), staff_sessions.StaffSession
        )
    assert isinstance(_use(store, row_id, after(hours=12) - SECOND), staff_sessions.StaffSession)
    assert _use(store, row_id, after(hours=12) + SECOND) == "absolute"


def test_open_consultant_pages_look_at_the_session_every_15_seconds():
    from ui import consultant as staff_ui

    assert staff_ui.IDLE_CHECK_SECONDS == 15


def _forget_stale(store, clock) -> None:
    devices.forget_stale(store, clock=clock)
    staff_sessions.forget_stale(store, DEFAULTS, clock=clock)


def test_a_device_token_unused_for_120_days_is_deleted_at_start(store):
    _claimed_device(store, T0)
    _forget_stale(store, at(after(days=120) - SECOND))
    assert _count(store, "device_tokens") == 1
    _forget_stale(store, at(after(days=120) + SECOND))
    assert _count(store, "device_tokens") == 0


def test_a_device_token_revoked_a_week_ago_is_deleted_at_start(store):
    token = _claimed_device(store, T0)
    devices.revoke_device_token(store, token, clock=at(T0))
    _forget_stale(store, at(after(days=7) - SECOND))
    assert _count(store, "device_tokens") == 1
    _forget_stale(store, at(after(days=7) + SECOND))
    assert _count(store, "device_tokens") == 0


def test_a_consultant_session_is_deleted_a_week_after_it_ended(store, consultant):
    _staff_session(store, consultant)
    staff_sessions.end_consultant_sessions(store, consultant, clock=at(T0))
    _forget_stale(store, at(after(days=7) - SECOND))
    assert _count(store, "consultant_sessions") == 1
    _forget_stale(store, at(after(days=7) + SECOND))
    assert _count(store, "consultant_sessions") == 0


def test_a_claim_never_traded_is_deleted_once_its_5_minutes_are_up(store):
    _device_ticket(store, T0)
    _forget_stale(store, at(after(minutes=5) - SECOND))
    assert _count(store, "device_tokens") == 1
    _forget_stale(store, at(after(minutes=5) + SECOND))
    assert _count(store, "device_tokens") == 0


# --------------------------------------------------------------------------------------
# docs/security.md "Password logins": passwords and login throttling.


def test_passwords_need_at_least_12_characters():
    assert accounts.check_password("quiet-fjord7") == "quiet-fjord7"  # 12 characters
    with pytest.raises(ValueError, match="at least 12"):
        accounts.check_password("quiet-fjord")  # 11


def _login(store, password: str, moment: dt.datetime, username: str = "alice"):
    return password_login.authenticate(
        store, username, password, DEFAULTS, at(moment), client=LOCAL_CLIENT
    )


def test_5_failures_in_a_row_are_free_then_waits_of_1_2_4_8_and_at_most_15_minutes(
    store, consultant
):
    for _ in range(5):
        free = _login(store, "a wrong guess", T0)
        assert not free.locked and free.message == password_login.REFUSED
    last = T0
    for minutes in (1, 2, 4, 8, 15, 15, 15):
        wait = dt.timedelta(minutes=minutes)
        # Refused without a check a second early; that refusal does not lengthen the wait.
        assert _login(store, PASSWORD, last + wait - SECOND).locked
        last += wait + SECOND
        checked = _login(store, "a wrong guess", last)
        assert not checked.locked and checked.message == password_login.REFUSED
    # Never locked for good: 15 minutes after the latest failure the owner gets in,
    # and that success ends the run.
    assert _login(store, PASSWORD, last + dt.timedelta(minutes=15) + SECOND).session is not None
    again = _login(store, "a wrong guess", last + dt.timedelta(minutes=15) + 2 * SECOND)
    assert not again.locked


def test_of_12_guesses_at_once_5_are_checked_and_7_told_to_wait(store, consultant):
    start = threading.Barrier(12)

    def guess(n: int):
        start.wait()
        return _login(store, f"guess {n}", T0)

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(guess, range(12)))
    assert sum(not r.locked and r.message == password_login.REFUSED for r in results) == 5
    assert sum(r.locked for r in results) == 7


def test_20_failures_from_one_client_within_15_minutes_pause_that_client_only(store, consultant):
    def attempt(password, moment, client, username="alice"):
        return password_login.authenticate(
            store, username, password, DEFAULTS, at(moment), client=client
        )

    for n in range(19):
        assert attempt("guess", T0, "203.0.113.7", f"visitor{n}").message == password_login.REFUSED
    assert attempt(PASSWORD, T0, "203.0.113.7").session is not None  # 19: not yet the budget
    assert attempt("guess", T0, "203.0.113.7", "visitor19").message == password_login.REFUSED
    paused = attempt(PASSWORD, T0, "203.0.113.7")
    assert paused.session is None and paused.locked
    assert attempt(PASSWORD, T0, "198.51.100.20").session is not None  # anyone else: in
    assert attempt(PASSWORD, after(minutes=15) - SECOND, "203.0.113.7").locked
    assert attempt(PASSWORD, after(minutes=15) + SECOND, "203.0.113.7").session is not None


class _CountingHasher(PasswordHasher):
    """Cheap argon2id that records how many verifications ran at the same moment."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8192, parallelism=1)
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def verify(self, hash_, password):
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(0.2)  # long enough for a burst to pile up at the cap
            return super().verify(hash_, password)
        finally:
            with self._lock:
                self.running -= 1


def test_at_most_2_password_checks_run_at_once(store):
    hasher = _CountingHasher()
    old = accounts.use_hasher(hasher)
    start = threading.Barrier(12)

    def guess(n: int):
        start.wait()
        # Twelve names, so the per-username throttle stops none of them.
        return _login(store, "guess", T0, username=f"name{n}")

    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(guess, range(12)))
    finally:
        accounts.use_hasher(old)
    assert all(r.message == password_login.REFUSED for r in results)
    assert hasher.most_at_once == 2


def test_a_flood_of_failures_from_everyone_slows_each_login_by_2_seconds():
    assert password_login.FLOOD_PAUSE_SECONDS == 2


def test_a_login_queues_up_to_5_seconds_for_a_free_check():
    assert password_login.VERIFY_QUEUE_SECONDS == 5


# --------------------------------------------------------------------------------------
# docs/security.md "Limits on anonymous writes": 5 contact requests per reflection, 10 new
# reflections per candidate per day; per client, 20 starts and 10 contact requests a
# minute, under a ceiling of 600 and 300 for the process.


def test_5_contact_requests_per_reflection_and_not_a_6th(store):
    rid = journey.start(store, client=UNLIMITED).reflection_id
    request = contact.validate("Sam", "sam@example.com", "", "email", "", True)
    for _ in range(5):
        contact.save_request(store, rid, request, client=UNLIMITED)
    with pytest.raises(contact.ContactInvalid) as refused:
        contact.save_request(store, rid, request, client=UNLIMITED)
    assert "form" in refused.value.errors
    assert len(contact.requests_for(store, rid)) == 5


def _backdate_reflections(store, candidate_id: int, age: dt.timedelta) -> None:
    # `new_reflection` reads the system clock, so the rows are aged against it instead.
    with store.write() as conn:
        conn.execute(
            "UPDATE reflections SET created_at = ? WHERE candidate_id = ?",
            (stamp(system_clock() - age), candidate_id),
        )


def test_10_reflections_per_candidate_per_day_and_not_an_11th(store):
    candidate_id = journey.start(store, client=UNLIMITED).candidate_id  # the first of the day
    for _ in range(9):
        journey.new_reflection(store, candidate_id, client=UNLIMITED)
    with pytest.raises(journey.TooMany):
        journey.new_reflection(store, candidate_id, client=UNLIMITED)
    assert _count(store, "reflections") == 10


def test_the_reflection_cap_counts_the_last_24_hours(store):
    candidate_id = journey.start(store, client=UNLIMITED).candidate_id
    for _ in range(9):
        journey.new_reflection(store, candidate_id, client=UNLIMITED)
    _backdate_reflections(store, candidate_id, dt.timedelta(hours=23, minutes=58))
    with pytest.raises(journey.TooMany):
        journey.new_reflection(store, candidate_id, client=UNLIMITED)
    _backdate_reflections(store, candidate_id, dt.timedelta(hours=24, minutes=2))
    journey.new_reflection(store, candidate_id, client=UNLIMITED)


def test_20_new_candidates_a_minute_per_client_and_600_per_process(store):
    budget = journey.new_candidates(store)
    assert (budget.per_client, budget.ceiling, budget.window) == (20, 600, 60.0)
    now = [0.0]
    limit = ClientLimit(budget.per_client, budget.ceiling, clock=lambda: now[0])
    for _ in range(20):
        journey.start(store, client="203.0.113.7", limit=limit)
    with pytest.raises(journey.TooMany):
        journey.start(store, client="203.0.113.7", limit=limit)
    assert _count(store, "candidates") == 20
    journey.start(store, client="198.51.100.20", limit=limit)  # another client: no wait
    for n in range(579):  # 30 clients together reach the ceiling
        assert limit.take(f"client {n // 20}") is None
    with pytest.raises(journey.TooMany):
        journey.start(store, client="192.0.2.1", limit=limit)
    now[0] = 59.9
    assert limit.take("203.0.113.7") is not None
    now[0] = 60.0
    assert limit.take("203.0.113.7") is None


# --------------------------------------------------------------------------------------
# docs/operations.md "The admin command", "Retention and purge", "Durability and file
# modes": purge defaults, ages, exit status, file modes.


def _aged_reflection(store, *, updated: dt.datetime, submitted: dt.datetime | None = None) -> int:
    rid = journey.start(store, client=UNLIMITED).reflection_id
    journey.save_answer(store, rid, "company", "Acme")
    if submitted is not None:
        journey.submit_for_review(store, rid, journey.load_answers(store, rid))
    with store.write() as conn:
        conn.execute(
            "UPDATE reflections SET updated_at = ?, submitted_at = ? WHERE id = ?",
            (stamp(updated), None if submitted is None else stamp(submitted), rid),
        )
    return rid


def _purge_with_defaults(store) -> dict[str, int]:
    return admin.purge(
        store,
        DEFAULTS.draft_retention_days,
        DEFAULTS.submitted_retention_days,
        audit_days=DEFAULTS.audit_retention_days,
        now=T0,
    )


def _reflection_ids(store) -> set[int]:
    with store.read() as conn:
        return {int(r[0]) for r in conn.execute("SELECT id FROM reflections")}


def test_purge_keeps_a_draft_untouched_for_90_days_and_deletes_it_a_second_later(store):
    kept = _aged_reflection(store, updated=T0 - dt.timedelta(days=90) + SECOND)
    _aged_reflection(store, updated=T0 - dt.timedelta(days=90) - SECOND)
    assert _purge_with_defaults(store)["drafts"] == 1
    assert _reflection_ids(store) == {kept}


def test_purge_keeps_a_submitted_reflection_for_365_days_after_submission(store):
    young, old = (T0 - dt.timedelta(days=365) + SECOND, T0 - dt.timedelta(days=365) - SECOND)
    kept = _aged_reflection(store, updated=young, submitted=young)
    _aged_reflection(store, updated=old, submitted=old)
    assert _purge_with_defaults(store)["submitted"] == 1
    assert _reflection_ids(store) == {kept}


def test_purge_keeps_audit_rows_and_login_attempts_for_365_days(store):
    young, old = (T0 - dt.timedelta(days=365) + SECOND, T0 - dt.timedelta(days=365) - SECOND)
    with store.write() as conn:
        for moment in (young, old):
            record(conn, "admin", "login_failed", at=moment)
            conn.execute(
                "INSERT INTO login_attempts (username, at, success) VALUES (?, ?, 0)",
                ("alice", stamp(moment)),
            )
    counts = _purge_with_defaults(store)
    assert (counts["audit"], counts["login_attempts"]) == (1, 1)
    assert (_count(store, "audit_log"), _count(store, "login_attempts")) == (1, 1)


def test_purge_without_ages_uses_90_365_and_365_days(db_path, monkeypatch, capsys):
    from core import cli

    for name in ("DRAFT", "SUBMITTED", "AUDIT"):
        monkeypatch.delenv(f"BOUNCE_BACK_{name}_RETENTION_DAYS", raising=False)
    assert cli.main(["--db", str(db_path), "init"]) == 0
    asked: dict[str, object] = {}

    def spy(store, draft_days, submitted_days, **options):
        asked.update(drafts=draft_days, submitted=submitted_days, audit=options.get("audit_days"))
        return {"drafts": 0, "submitted": 0, "candidates": 0, "audit": 0, "login_attempts": 0}

    monkeypatch.setattr(admin, "purge", spy)
    assert cli.main(["--db", str(db_path), "purge", "--dry-run"]) == 0
    assert asked == {"drafts": 90, "submitted": 365, "audit": 365}


@pytest.mark.parametrize("which", ["draft", "submitted", "audit"])
def test_purge_ages_are_whole_days_from_1_to_36500(store, which):
    def purge(days: int) -> dict[str, int]:
        ages = {"draft": 90, "submitted": 365, "audit": 365, which: days}
        return admin.purge(
            store, ages["draft"], ages["submitted"], audit_days=ages["audit"], dry_run=True, now=T0
        )

    purge(1)
    purge(36_500)
    for refused in (0, 36_501):
        with pytest.raises(ValueError, match="Nothing was deleted"):
            purge(refused)


def test_an_admin_refusal_exits_with_status_1(db_path, capsys):
    from core import cli

    assert cli.main(["--db", str(db_path), "init"]) == 0
    assert cli.main(["--db", str(db_path), "purge", "--drafts", "0"]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_the_database_and_its_backups_are_created_mode_0600(db_path, tmp_path, capsys):
    from core import cli

    assert cli.main(["--db", str(db_path), "init"]) == 0
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    copy = tmp_path / "nightly.db"
    assert cli.main(["--db", str(db_path), "backup", str(copy)]) == 0
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


# --------------------------------------------------------------------------------------
# docs/operations.md "When something goes wrong": waits, rechecks, the mailto: length.


def test_a_save_keeps_trying_for_5_seconds():
    from core import store_base

    assert store_base.WRITE_WAIT_SECONDS == 5
    assert store_base.BUSY_TIMEOUT_MS == 5000


def test_a_broken_database_is_checked_again_every_15_seconds():
    from core import health

    assert health.RECHECK_SECONDS == 15


def test_an_e_mail_link_is_offered_up_to_2000_characters_and_not_beyond():
    room = 2000 - len(drafts.mailto_link(drafts.Draft("", "")))
    fits = drafts.Draft("", "a" * room)
    link = drafts.mailto_link_if_fits("feedback_request", fits)
    assert link is not None and len(link) == 2000
    too_long = drafts.Draft("", "a" * (room + 1))
    assert drafts.mailto_link_if_fits("feedback_request", too_long) is None


# --------------------------------------------------------------------------------------
# README "My plan and the score": suggested dates, weights, what would lift it next.

HEARD = dt.date(2026, 3, 2)


def _suggested_days(answers: dict) -> dict[str, int]:
    items = checklist.checklist({"news_date": HEARD.isoformat(), **answers}, today=HEARD)
    return {item.key: (item.due_date - HEARD).days for item in items if item.suggested}


def test_suggested_dates_are_2_3_7_14_and_28_days_after_the_news():
    # Two days for messages, three for invitations, a week for a next step, two weeks
    # for practice, four for a check-in.
    days = _suggested_days(
        {
            "feedback_status": "not_yet",
            "contacts": [{"name": "Priya Shah", "connected": "no"}],
            "pipeline": [{"company": "Acme"}],
            "improvements": [{"action": "Practise the case study"}],
            "action_points": [{"point": "Shorter answers"}],
        }
    )
    assert days == {
        "feedback_request": 2,
        "rejection_reply": 2,
        "invite:Priya Shah": 3,
        "checkin:Priya Shah": 28,
        "pipeline:Acme": 7,
        "improvement:Practise the case study": 14,
        "point:Shorter answers": 14,
    }


def test_a_chase_for_feedback_is_suggested_a_week_after_the_news():
    assert _suggested_days({"feedback_status": "asked", "replied_to_rejection": "yes"}) == {
        "feedback_chase": 7
    }


def test_what_they_did_counts_three_times_as_much_as_how_they_feel():
    assert (questionnaire.BEHAVIOUR_WEIGHT, questionnaire.FEELING_WEIGHT) == (3, 1)
    did_not_feel = scoring.score({"feedback_status": "received", "takes_criticism": 1})
    felt_not_did = scoring.score({"feedback_status": "not_yet", "takes_criticism": 5})
    assert did_not_feel.dimensions["feedback"] == 75  # 100 × 3 / (3 + 1)
    assert felt_not_did.dimensions["feedback"] == 25  # 100 × 1 / (3 + 1)


def test_what_would_lift_it_next_names_one_or_two_behaviours():
    answers = {"takes_criticism": 3, "keeps_in_touch": 3, "actively_searching": 3}
    assert len(scoring.explain(scoring.score(answers)).lift) == 2


# --------------------------------------------------------------------------------------
# docs/accessibility.md: the focus ring and caption contrast.


def test_every_control_gets_a_3_px_focus_ring():
    from ui import step

    assert ":focus-visible { outline: 3px solid" in step.RATING_CSS


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(hex_colour: str) -> tuple[int, ...]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def test_captions_at_60_percent_of_the_text_colour_reach_4_5_to_1_on_both_backgrounds():
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    text = _rgb(theme["textColor"])
    for key in ("backgroundColor", "secondaryBackgroundColor"):
        ground = _rgb(theme[key])
        caption = tuple(0.6 * t + 0.4 * g for t, g in zip(text, ground, strict=True))
        light, dark = sorted((_luminance(ground), _luminance(caption)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, key


# --------------------------------------------------------------------------------------
# docs/scaling.md and docs/operations.md: pool, exit status, the proxy's timings.


def test_each_process_keeps_a_postgresql_pool_of_up_to_8():
    from core import store_pg

    assert store_pg.POOL_MAX == 8


def test_an_unreachable_postgresql_at_start_exits_with_status_3():
    from web import startup

    assert startup.DATABASE_UNREACHABLE_EXIT == 3


def test_haproxy_keeps_websockets_an_hour_and_checks_healthz_every_second():
    import cluster

    config = cluster.haproxy_config(8500, [8601, 8602])
    assert "timeout tunnel 1h" in config
    assert config.count(" inter 1s ") == 2


# --------------------------------------------------------------------------------------
# SPEC §3 "Candidate journey": the numbers in each step.


def test_there_are_five_steps_and_five_stages_a_candidate_can_reach():
    assert [s.number for s in questionnaire.STEPS] == [1, 2, 3, 4, 5]
    assert [key for key, _ in questionnaire.STAGES] == [
        "phone_screen",
        "first_interview",
        "second_interview",
        "final_interview",
        "assessment_centre",
    ]


@pytest.mark.parametrize(
    ("key", "column"), [("action_points", "point"), ("improvements", "action")]
)
def test_up_to_three_action_points_and_three_improvements(key, column):
    rows = [{column: f"thing {n}"} for n in range(4)]
    assert len(validation.clean_answer(key, rows[:3])) == 3
    with pytest.raises(validation.InvalidAnswer, match="up to 3 rows"):
        validation.clean_answer(key, rows)


def test_the_linkedin_invitation_note_must_fit_200_characters():
    assert validation.clean_answer("linkedin_note", "n" * 200) == "n" * 200
    with pytest.raises(validation.InvalidAnswer, match="limit is 200"):
        validation.clean_answer("linkedin_note", "n" * 201)
    assert drafts.overflow("n" * 201) == 1


def test_stage_confidence_and_self_ratings_run_from_1_to_5():
    def stage(confidence):
        return [{"stage": "final_interview", "confidence": confidence}]

    for ok in (1, 5):
        assert validation.clean_answer("stage_ratings", stage(ok))[0]["confidence"] == ok
        assert validation.clean_answer("takes_criticism", ok) == ok
    for refused in (0, 6):
        with pytest.raises(validation.InvalidAnswer):
            validation.clean_answer("stage_ratings", stage(refused))
        with pytest.raises(validation.InvalidAnswer):
            validation.clean_answer("takes_criticism", refused)


def test_step_5_has_six_resilience_self_ratings_three_reverse_keyed():
    ratings = [f for f in questionnaire.STEPS_BY_KEY["learning"].fields if f.kind == "likert"]
    assert len(ratings) == 6
    assert sum(f.reverse for f in ratings) == 3


def test_final_stage_rejections_are_counted_0_1_2_or_3_plus():
    field = questionnaire.FIELDS_BY_KEY["final_rejections_6m"]
    assert [key for key, _ in field.options] == ["0", "1", "2", "3+"]


# --------------------------------------------------------------------------------------
# SPEC §4 "Confidence score": normalisation, bands, when there is an overall score.


def test_self_ratings_normalise_as_v_minus_1_over_4_and_reverse_as_5_minus_v_over_4():
    items = {item.key: item for item in questionnaire.SCORE_ITEMS}
    values = [scoring.component_value(items["takes_criticism"], v) for v in range(1, 6)]
    assert values == [0.0, 0.25, 0.5, 0.75, 1.0]
    reverse = [scoring.component_value(items["replaying"], v) for v in range(1, 6)]
    assert reverse == [1.0, 0.75, 0.5, 0.25, 0.0]


def test_counts_normalise_as_min_n_target_over_target():
    for item in questionnaire.SCORE_ITEMS:
        if item.kind != "count" or item.where is not None:
            continue
        column = questionnaire.FIELDS_BY_KEY[item.source].columns[0].key
        one = [{column: "one"}]
        many = [{column: f"row {n}"} for n in range(item.target + 1)]
        assert scoring.component_value(item, one) == pytest.approx(1 / item.target)
        assert scoring.component_value(item, many) == 1.0


@pytest.mark.parametrize(
    ("overall", "band"),
    [(0, "low"), (39, "low"), (40, "building"), (69, "building"), (70, "strong"), (100, "strong")],
)
def test_bands_are_below_40_low_40_to_69_building_70_and_above_strong(overall, band):
    assert questionnaire.band_for(overall)[0] == band


def test_the_overall_score_shows_once_at_least_three_steps_have_scores():
    two = {"takes_criticism": 5, "keeps_in_touch": 5}
    assert scoring.score(two).overall is None
    assert scoring.score({**two, "actively_searching": 5}).overall == 100


# --------------------------------------------------------------------------------------
# SPEC §5 "Consultant suggestion": the thresholds behind each reason.


def _result(overall: int | None = None, **dimensions: int) -> scoring.ScoreResult:
    dims = {d: dimensions.get(d) for d in questionnaire.DIMENSIONS}
    return scoring.ScoreResult(dims, overall, None, None, ())


def _codes(result: scoring.ScoreResult, answers: dict | None = None, **kw) -> set[str]:
    return {r.code for r in suggestions.reasons_for(result, answers or {}, **kw)}


def test_an_overall_score_below_40_suggests_a_consultant():
    assert "low_overall" in _codes(_result(overall=39))
    assert "low_overall" not in _codes(_result(overall=40))


def test_any_step_below_30_suggests_its_service():
    for dimension in questionnaire.DIMENSIONS:
        assert f"low_{dimension}" in _codes(_result(**{dimension: 29}))
        assert f"low_{dimension}" not in _codes(_result(**{dimension: 30}))


def test_three_or_more_final_stage_rejections_suggest_a_consultant():
    assert "repeated_final_rejections" in _codes(_result(), {"final_rejections_6m": "3+"})
    assert "repeated_final_rejections" not in _codes(_result(), {"final_rejections_6m": "1"})


def test_asking_to_talk_is_always_a_reason_and_the_highest():
    assert _codes(
        _result(overall=100), {"pipeline": [{"company": "Acme"}]}, asked_to_talk=True
    ) == {"asked_to_talk"}
    worst = {
        "final_rejections_6m": "3+",
        "not_good_enough": 5,
        "giving_up": 5,
        "avoid_applying": 5,
        "can_tailor": 1,
    }
    low = _result(overall=0, **dict.fromkeys(questionnaire.DIMENSIONS, 0))
    first, *others = suggestions.reasons_for(low, worst, asked_to_talk=True)
    assert first.code == "asked_to_talk"
    assert all(first.priority > other.priority for other in others)


# --------------------------------------------------------------------------------------
# The pages still say what the tests above pin: each number in the words a reader sees.

PAGES_STATE = {
    "README.md": [
        *(f"| `{variable}` | {default} |" for variable, default in PROMISED_DEFAULTS),
        "cut to 100 characters",
        "two days for messages, three for invitations, a week for a chase or a next step,"
        " two weeks for practice, four for a check-in",
        "counts three times as much as how they feel",
        "the one or two behaviours with the largest gain",
    ],
    "docs/security.md": [
        "256 random bits",
        "valid for 5 minutes",
        "expires after 30 days unused, and each visit restarts the 30 days",
        "after 30 minutes idle or 12 hours in all",
        "look at the row every 15 seconds",
        "tokens revoked a week ago or unused for 120 days,"
        " consultant sessions a week after they ended",
        "at least 12 characters",
        "of 12 at once against the default limit, 5 are checked and 7 are told to wait",
        "After 5 failures in a row for one username from one client, that client's next try"
        " at that username waits 1 minute after the last failure, then 2, 4, 8, and at most"
        " 15 minutes",
        "after 20 failures from one client within 15 minutes",
        "past 500 failed password logins within 15 minutes",
        "each password login waits 2 seconds before its check",
        "At most 2 password checks",
        "queue for up to 5 seconds",
        "| contact requests per reflection | 5 |",
        "| new reflections per candidate | 10 a day |",
        "| starts per client (a new candidate, or a new reflection under a code) | 20 a minute |",
        "| contact requests per client | 10 a minute |",
        "600 starts and 300 contact requests a minute",
    ],
    "docs/operations.md": [
        "(default `BOUNCE_BACK_DRAFT_RETENTION_DAYS`, 90)",
        "(default `BOUNCE_BACK_SUBMITTED_RETENTION_DAYS`, 365)",
        "(default `BOUNCE_BACK_AUDIT_RETENTION_DAYS`, 365)",
        "whole days from 1 to 36,500",
        "with exit code 1",
        "readable by their owner only (0600)",
        "keeps trying for 5 seconds",
        "runs again every 15 seconds while it fails",
        "a `mailto:` link of at most 2,000 characters",
        "exits with status 3",
    ],
    "docs/scaling.md": [
        "each process keeps a pool of up to 8",
        "(`timeout tunnel 1h`)",
        "checks `/healthz` every second",
    ],
    "docs/accessibility.md": [
        "a 3 px focus ring",
        "drawn at 60% of it, reach 4.5:1 on both backgrounds",
    ],
}


@pytest.mark.parametrize("page", sorted(PAGES_STATE))
def test_the_pages_state_the_numbers_pinned_here(page):
    # Line breaks fall anywhere in prose: compare with white space folded.
    text = " ".join((ROOT / page).read_text().split())
    missing = [phrase for phrase in PAGES_STATE[page] if phrase not in text]
    assert not missing, f"{page} no longer says: {missing}"
