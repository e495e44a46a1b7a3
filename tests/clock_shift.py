"""The calendar-moved pass: `pytest --shift-clock-days=400` runs the suite as if it were
400 days from now (negative numbers go back).

A test that seeds a fixed date while the app reads "today" passes on the day it was
written and fails weeks later; this pass makes such a test fail now. time-machine moves
every clock reading in this process (`datetime.now`, `date.today`, `time.time`), ticking
on from the moved moment. It cannot move another process: the browser tests, whose
server is one, stay out of this pass (`make test` runs it with `-m "not browser and not
postgres"`; PostgreSQL's own clock cannot be moved either). The few other tests that
start a process use it to hold a lock or mount a file system, where the date plays no
part.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

_traveller_key = pytest.StashKey[time_machine.travel]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--shift-clock-days",
        type=int,
        default=0,
        help="run with the calendar moved this many days (a test of date-dependent tests)",
    )


def pytest_configure(config: pytest.Config) -> None:
    days = config.getoption("shift_clock_days")
    if days:
        traveller = time_machine.travel(
            dt.datetime.now(dt.UTC) + dt.timedelta(days=days), tick=True
        )
        traveller.start()
        config.stash[_traveller_key] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_traveller_key, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    days = config.getoption("shift_clock_days")
    if not days:
        return None
    return f"calendar moved {days:+d} days: today reads {dt.date.today().isoformat()}"
