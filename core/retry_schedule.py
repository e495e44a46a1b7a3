"""When to try a deferred notification again, and when to stop trying.

The outbox counts the failed attempts of each message. After the n-th failure it waits
`next_attempt_after(n)`: 1 minute, then 2, 4, 8 … doubling up to `MAX_DELAY` (4 hours),
so a mail server that is down for a minute costs a minute and one down all weekend is
asked every few hours rather than hammered. After `MAX_ATTEMPTS` failures
`should_give_up` says so: the outbox records the message as given up (about three days
after the first try with these numbers) instead of trying for ever.

Deterministic, so tests can pin the schedule: there is no randomness unless the caller
passes `jitter_seed` (a message's id, say), which spreads many messages deferred at the
same moment over up to `JITTER_SHARE` more of their delay, the same way every time.
"""

from __future__ import annotations

import datetime as dt
import random

FIRST_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=4)
MAX_ATTEMPTS = 24
JITTER_SHARE = 0.1


def next_attempt_after(
    attempts: int,
    *,
    first_delay: dt.timedelta = FIRST_DELAY,
    max_delay: dt.timedelta = MAX_DELAY,
    jitter_seed: int | None = None,
) -> dt.timedelta:
    """How long to wait after `attempts` failed attempts (0 failed: no wait)."""
    if attempts < 0:
        raise ValueError("attempts counts failed attempts: it cannot be negative.")
    if attempts == 0:
        return dt.timedelta(0)
    # Past 2**40 minutes every delay is the cap anyway; the bound keeps the power small.
    delay = min(first_delay * (2 ** min(attempts - 1, 40)), max_delay)
    if jitter_seed is not None:
        share = random.Random(f"{jitter_seed}:{attempts}").random() * JITTER_SHARE
        delay += delay * share
    return dt.timedelta(seconds=round(delay.total_seconds()))


def should_give_up(attempts: int, *, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """True once a message has failed `max_attempts` times: record it, don't retry it."""
    return attempts >= max_attempts
