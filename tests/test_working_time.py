"""Response targets in working time: worked examples, then properties over any moment."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.working_time import (
    DEFAULT_WORKING_HOURS,
    BadWorkingHours,
    NaiveMoment,
    Target,
    WorkingHours,
    due_by,
    is_overdue,
    parse_target,
    working_hours_from_text,
    working_time_between,
)

LONDON = ZoneInfo("Europe/London")
ONE_DAY = Target(1, "days")


def london(*parts: int) -> dt.datetime:
    """A London wall-clock time as the aware UTC moment the functions take and give."""
    return dt.datetime(*parts, tzinfo=LONDON).astimezone(dt.UTC)


# --- worked examples (4 Dec 2026 is a Friday) --------------------------------------------


def test_friday_evening_with_one_working_day_is_due_at_closing_on_monday():
    due = due_by(london(2026, 12, 4, 19, 30), ONE_DAY)
    assert due == london(2026, 12, 7, 17, 0) and due.tzinfo == dt.UTC


def test_one_working_day_from_monday_morning_is_the_same_time_on_tuesday():
    assert due_by(london(2026, 12, 7, 10, 0), ONE_DAY) == london(2026, 12, 8, 10, 0)


def test_working_hours_run_on_over_the_weekend():
    assert due_by(london(2026, 12, 4, 16, 0), Target(3, "hours")) == london(2026, 12, 7, 11, 0)


def test_three_working_days_from_a_wednesday_afternoon_end_on_monday():
    assert due_by(london(2026, 12, 2, 14, 0), Target(3, "days")) == london(2026, 12, 7, 14, 0)


def test_a_request_at_closing_time_counts_from_the_next_opening():
    assert due_by(london(2026, 12, 7, 17, 0), Target(1, "hours")) == london(2026, 12, 8, 10, 0)
    assert due_by(london(2026, 12, 7, 8, 0), Target(1, "hours")) == london(2026, 12, 7, 10, 0)


def test_a_target_that_ends_exactly_at_closing_is_due_at_closing():
    assert due_by(london(2026, 12, 7, 9, 0), Target(8, "hours")) == london(2026, 12, 7, 17, 0)


def test_a_zero_target_is_due_at_once():
    moment = london(2026, 12, 5, 3, 0)
    assert due_by(moment, Target(0, "hours")) == moment


def test_holidays_are_skipped():
    hours = WorkingHours(holidays=frozenset({dt.date(2026, 12, 25), dt.date(2026, 12, 28)}))
    # Thursday 24 December, evening: Friday and Monday are holidays, so Tuesday.
    assert due_by(london(2026, 12, 24, 18, 0), ONE_DAY, hours) == london(2026, 12, 29, 17, 0)


def test_summer_time_starting_over_the_weekend_moves_monday_in_utc():
    # The clocks go forward on Sunday 29 March 2026: Monday's 10:00 is 09:00 UTC.
    due = due_by(london(2026, 3, 27, 16, 0), Target(2, "hours"))
    assert due == dt.datetime(2026, 3, 30, 9, 0, tzinfo=dt.UTC) == london(2026, 3, 30, 10, 0)
    assert working_time_between(london(2026, 3, 27, 16, 0), due) == dt.timedelta(hours=2)


def test_summer_time_ending_over_the_weekend_moves_monday_in_utc():
    # The clocks go back on Sunday 25 October 2026: Monday's 10:00 is 10:00 UTC.
    due = due_by(london(2026, 10, 23, 16, 0), Target(2, "hours"))
    assert due == dt.datetime(2026, 10, 26, 10, 0, tzinfo=dt.UTC) == london(2026, 10, 26, 10, 0)


def test_time_waiting_counts_only_working_time():
    friday_afternoon = london(2026, 12, 4, 15, 0)
    monday_morning = london(2026, 12, 7, 10, 30)
    waited = working_time_between(friday_afternoon, monday_morning)
    assert waited == dt.timedelta(hours=3, minutes=30)
    assert working_time_between(monday_morning, friday_afternoon) == dt.timedelta(0)
    weekend = working_time_between(london(2026, 12, 5, 9, 0), london(2026, 12, 6, 17, 0))
    assert weekend == dt.timedelta(0)


def test_overdue_is_strictly_after_the_due_moment():
    created = london(2026, 12, 7, 10, 0)
    assert not is_overdue(created, ONE_DAY, london(2026, 12, 8, 10, 0))
    assert is_overdue(created, ONE_DAY, london(2026, 12, 8, 10, 1))


def test_another_zone_and_week():
    dubai = working_hours_from_text("Asia/Dubai", "Mon-Fri", "08:00-16:00")
    # Friday 4 December, 15:00 in Dubai (11:00 UTC), 2 working hours: Monday 09:00 there.
    due = due_by(dt.datetime(2026, 12, 4, 11, 0, tzinfo=dt.UTC), Target(2, "hours"), dubai)
    assert due == dt.datetime(2026, 12, 7, 5, 0, tzinfo=dt.UTC)
    sunday_to_thursday = working_hours_from_text("Asia/Riyadh", "Sun-Thu", "09:00-17:00")
    assert sunday_to_thursday.days == frozenset({6, 0, 1, 2, 3})


def test_naive_moments_are_refused():
    with pytest.raises(NaiveMoment):
        due_by(dt.datetime(2026, 12, 4, 10, 0), ONE_DAY)
    with pytest.raises(NaiveMoment):
        working_time_between(london(2026, 12, 4, 10, 0), dt.datetime(2026, 12, 5))


# --- settings-shaped text -------------------------------------------------------------------


def test_settings_text_becomes_working_hours():
    hours = working_hours_from_text(
        " Europe/London ", "Mon-Wed, fri", "08:30-16:45", "2026-12-25, 2026-12-28"
    )
    assert hours.days == frozenset({0, 1, 2, 4})
    assert (hours.opens, hours.closes) == (dt.time(8, 30), dt.time(16, 45))
    assert hours.holidays == frozenset({dt.date(2026, 12, 25), dt.date(2026, 12, 28)})
    assert working_hours_from_text() == DEFAULT_WORKING_HOURS


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"time_zone": "Mars/Olympus"}, "not a time zone name"),
        ({"time_zone": "../etc/passwd"}, "not a time zone name"),
        ({"days": "Mon-Fry"}, "name days as Mon"),
        ({"days": ""}, "at least one"),
        ({"hours": "9-5"}, "two 24-hour times"),
        ({"hours": "17:00-09:00"}, "open before they close"),
        ({"holidays": "25/12/2026"}, "YYYY-MM-DD"),
    ],
)
def test_bad_settings_say_what_to_change(arguments, says):
    with pytest.raises(BadWorkingHours, match=says):
        working_hours_from_text(**arguments)


def test_a_calendar_with_no_working_day_left_is_a_setting_mistake():
    everyday_holiday = WorkingHours(
        days=frozenset({0}),
        holidays=frozenset(dt.date(2026, 1, 5) + dt.timedelta(weeks=n) for n in range(600)),
    )
    with pytest.raises(BadWorkingHours, match="check the holidays"):
        due_by(london(2026, 1, 1, 9, 0), ONE_DAY, everyday_holiday)


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("1 working day", Target(1, "days")),
        ("3 Working Days", Target(3, "days")),
        ("4 working hours", Target(4, "hours")),
        ("1 hour", Target(1, "hours")),
        ("1d", Target(1, "days")),
        (" 12h ", Target(12, "hours")),
    ],
)
def test_targets_read_from_text(text, target):
    assert parse_target(text) == target
    assert parse_target(str(target)) == target


@pytest.mark.parametrize("text", ["", "soon", "1 week", "-1 day", "1.5 days", "day 1"])
def test_unreadable_targets_are_refused(text):
    with pytest.raises(ValueError, match="response target"):
        parse_target(text)


# --- properties ------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2030, 12, 31),
    timezones=st.just(dt.UTC),
)
targets = st.builds(Target, st.integers(0, 60), st.sampled_from(["hours", "days"]))
week_shapes = st.builds(
    WorkingHours,
    time_zone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney", "UTC"]),
    days=st.frozensets(st.integers(0, 6), min_size=1),
    opens=st.sampled_from([dt.time(0, 0), dt.time(8, 30), dt.time(9, 0)]),
    closes=st.sampled_from([dt.time(12, 0), dt.time(17, 0), dt.time(23, 59)]),
)


def _working_time(target: Target, hours: WorkingHours) -> dt.timedelta:
    return (
        dt.timedelta(hours=target.amount)
        if target.unit == "hours"
        else (target.amount * hours.day_length)
    )


@given(moments, targets, week_shapes)
def test_due_is_never_before_the_request_and_always_in_utc(created, target, hours):
    due = due_by(created, target, hours)
    assert due >= created and due.utcoffset() == dt.timedelta(0)


@given(moments, targets, week_shapes)
def test_the_working_time_until_due_is_exactly_the_target(created, target, hours):
    due = due_by(created, target, hours)
    assert working_time_between(created, due, hours) == _working_time(target, hours)


@given(moments, targets, targets, week_shapes)
def test_a_larger_target_is_never_due_sooner(created, first, second, hours):
    smaller, larger = sorted([first, second], key=lambda t: _working_time(t, hours))
    assert due_by(created, smaller, hours) <= due_by(created, larger, hours)


@given(moments, moments, targets, week_shapes)
def test_a_later_request_is_never_due_sooner(first, second, target, hours):
    earlier, later = sorted([first, second])
    assert due_by(earlier, target, hours) <= due_by(later, target, hours)


@given(moments, st.integers(0, 40), st.integers(0, 40))
def test_targets_add_up(created, first_hours, second_hours):
    first, second = Target(first_hours, "hours"), Target(second_hours, "hours")
    both = Target(first_hours + second_hours, "hours")
    assert due_by(due_by(created, first), second) == due_by(created, both)


@given(moments, moments, moments)
def test_time_waiting_adds_up_over_consecutive_spans(a, b, c):
    start, middle, end = sorted([a, b, c])
    whole = working_time_between(start, end)
    assert whole == working_time_between(start, middle) + working_time_between(middle, end)
    assert dt.timedelta(0) <= whole <= end - start


@given(
    st.datetimes(
        min_value=dt.datetime(2026, 3, 26),
        max_value=dt.datetime(2026, 3, 31),
        timezones=st.just(dt.UTC),
    )
    | st.datetimes(
        min_value=dt.datetime(2026, 10, 22),
        max_value=dt.datetime(2026, 10, 27),
        timezones=st.just(dt.UTC),
    ),
    st.integers(1, 24),
)
def test_around_londons_clock_changes_each_due_time_is_inside_london_working_hours(created, amount):
    due = due_by(created, Target(amount, "hours")).astimezone(LONDON)
    assert due.weekday() < 5
    assert dt.time(9, 0) < due.time() <= dt.time(17, 0)
