"""The HTTP side (web/) driven as plain ASGI: cookie routes, headers, /healthz, warm-up."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from core import devices, journey, staff_sessions
from core.limits import UNLIMITED
from web import headers, routes, startup

HOST = "127.0.0.1:8501"


async def html_page(_request):
    return HTMLResponse("<!doctype html><title>app</title>")


def app() -> Starlette:
    return Starlette(
        routes=[*routes.make_routes(), Route("/page", html_page)],
        middleware=headers.make_middleware(),
    )


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
    peer: str = "127.0.0.1",
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One ASGI request; `receive` replaces the whole JSON `body` (a body in pieces).
    `peer` is the socket's other end: by default a proxy on this machine."""
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
        "client": (peer, 50000),
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
    session = journey.start(store, client=UNLIMITED)
    _, ticket = devices.issue_device_claim(store, session.candidate_id)
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
    session = journey.start(store, client=UNLIMITED)
    _, ticket = devices.issue_device_claim(store, session.candidate_id)
    body = {"kind": "device", "ticket": ticket, "framed": False}
    status, headers, _ = request("POST", "/_bb/claim", headers=SAME_ORIGIN, body=body)
    assert status == 204
    [cookie] = set_cookies(headers)
    assert cookie.startswith(f"{devices.DEVICE_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert f"Max-Age={devices.DEVICE_IDLE_DAYS * 86400}" in cookie
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    assert isinstance(devices.check_device(store, token), devices.DeviceMatch)
    # The ticket is spent.
    _, again, _ = request("POST", "/_bb/claim", headers=SAME_ORIGIN, body=body)
    assert not set_cookies(again)


def test_inside_a_frame_the_device_cookie_is_partitioned(store):
    session = journey.start(store, client=UNLIMITED)
    _, ticket = devices.issue_device_claim(store, session.candidate_id)
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
    _, ticket = staff_sessions.open_staff_session(store, consultant)
    _, headers, _ = request(
        "POST",
        "/_bb/claim",
        headers={"origin": f"https://{HOST}", "x-forwarded-proto": "https"},
        body={"kind": "staff", "ticket": ticket},
    )
    [cookie] = set_cookies(headers)
    assert cookie.startswith(f"{staff_sessions.STAFF_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie


def test_clearing_the_device_cookie_revokes_its_token(store):
    session = journey.start(store, client=UNLIMITED)
    _, ticket = devices.issue_device_claim(store, session.candidate_id)
    token = devices.claim_device(store, ticket).token
    _, headers, _ = request(
        "POST",
        "/_bb/clear",
        headers={**SAME_ORIGIN, "cookie": f"{devices.DEVICE_COOKIE}={token}"},
        body={"kind": "device"},
    )
    assert all("Max-Age=0" in c for c in set_cookies(headers)) and set_cookies(headers)
    assert devices.check_device(store, token) == "revoked"


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
        startup.warm_up()
        # Streamlit's collection after each script run no longer walks these.
        assert gc.get_freeze_count() > 10_000
        first, second = Node(), Node()
        first.other, second.other = second, first
        del first, second
        assert gc.collect() >= 2  # a session's cycles are still freed
    finally:
        gc.unfreeze()


# ------------------------------------------------------ served over HTTPS (issue 18, item 10)

PUBLIC = "bounceback.example.com"
# What the proxy in front of a public install sends: the public host, and that the
# browser came over HTTPS.
BEHIND_HTTPS = {"host": PUBLIC, "origin": f"https://{PUBLIC}", "x-forwarded-proto": "https"}


def _staff_ticket(store) -> str:
    from core import accounts

    consultant = accounts.add_consultant(store, "alex", "harbour lights at dusk")
    return staff_sessions.open_staff_session(store, consultant)[1]


def test_an_http_origin_does_not_pass_for_an_https_app(store):
    ticket = _staff_ticket(store)
    plain_origin = {**BEHIND_HTTPS, "origin": f"http://{PUBLIC}"}
    status, headers, _ = request(
        "POST", "/_bb/claim", headers=plain_origin, body={"kind": "staff", "ticket": ticket}
    )
    assert status == 403 and not set_cookies(headers)
    # The page's own origin, over https, still claims it.
    status, headers, _ = request(
        "POST", "/_bb/claim", headers=BEHIND_HTTPS, body={"kind": "staff", "ticket": ticket}
    )
    assert status == 204 and set_cookies(headers)


def test_public_cookies_are_host_prefixed_secure_and_for_the_whole_host(store):
    ticket = _staff_ticket(store)
    _, headers, _ = request(
        "POST", "/_bb/claim", headers=BEHIND_HTTPS, body={"kind": "staff", "ticket": ticket}
    )
    [cookie] = set_cookies(headers)
    assert cookie.startswith(f"__Host-{staff_sessions.STAFF_COOKIE}=")
    parts = cookie.split("; ")
    assert "Secure" in parts and "Path=/" in parts and "HttpOnly" in parts
    assert not any(p.lower().startswith("domain=") for p in parts)


def test_the_device_routes_read_the_host_prefixed_cookie(store):
    session = journey.start(store, client=UNLIMITED)
    _, ticket = devices.issue_device_claim(store, session.candidate_id)
    _, headers, _ = request(
        "POST", "/_bb/claim", headers=BEHIND_HTTPS, body={"kind": "device", "ticket": ticket}
    )
    [cookie] = set_cookies(headers)
    name, token = cookie.split(";", 1)[0].split("=", 1)
    assert name == f"__Host-{devices.DEVICE_COOKIE}"
    sent = {**BEHIND_HTTPS, "cookie": f"{name}={token}"}
    _, refreshed, _ = request("POST", "/_bb/refresh", headers=sent, body={})
    assert [c.split("=", 1)[0] for c in set_cookies(refreshed)] == [name]
    # A plain-named cookie (one a neighbouring subdomain could plant) is not read.
    planted = {**BEHIND_HTTPS, "cookie": f"{devices.DEVICE_COOKIE}={token}"}
    _, ignored, _ = request("POST", "/_bb/refresh", headers=planted, body={})
    assert not set_cookies(ignored)
    _, cleared, _ = request("POST", "/_bb/clear", headers=sent, body={"kind": "device"})
    assert all(c.startswith(f"{name}=;") for c in set_cookies(cleared))
    assert devices.check_device(store, token) == "revoked"


def test_cookies_are_secure_everywhere_but_this_machine(store):
    """A public host over plain http (a proxy that forgot X-Forwarded-Proto) still gets
    Secure cookies: the browser keeps them only over https. localhost does not."""
    session = journey.start(store, client=UNLIMITED)
    _, ticket = devices.issue_device_claim(store, session.candidate_id)
    plain = {"host": PUBLIC, "origin": f"http://{PUBLIC}"}
    _, headers, _ = request(
        "POST", "/_bb/claim", headers=plain, body={"kind": "device", "ticket": ticket}
    )
    [cookie] = set_cookies(headers)
    assert "Secure" in cookie.split("; ")
    _, ticket = devices.issue_device_claim(store, session.candidate_id)
    _, headers, _ = request(
        "POST", "/_bb/claim", headers=SAME_ORIGIN, body={"kind": "device", "ticket": ticket}
    )
    [cookie] = set_cookies(headers)
    assert "Secure" not in cookie.split("; ") and cookie.startswith(f"{devices.DEVICE_COOKIE}=")


def test_hsts_is_sent_only_over_https(store):
    _, headers, _ = request("GET", "/healthz", headers=BEHIND_HTTPS)
    assert dict(headers)["strict-transport-security"] == "max-age=31536000"
    _, headers, _ = request("GET", "/healthz", headers={"host": PUBLIC})
    assert "strict-transport-security" not in dict(headers)


def test_x_forwarded_proto_counts_only_from_a_trusted_proxy(store, monkeypatch):
    stranger = "203.0.113.9"
    _, headers, _ = request("GET", "/healthz", headers=BEHIND_HTTPS, peer=stranger)
    assert "strict-transport-security" not in dict(headers)
    monkeypatch.setenv("BOUNCE_BACK_TRUSTED_PROXIES", "203.0.113.0/24")
    _, headers, _ = request("GET", "/healthz", headers=BEHIND_HTTPS, peer=stranger)
    assert "strict-transport-security" in dict(headers)


# ---------------------------------------------------------------- warm-up module list


def test_warm_up_imports_every_module_the_pages_import(tmp_path):
    """Derived from the page registry: a new page is warmed without editing a list."""
    from ui import pages

    warmed = set(startup.modules_to_warm())
    assert {"ui.frame", "ui.consultant", "ui.queue_page", "core.queue_export"} <= warmed
    new_page = tmp_path / "views" / "new_page.py"
    new_page.parent.mkdir()
    new_page.write_text("from core import overview\nfrom ui import charts, state\n")
    spec = pages.PageSpec("new", str(new_page), "New", "new", ":material/star:")
    assert {"core.overview", "ui.charts", "ui.state"} <= set(startup.modules_to_warm([spec]))


def test_start_up_refuses_a_short_or_sample_cookie_secret(monkeypatch, capsys):
    exits: list[int] = []
    monkeypatch.setattr(startup.os, "_exit", exits.append)
    startup.refuse_unsafe_secret({"cookie_secret": "a long random string"})
    startup.refuse_unsafe_secret({"cookie_secret": "x" * 31})
    assert exits == [startup.UNSAFE_SECRET_EXIT] * 2
    assert "cookie_secret" in capsys.readouterr().err
    startup.refuse_unsafe_secret({"cookie_secret": "k" * 64})
    startup.refuse_unsafe_secret(None)  # no single sign-on
    assert exits == [startup.UNSAFE_SECRET_EXIT] * 2


def test_the_real_server_will_not_start_with_the_sample_cookie_secret(tmp_path, db_path):
    """`streamlit run app.py` with single sign-on set up on the old docs' sample secret
    stops at start, saying why, before serving anyone."""
    import os
    import subprocess
    import sys

    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n'
        'cookie_secret = "a long random string"\nclient_id = "bb"\nclient_secret = "x"\n'
        'server_metadata_url = "https://idp.example/.well-known/openid-configuration"\n'
    )
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "streamlit"),
            "run",
            str(root / "app.py"),
            "--server.port",
            "0",
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--secrets.files",
            str(secrets),
        ],
        cwd=root,
        env={**os.environ, "BOUNCE_BACK_DB_PATH": str(db_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = server.communicate(timeout=120)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == startup.UNSAFE_SECRET_EXIT, output
    assert "Bounce Back will not start" in output and "cookie_secret" in output
    assert "secrets.token_urlsafe(48)" in output
