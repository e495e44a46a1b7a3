"""Every limit a stranger can reach is per client (issue 18): one client spending its
budget, or failing a hundred logins, leaves everyone else alone; who the client is comes
from the socket peer, or from a proxy's X-Forwarded-For only when that proxy is trusted."""

from __future__ import annotations

import random
import string
from dataclasses import replace

import pytest

from core import accounts, contact, journey, password_login
from core.limits import LOCAL_CLIENT, UNLIMITED, ClientLimit, client_key, take_or_refuse
from core.settings import Settings, load_settings

PASSWORD = "harbour lights at dusk"
SETTINGS = Settings()
STRANGER = "203.0.113.7"
OFFICE = "198.51.100.20"


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def candidates(store) -> int:
    with store.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM candidates").fetchone()[0])


# ---------------------------------------------------------------- starting


def test_one_client_spending_its_start_budget_leaves_others_able_to_start(store):
    for _ in range(journey.STARTS_PER_CLIENT_PER_MINUTE):
        journey.start(store, client=STRANGER)
    with pytest.raises(journey.TooMany, match="from your network"):
        journey.start(store, client=STRANGER)
    # Someone else, anywhere else, starts as usual.
    assert journey.start(store, client=OFFICE).code
    assert candidates(store) == journey.STARTS_PER_CLIENT_PER_MINUTE + 1


def test_62_scripted_starts_from_one_client_never_stop_a_real_candidate(store):
    refused = 0
    for _ in range(62):
        try:
            journey.start(store, client=STRANGER)
        except journey.TooMany:
            refused += 1
    assert refused == 62 - journey.STARTS_PER_CLIENT_PER_MINUTE
    assert journey.start(store, client=OFFICE).code


def test_a_client_may_start_again_a_minute_later(store):
    ticks = Ticks()
    limit = ClientLimit(3, 100, clock=ticks)
    for _ in range(3):
        journey.start(store, client=STRANGER, limit=limit)
    ticks.now += 59.9
    with pytest.raises(journey.TooMany, match="from your network"):
        journey.start(store, client=STRANGER, limit=limit)
    ticks.now += 0.1
    journey.start(store, client=STRANGER, limit=limit)


def test_the_ceiling_for_the_process_takes_many_clients_to_reach(store):
    ticks = Ticks()
    limit = ClientLimit(2, 5, clock=ticks)
    for n in range(5):
        journey.start(store, client=f"192.0.2.{n}", limit=limit)
    with pytest.raises(journey.TooMany, match="A lot of people are starting"):
        journey.start(store, client="192.0.2.99", limit=limit)
    assert candidates(store) == 5
    ticks.now += 60
    journey.start(store, client="192.0.2.99", limit=limit)


def test_the_start_budgets_are_the_numbers_the_readme_states(store):
    budget = journey.new_candidates(store)
    assert (budget.per_client, budget.ceiling, budget.window) == (20, 600, 60.0)
    # The ceiling is far above what one client can spend.
    assert budget.ceiling >= 30 * budget.per_client


def test_new_reflections_spend_the_same_start_budget_per_client(store):
    mine = journey.start(store, client=STRANGER)
    ticks = Ticks()
    limit = ClientLimit(3, 100, clock=ticks)
    for _ in range(3):
        journey.new_reflection(store, mine.candidate_id, client=STRANGER, limit=limit)
    with pytest.raises(journey.TooMany, match="from your network"):
        journey.new_reflection(store, mine.candidate_id, client=STRANGER, limit=limit)
    theirs = journey.start(store, client=UNLIMITED)
    assert journey.new_reflection(store, theirs.candidate_id, client=OFFICE, limit=limit)


def a_request():
    return contact.validate("Zoë", "zoe@example.com", "", "email", "Hello", True)


def test_contact_requests_are_budgeted_per_client(store):
    budget = contact.contact_requests(store)
    assert (budget.per_client, budget.ceiling, budget.window) == (10, 300, 60.0)
    for _ in range(budget.per_client):
        rid = journey.start(store, client=UNLIMITED).reflection_id
        contact.save_request(store, rid, a_request(), client=STRANGER)
    rid = journey.start(store, client=UNLIMITED).reflection_id
    with pytest.raises(contact.ContactInvalid) as refused:
        contact.save_request(store, rid, a_request(), client=STRANGER)
    assert "from your network" in refused.value.errors["form"]
    assert contact.requests_for(store, rid) == []
    contact.save_request(store, rid, a_request(), client=OFFICE)
    assert len(contact.requests_for(store, rid)) == 1


