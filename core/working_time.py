"""Response targets counted in the agency's working time, not on the wall clock.

The agency works on `WorkingHours`: a time zone, working weekdays, one daily window of
local time (09:00 to 17:00 by default) and optional holidays. Moments go in and come out
as aware datetimes in UTC; the local time zone matters only to lay out the working
windows, so summer time changes move the windows in UTC and nothing else.

Definitions, as the queue and the reflection page show them:
- "N working hours" after a request is the moment when N hours of working time have gone
  by since it arrived (a request outside working time starts counting at the next opening).
- "N working days" is N times the length of a working day in working time: one working
  day after 10:00 on Monday is 10:00 on Tuesday, and a request on Friday evening with a
  1-working-day target is due at 17:00 on Monday (by closing time on the first working day).
- `working_time_between(start, end)` is the working time inside that span: the "time
  waiting" of a request not yet answered (end = now) or answered (end = first contact).
It follows that `working_time_between(created, due_by(created, target))` is the target.

`working_hours_from_text` turns settings-shaped text ("Europe/London", "Mon-Fri",
"09:00-17:00", "2026-12-25, 2026-12-28") into `WorkingHours`, or raises `BadWorkingHours`
with a message an operator can act on; `parse_target` reads "1 working day", "4 working
hours", "1d" or "4h".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIME_ZONE = "Europe/London"
MONDAY_TO_FRIDAY = frozenset(range(5))  # date.weekday(): Monday is 0
DEFAULT_OPENS = dt.time(9, 0)
DEFAULT_CLOSES = dt.time(17, 0)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with no working day left in it (a year of holidays) is a setting mistake:
# give up rather than search for ever.
_LONGEST_SEARCH = dt.timedelta(days=3660)

Unit = Literal["hours", "days"]


class BadWorkingHours(ValueError):
    """The working-time settings cannot describe a working week."""


class NaiveMoment(ValueError):
    """A moment without a time zone: which instant it means is anyone's guess."""


@dataclass(frozen=True)
class Target:
    """A response target: `amount` working hours or working days (see the module)."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("A response target cannot be negative.")
        if self.unit not in ("hours", "days"):
            raise ValueError('A response target is counted in "hours" or "days".')

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} working {unit}"


@dataclass(frozen=True)
class WorkingHours:
    """The agency's week: an IANA zone name, weekdays (Monday 0 … Sunday 6), one daily
    window in local wall-clock time, and dates nobody works. `working_hours_from_text`
    builds one from settings text."""

    time_zone: str = DEFAULT_TIME_ZONE
    days: frozenset[int] = MONDAY_TO_FRIDAY
    opens: dt.time = DEFAULT_OPENS
    closes: dt.time = DEFAULT_CLOSES
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadWorkingHours(
                f"{self.time_zone!r} is not a time zone name; use one like Europe/London."
            ) from None
        if not self.days or not self.days <= set(range(7)):
            raise BadWorkingHours("Working days must be at least one of Mon to Sun.")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise BadWorkingHours("Opening and closing times are local times, without a zone.")
        if self.opens >= self.closes:
            raise BadWorkingHours("Working hours must open before they close, on the same day.")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def day_length(self) -> dt.timedelta:
        """A working day's length, as the clock on the wall reads it."""
        # Any date will do: a naive datetime has no summer time to lengthen or shorten it.
        day = dt.date.min
        return dt.datetime.combine(day, self.closes) - dt.datetime.combine(day, self.opens)


DEFAULT_WORKING_HOURS = WorkingHours()
# The defaults: the requests that can't wait a day, and the rest.
URGENT_TARGET = Target(1, "days")
STANDARD_TARGET = Target(3, "days")


def due_by(
    created_at: dt.datetime, target: Target, hours: WorkingHours = DEFAULT_WORKING_HOURS
) -> dt.datetime:
    """When a request made at `created_at` should have been answered, in UTC."""
    created = _utc(created_at)
    remaining = _as_working_time(target, hours)
    if remaining <= dt.timedelta(0):
        return created
    for opens, closes in _windows_from(created, hours):
        start = max(opens, created)
        if closes - start >= remaining:
            return start + remaining
        remaining -= closes - start
    raise AssertionError("unreachable: _windows_from ends only by raising")  # pragma: no cover


