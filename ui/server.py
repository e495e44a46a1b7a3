"""The HTTP side of the app, mounted by `app.py` through `st.App`.

- Cookie routes (POST, same origin only): the page trades a one-time claim ticket for
  an HttpOnly cookie, refreshes the candidate's cookie, or clears one. Script runs
  cannot set cookies; these routes can, and `st.context.cookies` reads them on the
  next session.
- Security headers on every HTTP answer.
- `/healthz`: 200 only when the database answers.
- Lifespan warm-up: import the app and open the store before the first visitor.

Nothing here logs a cookie, token or ticket.
"""

from __future__ import annotations

import functools
import gc
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing, asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from core import browser_sessions as bs
from core import health
from core.settings import load_settings
from core.store import open_store
from core.store_pg import is_postgres_url
from ui import pages

log = logging.getLogger("bounce_back.server")

ROUTE_PREFIX = "_bb"
# Pages only consultants use: never drawn inside anyone's frame.
STAFF_PATHS = pages.STAFF_URL_PATHS
DEVICE_MAX_AGE = bs.DEVICE_IDLE_DAYS * 24 * 3600
# The cookie routes' bodies are a few dozen bytes of JSON; anything past this is refused
# with 413 before it is read, so a big POST cannot fill the process's memory.
MAX_BODY = 1024
# The exit status when PostgreSQL cannot be reached at start.
DATABASE_UNREACHABLE_EXIT = 3


def _store():
    return open_store(load_settings().db_path)


def _served_over_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _host(request: Request) -> str:
    # Host only, as Streamlit's own websocket check does: a proxy must pass it through.
    return request.headers.get("host", "")


def _same_origin(request: Request) -> bool:
    """The request came from the app's own pages (browsers always send Origin on POST)."""
    origin = request.headers.get("origin")
    return bool(origin) and urlsplit(origin).netloc == _host(request)


def _is_local(request: Request) -> bool:
    return urlsplit("//" + _host(request)).hostname in ("localhost", "127.0.0.1", "::1")


def cookie_header(
    name: str, value: str, *, max_age: int, request: Request, same_site: str, path: str
) -> str:
    """One Set-Cookie value. Secure whenever served over HTTPS (plain http for `make run`)."""
    parts = [f"{name}={value}", f"Path={path}", f"Max-Age={max_age}", "HttpOnly"]
    secure = _served_over_https(request)
    if same_site == "None":
        # Third-party context (the blog's iframe): CHIPS, which needs Secure. Browsers
        # treat http://localhost as secure, so local tests take this path too.
        parts += ["SameSite=None", "Secure", "Partitioned"]
    else:
        parts.append(f"SameSite={same_site}")
        if secure:
            parts.append("Secure")
    return "; ".join(parts)


def _device_same_site(request: Request, embedded: bool) -> str:
    if embedded and (_served_over_https(request) or _is_local(request)):
        return "None"
    return "Lax"


class BodyTooLarge(Exception):
    """A cookie route's body is longer than MAX_BODY (declared, or as it arrived)."""


def _declares_too_much(request: Request) -> bool:
    declared = request.headers.get("content-length", "").strip()
    # Checked by length first: int() of thousands of digits is refused, and slow.
    return (
        declared.isascii()
        and declared.isdigit()
        and (len(declared) > len(str(MAX_BODY)) or int(declared) > MAX_BODY)
    )