# ---------------------------------------------------------------- memory


def test_a_budget_remembers_at_most_max_clients_however_many_come():
    ticks = Ticks()
    limit = ClientLimit(5, clock=ticks, max_clients=100)
    for n in range(10_000):
        assert limit.take(f"client {n}") is None
        assert limit.remembered() <= 100
    # The newest keep their count; only the least recently seen were forgotten.
    for _ in range(4):
        assert limit.take("client 9999") is None
    assert limit.take("client 9999") is not None


def test_clients_with_nothing_left_in_the_window_are_dropped():
    ticks = Ticks()
    limit = ClientLimit(5, clock=ticks)
    for n in range(1000):
        limit.take(f"client {n}")
    assert limit.remembered() == 1000
    ticks.now += 60
    limit.take("someone new")
    assert limit.remembered() == 1


def test_the_login_budget_stays_bounded_under_many_clients(store, clock):
    failures = password_login.client_failures(store, SETTINGS)
    for n in range(300):
        password_login.authenticate(
            store, random_name(), "guess", SETTINGS, clock, client=f"client {n}"
        )
    assert failures.remembered() == 300
    clock.advance(minutes=SETTINGS.login_window_minutes)
    password_login.authenticate(store, random_name(), "guess", SETTINGS, clock, client="10.9.9.9")
    assert failures.remembered() == 1


# ---------------------------------------------------------------- logging in


def random_name() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=10))


def test_a_flood_of_failures_from_one_client_never_refuses_a_consultant_elsewhere(store, clock):
    accounts.add_consultant(store, "alice", PASSWORD)
    outcomes = [
        password_login.authenticate(store, random_name(), "guess", SETTINGS, clock, client=STRANGER)
        for _ in range(120)
    ]
    checked = [r for r in outcomes if r.message == password_login.REFUSED]
    assert len(checked) == SETTINGS.login_client_failures == 20
    assert all("from your network" in r.message for r in outcomes[20:])
    # The consultant, from the office, with the right password: in at once.
    welcome = password_login.authenticate(store, "alice", PASSWORD, SETTINGS, clock, client=OFFICE)
    assert welcome.session is not None
    # The flooding client is paused, even with a right password, until the window passes.
    paused = password_login.authenticate(store, "alice", PASSWORD, SETTINGS, clock, client=STRANGER)
    assert paused.session is None and paused.locked
    clock.advance(minutes=SETTINGS.login_window_minutes)
    back = password_login.authenticate(store, "alice", PASSWORD, SETTINGS, clock, client=STRANGER)
    assert back.session is not None


def test_successes_do_not_spend_a_clients_failure_budget(store, clock):
    accounts.add_consultant(store, "alice", PASSWORD)
    settings = replace(SETTINGS, login_client_failures=3)
    for _ in range(10):
        ok = password_login.authenticate(store, "alice", PASSWORD, settings, clock, client=OFFICE)
        assert ok.session is not None
    for _ in range(3):
        password_login.authenticate(store, random_name(), "guess", settings, clock, client=OFFICE)
    assert "from your network" in (
        password_login.authenticate(
            store, "alice", PASSWORD, settings, clock, client=OFFICE
        ).message
    )


def test_strangers_failing_at_a_consultants_name_never_keep_the_consultant_out(store, clock):
    """The per-username wait counts one client's failures: a stranger (or many) guessing
    at alice's name slows only themselves; alice's own browser elsewhere goes in."""
    accounts.add_consultant(store, "alice", PASSWORD)
    for n in range(3):
        for _ in range(SETTINGS.login_max_failures):
            password_login.authenticate(
                store, "alice", "guess", SETTINGS, clock, client=f"192.0.2.{n}"
            )
    waiting = password_login.authenticate(
        store, "alice", PASSWORD, SETTINGS, clock, client="192.0.2.0"
    )
    assert waiting.locked and "for this username" in waiting.message
    welcome = password_login.authenticate(store, "alice", PASSWORD, SETTINGS, clock, client=OFFICE)
    assert welcome.session is not None