def working_time_between(
    start: dt.datetime, end: dt.datetime, hours: WorkingHours = DEFAULT_WORKING_HOURS
) -> dt.timedelta:
    """The working time from `start` to `end` (nothing if `end` is not after `start`)."""
    start, end = _utc(start), _utc(end)
    total = dt.timedelta(0)
    if end <= start:
        return total
    for opens, closes in _windows_from(start, hours):
        if opens >= end:
            break
        total += min(closes, end) - max(opens, start)
    return total


def is_overdue(
    created_at: dt.datetime,
    target: Target,
    now: dt.datetime,
    hours: WorkingHours = DEFAULT_WORKING_HOURS,
) -> bool:
    """True once `now` is past the request's due time."""
    return _utc(now) > due_by(created_at, target, hours)


def parse_target(text: str) -> Target:
    """ "1 working day", "3 working days", "4 working hours", "1d", "4h" -> a `Target`."""
    match = re.fullmatch(
        r"\s*(\d{1,4})\s*(?:working\s+)?(h|hours?|d|days?)\s*", text, flags=re.IGNORECASE
    )
    if match is None:
        raise ValueError(
            f"{text!r} is not a response target; "
            "write it like '1 working day' or '4 working hours'."
        )
    unit: Unit = "hours" if match.group(2).lower().startswith("h") else "days"
    return Target(int(match.group(1)), unit)


def working_hours_from_text(
    time_zone: str = DEFAULT_TIME_ZONE,
    days: str = "Mon-Fri",
    hours: str = "09:00-17:00",
    holidays: str = "",
) -> WorkingHours:
    """`WorkingHours` from settings text: a zone name, days as "Mon-Fri", "Sun-Thu" or "Mon,Tue",
    hours as "09:00-17:00", holidays as ISO dates separated by commas or spaces."""
    return WorkingHours(
        time_zone=time_zone.strip(),
        days=_parse_days(days),
        opens=_parse_time(hours.partition("-")[0], hours),
        closes=_parse_time(hours.partition("-")[2], hours),
        holidays=_parse_holidays(holidays),
    )


def _parse_days(text: str) -> frozenset[int]:
    chosen: set[int] = set()
    for part in re.split(r"[,\s]+", text.strip().lower()):
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            start = DAY_NAMES.index(first[:3])
            end = DAY_NAMES.index(last[:3]) if last else start
        except ValueError:
            raise BadWorkingHours(
                f"Working days {text!r}: name days as Mon, Tue … Sun, like 'Mon-Fri'."
            ) from None
        # A range may run over the weekend: "Sun-Thu" is Sunday to Thursday.
        chosen.update(day % 7 for day in range(start, end + 1 + (7 if end < start else 0)))
    return frozenset(chosen)


def _parse_time(text: str, whole: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise BadWorkingHours(
            f"Working hours {whole!r}: write them as two 24-hour times, like 09:00-17:00."
        ) from None


def _parse_holidays(text: str) -> frozenset[dt.date]:
    try:
        return frozenset(dt.date.fromisoformat(part) for part in re.split(r"[,\s]+", text) if part)
    except ValueError:
        raise BadWorkingHours(
            f"Holidays {text!r}: write dates as YYYY-MM-DD, separated by commas."
        ) from None


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveMoment("Give moments as aware datetimes (core.clock's are in UTC).")
    return moment.astimezone(dt.UTC)


def _as_working_time(target: Target, hours: WorkingHours) -> dt.timedelta:
    if target.unit == "hours":
        return dt.timedelta(hours=target.amount)
    return target.amount * hours.day_length


def _windows_from(
    moment: dt.datetime, hours: WorkingHours
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The working windows (opens, closes) in UTC, in order, from the one that `moment` falls
    in or the next one, without end; raises `BadWorkingHours` after ten years without one."""
    zone = hours.zone
    # Start a day early: a window's local date can differ from the moment's UTC date.
    day = moment.astimezone(zone).date() - dt.timedelta(days=1)
    give_up_after = day + _LONGEST_SEARCH
    while day <= give_up_after:
        if day.weekday() in hours.days and day not in hours.holidays:
            opens = dt.datetime.combine(day, hours.opens, tzinfo=zone).astimezone(dt.UTC)
            closes = dt.datetime.combine(day, hours.closes, tzinfo=zone).astimezone(dt.UTC)
            if closes > moment and closes > opens:
                yield opens, closes
                give_up_after = day + _LONGEST_SEARCH
        day += dt.timedelta(days=1)
    raise BadWorkingHours("No working day in ten years of calendar: check the holidays.")