async def _small_body(request: Request) -> bytes:
    """The body, read piece by piece and given up on as soon as it passes MAX_BODY.

    `request.body()` would hold all of it in memory before anyone could look at its
    length; a chunked body has no Content-Length to check beforehand.
    """
    if _declares_too_much(request):
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async with aclosing(request.stream()) as stream:
        async for chunk in stream:
            size += len(chunk)
            if size > MAX_BODY:
                raise BodyTooLarge
            chunks.append(chunk)
    return b"".join(chunks)


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await _small_body(request)
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def _off_the_loop(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Database work in a worker thread: a write waiting on the lock must not stall the
    event loop that carries every websocket of this process."""
    from anyio import to_thread

    return await to_thread.run_sync(functools.partial(call, *args, **kwargs))


def _no_content() -> Response:
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


def _too_large() -> Response:
    # Connection: close, so the server stops taking in the rest of the body (on a
    # kept-alive connection it would go on reading it, only to throw it away).
    return Response(status_code=413, headers={"Cache-Control": "no-store", "Connection": "close"})


CookieHandler = Callable[[Request, dict[str, Any]], Awaitable[Response]]


def _cookie_route(handler: CookieHandler) -> Callable[[Request], Awaitable[Response]]:
    """Same origin only (403), then the small JSON body (413 past MAX_BODY)."""

    @functools.wraps(handler)
    async def answer(request: Request) -> Response:
        if not _same_origin(request):
            return PlainTextResponse("Forbidden", status_code=403)
        try:
            body = await _json_body(request)
        except BodyTooLarge:
            return _too_large()
        return await handler(request, body)

    return answer


def make_routes(base_path: str = "") -> list[Route]:
    base = "/" + base_path.strip("/") if base_path.strip("/") else ""
    cookie_path = base or "/"

    @_cookie_route
    async def claim(request: Request, body: dict[str, Any]) -> Response:
        kind, ticket = body.get("kind"), body.get("ticket")
        response = _no_content()
        store = _store()
        if kind == "device":
            claimed = await _off_the_loop(
                bs.claim_device,
                store,
                ticket,
                replaces=request.cookies.get(bs.DEVICE_COOKIE),
                embedded=body.get("framed") is True,
            )
            if claimed is not None:
                response.headers.append(
                    "set-cookie",
                    cookie_header(
                        bs.DEVICE_COOKIE,
                        claimed.token,
                        max_age=DEVICE_MAX_AGE,
                        request=request,
                        same_site=_device_same_site(request, claimed.embedded),
                        path=cookie_path,
                    ),
                )
        elif kind == "staff":
            claimed = await _off_the_loop(bs.claim_staff, store, ticket)
            if claimed is not None:
                settings = load_settings()
                response.headers.append(
                    "set-cookie",
                    cookie_header(
                        bs.STAFF_COOKIE,
                        claimed.token,
                        max_age=settings.absolute_timeout_hours * 3600,
                        request=request,
                        same_site="Strict",
                        path=cookie_path,
                    ),
                )
        return response

    @_cookie_route
    async def refresh(request: Request, body: dict[str, Any]) -> Response:
        """Slide the candidate cookie's own expiry along with the server-side one."""
        token = request.cookies.get(bs.DEVICE_COOKIE)
        row = await _off_the_loop(bs.device_row_for_token, _store(), token)
        framed = body.get("framed") is True
        response = _no_content()
        if row is not None and token is not None:
            response.headers.append(
                "set-cookie",
                cookie_header(
                    bs.DEVICE_COOKIE,
                    token,
                    max_age=DEVICE_MAX_AGE,
                    request=request,
                    same_site=_device_same_site(request, framed),
                    path=cookie_path,
                ),
            )
        return response

    @_cookie_route
    async def clear(request: Request, body: dict[str, Any]) -> Response:
        """Forget this browser / log out: the cookie goes (its token was revoked already)."""
        response = _no_content()
        if body.get("kind") == "device":
            await _off_the_loop(
                bs.revoke_device_token, _store(), request.cookies.get(bs.DEVICE_COOKIE)
            )
            for same_site in ("Lax", "None"):
                response.headers.append(
                    "set-cookie",
                    cookie_header(
                        bs.DEVICE_COOKIE,
                        "",
                        max_age=0,
                        request=request,
                        same_site=same_site,
                        path=cookie_path,
                    ),
                )
        elif body.get("kind") == "staff":
            response.headers.append(
                "set-cookie",
                cookie_header(
                    bs.STAFF_COOKIE,
                    "",
                    max_age=0,
                    request=request,
                    same_site="Strict",
                    path=cookie_path,
                ),
            )
        return response

    async def healthz(_request: Request) -> Response:
        from anyio import to_thread

        ok = await to_thread.run_sync(database_answers)
        if ok:
            return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})
        return PlainTextResponse(
            "database unavailable", status_code=503, headers={"Cache-Control": "no-store"}
        )

    return [
        Route(f"{base}/{ROUTE_PREFIX}/claim", claim, methods=["POST"]),
        Route(f"{base}/{ROUTE_PREFIX}/refresh", refresh, methods=["POST"]),
        Route(f"{base}/{ROUTE_PREFIX}/clear", clear, methods=["POST"]),
        Route(f"{base}/healthz", healthz, methods=["GET", "HEAD"]),
    ]


def database_answers() -> bool:
    """The start-up check passed (`core.health`, re-run while failing) and a simple read
    through the store answers now."""
    if not health.status(load_settings().db_path).ok:
        return False
    try:
        with _store().read() as conn:
            conn.execute("SELECT COUNT(*) FROM candidates WHERE id = 0").fetchone()
        return True
    except Exception:  # any failure to answer means unhealthy; the reason is logged
        log.exception("health check: the database did not answer")
        return False