def test_a_flood_of_failures_from_everyone_slows_logins_and_refuses_nobody(store, clock):
    """Past the process-wide ceiling of failures, each password login first pauses; a
    consultant's right password still goes in."""
    accounts.add_consultant(store, "alice", PASSWORD)
    settings = replace(SETTINGS, login_failures_ceiling=4)
    pauses: list[float] = []

    def attempt(username, password, client):
        return password_login.authenticate(
            store, username, password, settings, clock, client=client, pause=pauses.append
        )

    for n in range(4):  # four strangers, each well within their own budget
        assert attempt(random_name(), "guess", f"198.51.100.{n}").message == password_login.REFUSED
    assert pauses == []
    flooded = attempt("alice", PASSWORD, OFFICE)
    assert flooded.session is not None
    assert pauses == [password_login.FLOOD_PAUSE_SECONDS]
    clock.advance(minutes=settings.login_window_minutes)  # the flood leaves the window
    assert attempt("alice", PASSWORD, OFFICE).session is not None
    assert len(pauses) == 1


def test_the_ceiling_of_failed_logins_is_far_above_one_clients_budget():
    assert SETTINGS.login_failures_ceiling == 500
    assert SETTINGS.login_failures_ceiling >= 20 * SETTINGS.login_client_failures


# ---------------------------------------------------------------- who the client is


def test_without_an_address_everyone_shares_the_local_key():
    assert client_key(None, None) == LOCAL_CLIENT
    assert client_key(None, "203.0.113.7", "0.0.0.0/0") == LOCAL_CLIENT


def test_a_forwarded_header_is_ignored_unless_the_peer_is_a_trusted_proxy():
    assert client_key(STRANGER, "192.0.2.1") == STRANGER
    assert client_key(STRANGER, "192.0.2.1", "10.0.0.0/8") == STRANGER


def test_behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client():
    trusted = "10.0.0.0/8, 172.16.0.1"
    assert client_key("10.0.0.5", STRANGER, trusted) == STRANGER
    # A made-up left part of the header changes nothing: the proxy appended the truth.
    assert client_key("10.0.0.5", f"192.0.2.1, {STRANGER}", trusted) == STRANGER
    assert client_key("10.0.0.5", f"{STRANGER}, 172.16.0.1", trusted) == STRANGER
    assert client_key("10.0.0.5", f"{STRANGER}:51234", trusted) == STRANGER
    # Nothing readable: the proxy itself is the client, never a name of the sender's choosing.
    assert client_key("10.0.0.5", "not-an-address", trusted) == "10.0.0.5"
    assert client_key("10.0.0.5", "", trusted) == "10.0.0.5"


def test_ipv6_addresses_count_per_64_and_mapped_ipv4_as_ipv4():
    one = client_key("2001:db8:1:2:aaaa::1", None)
    assert one == client_key("2001:db8:1:2:bbbb::2", None) == "2001:db8:1:2::/64"
    assert one != client_key("2001:db8:1:3::1", None)
    assert client_key(f"::ffff:{STRANGER}", None) == STRANGER


def test_trusted_proxies_is_a_setting_checked_at_start():
    assert Settings().trusted_proxies == ""
    kept = load_settings({"BOUNCE_BACK_TRUSTED_PROXIES": "10.0.0.0/8 192.0.2.1"})
    assert kept.trusted_proxies == "10.0.0.0/8 192.0.2.1"
    with pytest.raises(ValueError, match="BOUNCE_BACK_TRUSTED_PROXIES"):
        load_settings({"BOUNCE_BACK_TRUSTED_PROXIES": "10.0.0.0/8 proxy.internal"})


# ---------------------------------------------------------------- the pages


def start_button(at):
    return [b for b in at.button if b.label == "Start my reflection"][0]


