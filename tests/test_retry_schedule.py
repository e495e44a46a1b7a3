"""The back-off for deferred notifications: pinned, growing, capped, and finite."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.retry_schedule import (
    JITTER_SHARE,
    MAX_ATTEMPTS,
    MAX_DELAY,
    next_attempt_after,
    should_give_up,
)

MINUTE = dt.timedelta(minutes=1)


def test_the_schedule_doubles_from_one_minute_up_to_four_hours():
    delays = [next_attempt_after(n) for n in range(0, 11)]
    assert delays == [
        dt.timedelta(0),
        *(MINUTE * m for m in (1, 2, 4, 8, 16, 32, 64, 128)),
        MAX_DELAY,
        MAX_DELAY,
    ]
    assert dt.timedelta(hours=4) == MAX_DELAY


def test_it_gives_up_after_about_three_days_of_trying():
    assert not should_give_up(MAX_ATTEMPTS - 1) and should_give_up(MAX_ATTEMPTS)
    waited = sum((next_attempt_after(n) for n in range(1, MAX_ATTEMPTS)), dt.timedelta(0))
    assert dt.timedelta(days=2) < waited < dt.timedelta(days=4)
    assert should_give_up(3, max_attempts=3)


def test_a_caller_can_set_its_own_first_delay_and_cap():
    first, cap = dt.timedelta(seconds=5), dt.timedelta(seconds=30)
    quick = [next_attempt_after(n, first_delay=first, max_delay=cap) for n in range(1, 6)]
    assert [d.total_seconds() for d in quick] == [5, 10, 20, 30, 30]


def test_negative_attempts_are_a_mistake():
    with pytest.raises(ValueError):
        next_attempt_after(-1)


@given(st.integers(1, 10_000), st.integers(0, 2**63))
def test_seeded_jitter_is_repeatable_and_bounded(attempts, seed):
    plain = next_attempt_after(attempts)
    jittered = next_attempt_after(attempts, jitter_seed=seed)
    assert jittered == next_attempt_after(attempts, jitter_seed=seed)
    assert plain <= jittered <= plain * (1 + JITTER_SHARE) + dt.timedelta(seconds=1)


def test_seeded_jitter_spreads_messages_deferred_together():
    spread = {next_attempt_after(6, jitter_seed=seed) for seed in range(50)}
    assert len(spread) > 10


@given(st.integers(0, 10_000))
def test_delays_never_shrink_and_never_pass_the_cap(attempts):
    assert next_attempt_after(attempts) <= next_attempt_after(attempts + 1) <= MAX_DELAY
