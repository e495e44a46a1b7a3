"""The HTTP side (ui/server.py) driven as plain ASGI: cookie routes, headers, /healthz."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from core import browser_sessions as bs
from core import journey
from ui import server

HOST = "127.0.0.1:8501"


async def html_page(_request):
    return HTMLResponse("<!doctype html><title>app</title>")


def app() -> Starlette:
    routes = [*server.make_routes(), Route("/page", html_page)]
    return Starlette(routes=routes, middleware=server.make_middleware())


def _run_on_its_own_loop(make_coroutine) -> None:
    """asyncio.run in a thread of its own: when the browser tests ran first in this
    process, Playwright's sync API keeps an event loop running on the main thread."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(make_coroutine())
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def request(
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: object = None,
    receive=None,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One ASGI request; `receive` replaces the whole JSON `body` (a body in pieces)."""
    raw = json.dumps(body).encode() if body is not None else b""
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [
            (k.lower().encode(), v.encode()) for k, v in {"host": HOST, **(headers or {})}.items()
        ],
        "scheme": "http",
        "server": ("127.0.0.1", 8501),
        "client": ("127.0.0.1", 50000),
        "http_version": "1.1",
        "root_path": "",
    }
    messages: list[dict] = []
    delivered = False

    async def whole_body() -> dict:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        messages.append(message)

    _run_on_its_own_loop(lambda: app()(scope, receive or whole_body, send))
    start = next(m for m in messages if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    headers_out = [(k.decode(), v.decode()) for k, v in start["headers"]]
    return start["status"], headers_out, content


def set_cookies(headers: list[tuple[str, str]]) -> list[str]:
    return [v for k, v in headers if k == "set-cookie"]


SAME_ORIGIN = {"origin": f"http://{HOST}"}


def test_a_claim_from_another_origin_is_refused(store):
    session = journey.start(store)
    _, ticket = bs.issue_device_claim(store, session.candidate_id)
    status, headers, _ = request(
        "POST",
        "/_bb/claim",
        headers={"origin": "https://evil.example"},
        body={"kind": "device", "ticket": ticket},
    )
    assert status == 403 and not set_cookies(headers)
    status, headers, _ = request("POST", "/_bb/claim", body={"kind": "device", "ticket": ticket})
    assert status == 403 and not set_cookies(headers)  # no Origin at all


def test_a_device_claim_sets_an_httponly_lax_cookie_once(store):
    session = journey.start(store)
    _, ticket = bs.issue_device_claim(store, session.candidate_id)
    body = {"kind": "device", "ticket": ticket, "framed": False}
    status, headers, _ = request("POST", "/_bb/claim", headers=SAME_ORIGIN, body=body)
    assert status == 204
    [cookie] = set_cookies(headers)
    assert cookie.startswith(f"{bs.DEVICE_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert f"Max-Age={bs.DEVICE_IDLE_DAYS * 86400}" in cookie
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    assert isinstance(bs.check_device(store, token), bs.DeviceMatch)
    # The ticket is spent.
    _, again, _ = request("POST", "/_bb/claim", headers=SAME_ORIGIN, body=body)
    assert not set_cookies(again)


def test_inside_a_frame_the_device_cookie_is_partitioned(store):
    session = journey.start(store)
    _, ticket = bs.issue_device_claim(store, session.candidate_id)
    _, headers, _ = request(
        "POST",
        "/_bb/claim",
        headers=SAME_ORIGIN,
        body={"kind": "device", "ticket": ticket, "framed": True},
    )
    [cookie] = set_cookies(headers)
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie


def test_the_staff_cookie_is_strict_and_secure_behind_https(store):
    from core import accounts

    consultant = accounts.add_consultant(store, "alex", "harbour lights at dusk")
    _, ticket = bs.open_staff_session(store, consultant)
    _, headers, _ = request(
        "POST",
        "/_bb/claim",
        headers={**SAME_ORIGIN, "x-forwarded-proto": "https"},
        body={"kind": "staff", "ticket": ticket},
    )
    [cookie] = set_cookies(headers)
    assert cookie.startswith(f"{bs.STAFF_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie


def test_clearing_the_device_cookie_revokes_its_token(store):
    session = journey.start(store)
    _, ticket = bs.issue_device_claim(store, session.candidate_id)
    token = bs.claim_device(store, ticket).token
    _, headers, _ = request(
        "POST",
        "/_bb/clear",
        headers={**SAME_ORIGIN, "cookie": f"{bs.DEVICE_COOKIE}={token}"},
        body={"kind": "device"},
    )
    assert all("Max-Age=0" in c for c in set_cookies(headers)) and set_cookies(headers)
    assert bs.check_device(store, token) == "revoked"


def test_security_headers_and_frame_ancestors(store, monkeypatch):
    _, headers, _ = request("GET", "/healthz")
    got = dict(headers)
    assert got["x-content-type-options"] == "nosniff"
    assert got["referrer-policy"] == "no-referrer"
    assert got["content-security-policy"] == "frame-ancestors 'self'"
    monkeypatch.setenv("BOUNCE_BACK_FRAME_ANCESTORS", "https://blog.example.com")
    _, headers, _ = request("GET", "/healthz")
    assert dict(headers)["content-security-policy"] == (
        "frame-ancestors 'self' https://blog.example.com"
    )
    _, headers, _ = request("GET", "/staff")
    assert dict(headers)["content-security-policy"] == "frame-ancestors 'none'"


def test_healthz_answers_200_only_when_the_database_answers(store, tmp_path, monkeypatch):
    status, _, body = request("GET", "/healthz")
    assert (status, body) == (200, b"ok")
    # A path the database cannot be opened at: a directory (or a server nobody runs).
    monkeypatch.setenv("BOUNCE_BACK_DB_PATH", str(tmp_path))
    if store.engine == "postgresql":
        monkeypatch.setenv("BOUNCE_BACK_DATABASE_URL", "postgresql://nobody:pw@127.0.0.1:9/none")
    status, _, _ = request("GET", "/healthz")
    assert status == 503


@pytest.mark.parametrize("body", [None, {"kind": "device"}, {"kind": "staff", "ticket": 7}])
def test_malformed_claims_get_nothing(store, body):
    status, headers, _ = request("POST", "/_bb/claim", headers=SAME_ORIGIN, body=body)
    assert status == 204 and not set_cookies(headers)


def test_pages_ask_for_the_icon_font_with_the_html(store):
    import streamlit

    _, headers, _ = request("GET", "/page")
    link = dict(headers)["link"]
    href = link.split(">", 1)[0].lstrip("<")
    assert "rel=preload" in link and "as=font" in link and "crossorigin" in link
    static = Path(streamlit.__file__).parent / "static"
    assert (static / href.lstrip("/")).is_file(), href
    _, headers, _ = request("GET", "/healthz")  # not a page: no preload
    assert "link" not in dict(headers)


# ---------------------------------------------------------------- start-up warm-up


def test_warm_up_freezes_start_up_objects_and_later_garbage_is_still_collected(db_path):
    import gc

    class Node:
        def __init__(self) -> None:
            self.other: Node | None = None

    gc.unfreeze()
    try:
        server.warm_up()
        # Streamlit's collection after each script run no longer walks these.
        assert gc.get_freeze_count() > 10_000
        first, second = Node(), Node()
        first.other, second.other = second, first
        del first, second
        assert gc.collect() >= 2  # a session's cycles are still freed
    finally:
        gc.unfreeze()
