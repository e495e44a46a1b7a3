"""The cookie routes read at most 1 KiB of a body: past that they answer 413, without
having taken in the rest (issue 18). Driven as plain ASGI, as tests/test_server.py does."""

from __future__ import annotations

import json

import pytest
from test_server import SAME_ORIGIN, request, set_cookies

from core import devices, journey
from core.limits import UNLIMITED
from web.bodies import MAX_BODY

COOKIE_ROUTES = ("/_bb/claim", "/_bb/refresh", "/_bb/clear")
HUGE = 64 * 2**20  # what the body would be if it were all read
PIECE = 256  # the size of each piece the client sends


class LazyBody:
    """An ASGI receive() that makes a huge body up piece by piece, counting what is read."""

    def __init__(self, total: int = HUGE, piece: int = PIECE) -> None:
        self.total = total
        self.piece = piece
        self.consumed = 0

    async def __call__(self) -> dict:
        if self.consumed >= self.total:
            return {"type": "http.disconnect"}
        size = min(self.piece, self.total - self.consumed)
        self.consumed += size
        more = self.consumed < self.total
        return {"type": "http.request", "body": b" " * size, "more_body": more}


class WholeBody:
    """An ASGI receive() handing over one body, in pieces of a given size."""

    def __init__(self, raw: bytes, piece: int) -> None:
        self.pieces = [raw[i : i + piece] for i in range(0, len(raw), piece)] or [b""]

    async def __call__(self) -> dict:
        if not self.pieces:
            return {"type": "http.disconnect"}
        body = self.pieces.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(self.pieces)}


def post(path: str, receive, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
    return request("POST", path, headers=headers, receive=receive)


def padded(body: dict, size: int) -> bytes:
    """The JSON of `body`, with spaces after it up to exactly `size` bytes."""
    raw = json.dumps(body).encode()
    return raw + b" " * (size - len(raw))


@pytest.mark.parametrize("path", COOKIE_ROUTES)
def test_a_declared_length_over_1_kib_is_refused_before_any_of_it_is_read(store, path):
    body = LazyBody()
    status, headers, _ = post(path, body, {**SAME_ORIGIN, "content-length": str(HUGE)})
    assert status == 413
    assert dict(headers)["cache-control"] == "no-store"
    assert dict(headers)["connection"] == "close"
    assert not set_cookies(headers)
    assert body.consumed == 0


@pytest.mark.parametrize("path", COOKIE_ROUTES)
def test_a_chunked_body_is_given_up_on_once_it_passes_1_kib(store, path):
    body = LazyBody()  # no Content-Length: the length is only known as it arrives
    status, headers, _ = post(path, body, SAME_ORIGIN)
    assert status == 413
    assert dict(headers)["cache-control"] == "no-store"
    assert not set_cookies(headers)
    assert MAX_BODY < body.consumed <= MAX_BODY + PIECE


def test_a_claim_of_exactly_1_kib_still_sets_its_cookie_and_one_byte_more_is_refused(store):
    session = journey.start(store, client=UNLIMITED)
    _, ticket = devices.issue_device_claim(store, session.candidate_id)
    claim = {"kind": "device", "ticket": ticket, "framed": False}
    too_long = padded(claim, MAX_BODY + 1)
    status, headers, _ = post("/_bb/claim", WholeBody(too_long, 100), SAME_ORIGIN)
    assert status == 413 and not set_cookies(headers)
    # The refused claim did not spend the ticket; a body of exactly the limit, chunked
    # in small pieces, is read whole and claims it.
    status, headers, _ = post("/_bb/claim", WholeBody(padded(claim, MAX_BODY), 100), SAME_ORIGIN)
    assert status == 204
    [cookie] = set_cookies(headers)
    assert cookie.startswith(f"{devices.DEVICE_COOKIE}=")
