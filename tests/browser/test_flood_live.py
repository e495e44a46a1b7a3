"""A script flood from one client against a real `streamlit run` server (issue 18): past
its own budget that client is refused, while a visitor from another address still
starts a reflection. Each visitor speaks Streamlit's websocket protocol the way a
browser does (the driver of `make bench-load`), arriving through a proxy on this machine
that names it in `X-Forwarded-For` (a local proxy is always trusted)."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from core.journey import STARTS_PER_CLIENT_PER_MINUTE, TOO_MANY_STARTS, TOO_MANY_STARTS_HERE

pytestmark = pytest.mark.browser

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import bench_load  # noqa: E402

# Documentation addresses (RFC 5737), in different networks: IPv6 counts per /64.
FLOODER = "192.0.2.66"
NEIGHBOUR = "198.51.100.7"
START = "Start my reflection"
# More than the whole process's budget was before (60 a minute for everyone together):
# enough to have shut the door on everyone then.
FLOOD_ATTEMPTS = 65


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
    cookie_header = await asyncio.to_thread(visitor._cookies)
    xsrf = dict(c.split("=", 1) for c in cookie_header.split("; ") if "=" in c).get(
        "_streamlit_xsrf", ""
    )
    async with bench_load.websockets.connect(
        url.replace("http://", "ws://") + "/_stcore/stream",
        subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
        additional_headers={"Origin": url, "Cookie": cookie_header, **visitor._forwarded()},
        max_size=None,
    ) as ws:
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

    flood, neighbour = asyncio.run(flood_then_neighbour())
    budget = STARTS_PER_CLIENT_PER_MINUTE
    assert not [outcome for outcome in flood[:budget] if outcome.startswith("refused")]
    assert flood[budget:] == ["refused here"] * (FLOOD_ATTEMPTS - budget)  # its own budget
    assert not neighbour.startswith("refused")  # nobody else's is
    with sqlite3.connect(live_server.db_path) as conn:
        (started,) = conn.execute("SELECT COUNT(*) FROM reflections").fetchone()
    assert started == budget + 1
