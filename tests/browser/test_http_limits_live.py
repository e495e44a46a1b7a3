"""Size limits against a real `streamlit run` server (issue 18): a 200 MB POST to a
cookie route is refused with 413 without the server taking it in, and a websocket
message over the limit in .streamlit/config.toml (`server.maxMessageSize`) closes the
connection with 1009 before the server holds it. Each checks the server's memory (RSS)."""

from __future__ import annotations

import asyncio
import select
import socket
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

pytestmark = pytest.mark.browser

MIB = 2**20
POST_SIZE = 200 * MIB
PIECE = 64 * 1024
# What the server may grow by while refusing: nothing like the 200 MB sent.
RSS_SLACK = 50 * MIB
# What one anonymous visitor put into the staff login's Username box in the report; the
# limit (`server.maxMessageSize`) is 1 MB.
OVERSIZED_ANSWER = 20 * MIB
SESSIONS = 4


def rss(process) -> int:
    """The server process's resident memory, in bytes."""
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


def body_pieces(total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        piece = b" " * min(PIECE, total - sent)
        sent += len(piece)
        yield piece


def post_streamed(url: str, path: str, total: int, *, chunked: bool) -> tuple[int, int]:
    """POST `total` bytes from a generator, as the app's own page would (same Origin).

    Stops sending once the server answers or closes, as a browser does. Returns the
    status and how many bytes of the body went out before that.
    """
    netloc = urlsplit(url).netloc
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {netloc}",
        f"Origin: {url}",
        "Content-Type: text/plain;charset=UTF-8",
        "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}",
    ]
    sent = 0
    with socket.create_connection((urlsplit(url).hostname, urlsplit(url).port), timeout=60) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        # poll, not select: a worker that ran many browser tests holds descriptors past
        # select()'s limit of 1,024.
        answered = select.poll()
        answered.register(sock, select.POLLIN)
        try:
            for piece in body_pieces(total):
                if answered.poll(0):
                    break  # the server has answered (or closed): no point going on
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    status_line = answer.split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1]), sent


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_200_mb_post_to_a_cookie_route_is_refused_without_the_server_holding_it(
    fresh_server, chunked
):
    # A server of its own: memory an earlier big body left behind would hide this one's.
    before = rss(fresh_server.process)
    status, sent = post_streamed(fresh_server.url, "/_bb/claim", POST_SIZE, chunked=chunked)
    grown = rss(fresh_server.process) - before
    assert status == 413
    assert grown < RSS_SLACK, f"the server grew by {grown / MIB:.0f} MiB"
    assert sent < POST_SIZE  # answered long before the body was all sent


# ------------------------------------------------------------------------ websocket


def run_async(make_coroutine):
    """Its own loop in its own thread: Playwright's sync API may hold this thread's."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


class Visitor:
    """One anonymous browser over Streamlit's websocket protocol (see scripts/bench_load.py)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.pages: dict[str, str] = {}
        self.page_hash = ""
        self.widgets: dict[str, tuple[str, str]] = {}  # label -> (kind, id)

    async def connect(self) -> None:
        def cookies() -> str:
            with urllib.request.urlopen(self.base + "/", timeout=10) as response:
                found = response.headers.get_all("Set-Cookie") or []
            return "; ".join(c.split(";", 1)[0] for c in found)

        cookie_header = await asyncio.to_thread(cookies)
        xsrf = dict(c.split("=", 1) for c in cookie_header.split("; ") if "=" in c).get(
            "_streamlit_xsrf", ""
        )
        self.ws = await websockets.connect(
            self.base.replace("http://", "ws://") + "/_stcore/stream",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            additional_headers={"Origin": self.base, "Cookie": cookie_header},
            max_size=None,
        )

    def rerun_message(self, page: str, widgets: dict[str, str] | None = None) -> bytes:
        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.pages.get(page, "")
        msg.rerun_script.page_name = page
        for widget_id, text in (widgets or {}).items():
            state = msg.rerun_script.widget_states.widgets.add()
            state.id, state.string_value = widget_id, text
        return msg.SerializeToString()

    async def open(self, page: str) -> None:
        await self.ws.send(self.rerun_message(page))
        while True:
            fmsg = ForwardMsg()
            fmsg.ParseFromString(await asyncio.wait_for(self.ws.recv(), timeout=60))
            kind = fmsg.WhichOneof("type")
            if kind == "navigation":
                for app_page in fmsg.navigation.app_pages:
                    self.pages[app_page.url_pathname] = app_page.page_script_hash
            elif kind == "delta" and fmsg.delta.WhichOneof("type") == "new_element":
                element = fmsg.delta.new_element
                inner = getattr(element, element.WhichOneof("type") or "", None)
                if inner is not None and hasattr(inner, "id") and hasattr(inner, "label"):
                    self.widgets[inner.label] = (element.WhichOneof("type"), inner.id)
            elif kind == "script_finished" and fmsg.script_finished != (
                ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
            ):
                return

    async def send_until_closed(self, message: bytes) -> int | None:
        """Send, then read until the server closes; the close code it sent (None: open)."""
        try:
            await self.ws.send(message)
            while True:
                await asyncio.wait_for(self.ws.recv(), timeout=30)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None
        except TimeoutError:
            return None  # still open: the message was taken
        finally:
            await self.ws.close()


def test_a_websocket_message_over_the_limit_is_refused_and_not_held(live_server):
    async def visit() -> tuple[list[int | None], int, int]:
        visitors = [Visitor(live_server.url) for _ in range(SESSIONS)]
        for visitor in visitors:
            await visitor.connect()
            await visitor.open("")
            await visitor.open("staff")
            assert visitor.widgets["Username"][0] == "text_input"
        before = rss(live_server.process)
        codes = []
        for visitor in visitors:
            _, username = visitor.widgets["Username"]
            big = visitor.rerun_message("staff", {username: "x" * OVERSIZED_ANSWER})
            codes.append(await visitor.send_until_closed(big))
        return codes, before, rss(live_server.process)

    codes, before, after = run_async(visit)
    assert codes == [1009] * SESSIONS  # 1009: message too big
    grown = after - before
    assert grown < RSS_SLACK, f"the server grew by {grown / MIB:.0f} MiB"
