"""Script floods from one client against a real `streamlit run` server (issue 18). Past
its own budget that client is refused, while a visitor from another address still
starts a reflection; after that client's failed logins pause its own password logins,
a consultant from elsewhere still logs in. Each visitor speaks Streamlit's websocket
protocol the way a browser does (the driver of `make bench-load`), arriving through a
proxy on this machine that names it in `X-Forwarded-For` (a local proxy is trusted)."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core import password_login
from core.cli import main
from core.journey import STARTS_PER_CLIENT_PER_MINUTE, TOO_MANY_STARTS, TOO_MANY_STARTS_HERE
from core.settings import Settings

pytestmark = pytest.mark.browser

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import bench_load  # noqa: E402

# Documentation addresses (RFC 5737), in different networks: IPv6 counts per /64.
FLOODER = "192.0.2.66"
NEIGHBOUR = "198.51.100.7"
START = "Start my reflection"
PASSWORD = "harbour lights at dusk"
LOGIN_CLIENT_FAILURES = Settings().login_client_failures
# More than the whole process's budget was before (60 a minute for everyone together):
# enough to have shut the door on everyone then.
FLOOD_ATTEMPTS = 65


def _run(coroutine):
    """Run `coroutine` on a thread of its own: Playwright's sync API (other browser
    tests in this worker) keeps an event loop running on the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class _Recording:
    """The websocket, keeping every message the server sends (to read the page's words)."""

    def __init__(self, ws) -> None:
        self.ws, self.heard = ws, b""

    async def send(self, data) -> None:
        await self.ws.send(data)

    async def recv(self):
        data = await self.ws.recv()
        self.heard += data if isinstance(data, bytes) else data.encode()
        return data


async def _try_to_start(url: str, address: str) -> str:
    """One visitor: open the app, agree, press Start: "started", "refused here" (this
    client's budget), "refused for all" (the process's ceiling), or "unclear"."""
    visitor = bench_load.Candidate(url, (0.0, 0.0), bench_load.Results())
    visitor.address = address
    await visitor.connect()
    async with visitor.ws as ws:
        visitor.ws = recording = _Recording(ws)
        await visitor.rerun(measure=False)
        await visitor.interact_checkbox()
        recording.heard = b""
        await visitor.click(START)
        if TOO_MANY_STARTS_HERE.encode() in recording.heard:
            return "refused here"
        if TOO_MANY_STARTS.encode() in recording.heard:
            return "refused for all"
        # Started: the first step's questions replace the start button.
        labels = {widget.label for widget in visitor.widgets.values()}
        return "started" if START not in labels else "unclear"


def test_one_client_flooding_starts_does_not_keep_anyone_else_out(live_server):
    async def flood_then_neighbour() -> tuple[list[bool], bool]:
        flood = [await _try_to_start(live_server.url, FLOODER) for _ in range(FLOOD_ATTEMPTS)]
        return flood, await _try_to_start(live_server.url, NEIGHBOUR)

    flood, neighbour = _run(flood_then_neighbour())
    budget = STARTS_PER_CLIENT_PER_MINUTE
    assert not [outcome for outcome in flood[:budget] if outcome.startswith("refused")]
    assert flood[budget:] == ["refused here"] * (FLOOD_ATTEMPTS - budget)  # its own budget
    assert not neighbour.startswith("refused")  # nobody else's is
    with sqlite3.connect(live_server.db_path) as conn:
        (started,) = conn.execute("SELECT COUNT(*) FROM reflections").fetchone()
    assert started == budget + 1


async def _log_in(url: str, address: str, username: str, password: str) -> str:
    """One visitor on the staff login page: "in", "refused", "paused here" or "unclear"."""
    visitor = bench_load.Candidate(url, (0.0, 0.0), bench_load.Results())
    visitor.address = address
    await visitor.connect()
    async with visitor.ws as ws:
        visitor.ws = recording = _Recording(ws)
        await visitor.rerun(measure=False)
        await visitor.open("staff")
        for label, value in (("Username", username), ("Password", password)):
            box = next(w for w in visitor.widgets.values() if w.label == label)
            state = bench_load.BackMsg().rerun_script.widget_states.widgets.add()
            state.id, state.string_value = box.id, value
            visitor.states[box.id] = state
        recording.heard = b""
        await visitor.click("Log in")
        heard = recording.heard
        if password_login.BUSY_HERE.split("{")[0].encode() in heard:
            return "paused here"
        if password_login.REFUSED.encode() in heard:
            return "refused"
        labels = {widget.label for widget in visitor.widgets.values()}
        return "in" if "Log in" not in labels else "unclear"


def test_failed_logins_from_one_client_never_keep_a_consultant_out(live_server):
    main(
        ["--db", str(live_server.db_path), "add-consultant", "alice", "--name", "Alice"],
        read_password=lambda _prompt: PASSWORD,
    )
    failures = LOGIN_CLIENT_FAILURES + 5

    async def flood_then_alice() -> tuple[list[str], str]:
        flood = [
            await _log_in(live_server.url, FLOODER, f"guess{n}", "wrong password")
            for n in range(failures)
        ]
        return flood, await _log_in(live_server.url, NEIGHBOUR, "alice", PASSWORD)

    flood, alice = _run(flood_then_alice())
    assert "paused here" in flood[LOGIN_CLIENT_FAILURES:]  # the flooder slowed itself
    # Alice's password was taken: no refusal, and her staff session row exists (the
    # browser's script would now claim it; this visitor runs none).
    assert alice in ("in", "unclear")
    with sqlite3.connect(live_server.db_path) as conn:
        (sessions,) = conn.execute(
            "SELECT COUNT(*) FROM consultant_sessions s JOIN consultants c "
            "ON c.id = s.consultant_id WHERE c.username = 'alice'"
        ).fetchone()
    assert sessions == 1