def test_the_welcome_page_counts_starts_against_its_own_client(app, store):
    # AppTest has no connection, so its sessions are LOCAL_CLIENT. A stranger elsewhere
    # spending their whole budget changes nothing here.
    budget = journey.new_candidates(store)
    for _ in range(budget.per_client):
        assert budget.take(STRANGER) is None
    at = app.run()
    at.checkbox(key="consent_store").check().run()
    start_button(at).click().run()
    assert not at.exception
    assert "candidate" in at.session_state


def test_the_welcome_page_says_so_when_this_client_has_started_too_many(app, store):
    budget = journey.new_candidates(store)
    for _ in range(budget.per_client):
        assert budget.take(LOCAL_CLIENT) is None
    at = app.run()
    at.checkbox(key="consent_store").check().run()
    start_button(at).click().run()
    assert not at.exception
    assert any("from your network" in e.value for e in at.error)
    assert "candidate" not in at.session_state


def log_in(app, username="alice", password=PASSWORD):
    at = app.run()
    at.switch_page("views/staff_login.py").run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def test_the_login_page_lets_a_consultant_in_after_strangers_failed_elsewhere(app, store):
    accounts.add_consultant(store, "alice", PASSWORD)
    settings = Settings()
    for _ in range(120):
        password_login.authenticate(store, random_name(), "guess", settings, client=STRANGER)
    at = log_in(app)
    assert not at.exception
    assert at.session_state["consultant"].username == "alice"
    assert [t.value for t in at.title] == ["Reflections to review"]


def test_the_login_page_pauses_its_own_client_after_its_failures(app, store):
    accounts.add_consultant(store, "alice", PASSWORD)
    settings = Settings()
    for _ in range(settings.login_client_failures):
        password_login.authenticate(store, random_name(), "guess", settings, client=LOCAL_CLIENT)
    at = log_in(app)
    assert not at.exception
    assert any("from your network" in e.value for e in at.error)
    assert "consultant" not in at.session_state


def test_a_padded_forwarded_header_cannot_pick_its_own_client():
    # The trusted proxy appends the real address last; padding must not push it out.
    trusted = "10.0.0.0/8"
    keys = {
        client_key("10.0.0.5", f"9.9.9.{n}" + " " * 2_000 + f", {STRANGER}", trusted)
        for n in range(3)
    }
    assert keys == {"10.0.0.5"}


def test_a_proxy_on_this_machine_is_trusted_however_it_arrives():
    # Streamlit binds both stacks: a local proxy can appear as an IPv4-mapped address.
    for local in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        assert client_key(local, STRANGER) == STRANGER


# ---------------------------------------------------------------- no path forgets the client


@pytest.mark.parametrize(
    "call",
    [
        lambda store: journey.start(store),
        lambda store: journey.new_reflection(store, 1),
        lambda store: contact.save_request(store, 1, None),
    ],
    ids=["start", "new reflection", "contact request"],
)
def test_every_budgeted_write_must_say_whose_it_is(store, call):
    """Leaving the client out used to mean "not limited"; now it is an error, and the
    command line and tests say UNLIMITED out loud."""
    with pytest.raises(TypeError, match="client"):
        call(store)


def test_unlimited_counts_nothing(store):
    budget = journey.new_candidates(store)
    for _ in range(journey.STARTS_PER_CLIENT_PER_MINUTE + 1):
        journey.start(store, client=UNLIMITED)
    assert budget.remembered() == 0


def test_take_or_refuse_raises_what_the_caller_makes_of_the_wait():
    ticks = Ticks()
    limit = ClientLimit(1, clock=ticks)
    take_or_refuse(limit, STRANGER, lambda wait: AssertionError("not refused yet"))
    with pytest.raises(LookupError, match="wait 60"):
        take_or_refuse(limit, STRANGER, lambda wait: LookupError(f"wait {wait.seconds:.0f}"))
    take_or_refuse(limit, UNLIMITED, lambda wait: AssertionError("never counted"))


def test_budgets_keep_the_one_clock(clock):
    """A budget's window is measured on `core.clock` (moved by the test clock), not on a
    clock of its own: the same time as every stamp the app writes."""
    limit = ClientLimit(1, window=60.0)
    assert limit.take(STRANGER) is None
    assert limit.take(STRANGER) is not None
    clock.advance(seconds=61)
    assert limit.take(STRANGER) is None
