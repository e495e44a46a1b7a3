"""The one clock: every "now" and "today" in core, ui and views comes from here.

Moments are aware UTC datetimes. Functions that care about time take a `clock`
argument (a `Clock`, defaulting to `system_clock`), so throttling, timeouts and
retention can be tested without waiting. Stored, a moment is ISO text in UTC at second
precision (`stamp`): one shape everywhere, so stamps sort and compare as text.

The date rule, for candidates and consultants alike: a day is a UTC day. Every time the
app shows is in UTC ("Sent on Wed 2 Dec at 14:05 UTC"), and a day boundary that
disagreed with those times would put an item "due today" next to a time from tomorrow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today(clock: Clock = system_clock) -> dt.date:
    """The date of `clock`'s moment, by the rule above."""
    return clock().astimezone(dt.UTC).date()


def stamp(moment: dt.datetime) -> str:
    """ISO text in UTC, second precision: sorts and compares correctly as text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def now_stamp() -> str:
    """The stamp of this moment."""
    return stamp(system_clock())


def day_label(day: dt.date, today: dt.date) -> str:
    """A day as the app shows it: 'Wed 2 Dec', with the year only when it isn't this year's."""
    label = f"{day:%a} {day.day} {day:%b}"
    return label if day.year == today.year else f"{label} {day.year}"
