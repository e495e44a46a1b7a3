"""The calendar-moved pass: `pytest --shift-clock-days=400` runs the suite as if it were
400 days from now (negative numbers go back).

A test that seeds a fixed date while the app reads "today" passes on the day it was
written and fails weeks later; this pass makes such a test fail now. time-machine moves
every clock reading in this process (`datetime.now`, `date.today`, `time.time`), ticking
on from the moved moment. It cannot move another process, so tests that start a server,
the CLI or a second Python process (marker `own_clock`) are skipped in this pass with
that reason; their normal run still counts. The CI runs the non-browser SQLite suite
this way (`.ci/run`).
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
    config.addinivalue_line(
        "markers",
        "own_clock: starts another process, whose clock a moved calendar cannot reach",
    )
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


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.config.getoption("shift_clock_days") and item.get_closest_marker("own_clock"):
        pytest.skip("starts another process: a moved calendar cannot reach its clock")