def _icon_font_preload(base: str) -> bytes | None:
    """A `Link: rel=preload` for Streamlit's Material Symbols font, if it can be found.

    Measured: a page using Material icons was painted ~0.5 s later than one without,
    because the browser only discovers the font once the app has drawn an icon. Asking
    for it with the HTML lets it download alongside the JavaScript bundle.
    """
    import streamlit

    media = Path(streamlit.__file__).parent / "static" / "static" / "media"
    fonts = sorted(media.glob("MaterialSymbols-Rounded*.woff2"))
    if not fonts:
        return None
    href = f"{base}/static/media/{fonts[0].name}"
    return f'<{href}>; rel=preload; as=font; type="font/woff2"; crossorigin'.encode()


def frame_ancestors(setting: str) -> str:
    """The CSP source list: the app itself, plus the blog origins in the setting."""
    extra = [origin for origin in setting.replace(",", " ").split() if origin]
    return " ".join(["'self'", *extra])


class SecurityHeaders:
    """Plain ASGI middleware adding the security headers to every HTTP answer."""

    def __init__(self, app: Any, base_path: str = "") -> None:
        self.app = app
        self.base = "/" + base_path.strip("/") if base_path.strip("/") else ""
        self.preload = _icon_font_preload(self.base)

    def _is_staff_path(self, path: str) -> bool:
        if self.base and path.startswith(self.base):
            path = path[len(self.base) :]
        return path.strip("/").split("/")[0] in STAFF_PATHS

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ancestors = (
            "'none'"
            if self._is_staff_path(scope.get("path", ""))
            else frame_ancestors(load_settings().frame_ancestors)
        )
        extra = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"content-security-policy", f"frame-ancestors {ancestors}".encode()),
        ]

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(name, value) for name, value in extra if name not in names]
                content_type = dict(headers).get(b"content-type", b"")
                if self.preload and content_type.startswith(b"text/html"):
                    headers.append((b"link", self.preload))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def make_middleware(base_path: str = "") -> list[Middleware]:
    return [Middleware(SecurityHeaders, base_path=base_path)]


def warm_up() -> None:
    """Import what the first script run needs, open the store (runs its migrations) and
    delete session rows no browser can use any more."""
    import importlib

    for module in (
        "ui.frame",
        "ui.fields",
        "ui.step",
        "ui.charts",
        "ui.consultant",
        "core.plan",
        "core.candidate_exports",
        "core.explainer",
        "core.queue",
        "core.review",
        "core.document",
        # What Streamlit itself imports on the first run: the favicon goes through PIL,
        # icon names are checked against a table, and `magic` runs on every script.
        "PIL.Image",
        "PIL.PngImagePlugin",
        "streamlit.material_icon_names",
        "streamlit.runtime.scriptrunner.magic_funcs",
        "streamlit.components.v2.manifest_scanner",
    ):
        importlib.import_module(module)
    from PIL import Image

    Image.preinit()  # the common image plugins, which opening the favicon loads
    settings = load_settings()
    # The database is checked before the first visitor (quick_check, migrations, a test
    # write); a failure is logged loudly and every page shows the short-break notice.
    result = health.status(settings.db_path)
    if result.ok:
        bs.forget_stale(_store(), settings)
    elif is_postgres_url(settings.db_path):
        # A server that is down or a URL that is wrong at start is a deployment mistake,
        # not a passing fault: stop, so the supervisor (or the person) sees it at once.
        print(f"Bounce Back cannot start: {result.detail}", file=sys.stderr, flush=True)
        os._exit(DATABASE_UNREACHABLE_EXIT)
    # Last, so the store and its connection pool are frozen too.
    _freeze_startup_objects()


def _freeze_startup_objects() -> None:
    """Keep what start-up made out of every later garbage collection.

    Streamlit collects all generations after every script run (`runner.postScriptGC`),
    and a full collection walks every object the process holds: the modules of pandas,
    altair, psycopg and our own, which never become garbage. Measured with
    `make bench-load`, that walk was most of the server's CPU per interaction. Frozen
    (`gc.freeze`) once everything is imported, those objects sit in the permanent
    generation; each collection then walks only what sessions made since, and still
    frees their cycles, so memory stays as tidy as before.
    """
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    from anyio import to_thread

    await to_thread.run_sync(warm_up)
    yield
