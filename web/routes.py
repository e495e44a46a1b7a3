"""The cookie routes and `/healthz`.

Cookie routes (POST, same origin only): the page trades a one-time claim ticket for an
HttpOnly cookie, refreshes the candidate's cookie, or clears one. Script runs cannot set
cookies; these routes can, and `st.context.cookies` reads them on the next session.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Awaitable, Callable
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from core import devices, reminders, session_tokens, staff_sessions
from core.settings import load_settings
from core.store import open_store
from web.bodies import BodyTooLarge, json_body
from web.cookies import cookie_header, device_same_site, sent_cookie
from web.healthz import healthz
from web.origin import same_origin

ROUTE_PREFIX = "_bb"
DEVICE_MAX_AGE = devices.DEVICE_IDLE_DAYS * 24 * 3600


def _store():
    return open_store(load_settings().db_path)


async def _off_the_loop(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Database work in a worker thread: a write waiting on the lock must not stall the
    event loop that carries every websocket of this process."""
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
        if not same_origin(request):
            return PlainTextResponse("Forbidden", status_code=403)
        try:
            body = await json_body(request)
        except BodyTooLarge:
            return _too_large()
        return await handler(request, body)

    return answer


def _plan_address(request: Request) -> str:
    """My plan on this app: the address the request came to, up to the app's own routes
    (`/_bb/`), so a base URL path is kept."""
    return request.url.path.split("/_bb/", 1)[0] + "/plan"


def _reminder_page(
    request: Request, title: str, text: str, button: str = "", token: str = ""
) -> HTMLResponse:
    """A small page of fixed words; the only thing from the request in it is a token that
    was checked to be URL-safe base64 (and is escaped all the same)."""
    form = ""
    if button:
        form = (
            f'<form method="post" action="?token={html.escape(token)}">'
            f'<button type="submit">{html.escape(button)}</button></form>'
        )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto; '
        'padding: 0 1rem">'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>{form}"
        f'<p><a href="{html.escape(_plan_address(request))}">Back to My plan</a></p>'
        "</body></html>"
    )
    return HTMLResponse(
        page, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


async def reminders_confirm(request: Request) -> Response:
    """GET shows a button (a mail scanner's prefetch confirms nothing); its POST confirms."""
    token = request.query_params.get("token", "")
    if request.method == "GET":
        if not session_tokens.well_formed(token):
            return _reminder_page(
                request, "Link not recognised", "This link is incomplete or has expired."
            )
        return _reminder_page(
            request,
            "Start your reminders",
            "Press the button to start e-mails on the days you planned something.",
            "Yes, start my reminders",
            token,
        )
    confirmed = await _off_the_loop(reminders.confirm, _store(), token)
    if not confirmed:
        return _reminder_page(
            request,
            "Link not recognised",
            "This link is incomplete, has expired or was replaced by a newer one. Ask again "
            "from My plan.",
        )
    return _reminder_page(
        request,
        "Reminders are on",
        "We'll e-mail you on the days you planned something, at most once a day. Every "
        "e-mail has a link to stop them.",
    )


async def reminders_unsubscribe(request: Request) -> Response:
    """RFC 8058: the mail program POSTs `List-Unsubscribe=One-Click` here and reminders
    stop at once; a person following the link with GET gets a page with a button."""
    token = request.query_params.get("token", "")
    if request.method == "GET":
        return _reminder_page(
            request,
            "Stop reminders",
            "Press the button and we will send no more reminder e-mails to this address.",
            "Stop my reminders",
            token if session_tokens.well_formed(token) else "",
        )
    stopped = await _off_the_loop(reminders.unsubscribe, _store(), token)
    if not stopped:
        return _reminder_page(request, "Link not recognised", "This link is incomplete or unknown.")
    return _reminder_page(
        request, "Reminders stopped", "You will get no more reminder e-mails from us."
    )


def make_routes(base_path: str = "") -> list[Route]:
    base = "/" + base_path.strip("/") if base_path.strip("/") else ""
    cookie_path = base or "/"

    def device_cookie(request: Request, token: str, max_age: int, same_site: str) -> str:
        return cookie_header(
            devices.DEVICE_COOKIE,
            token,
            max_age=max_age,
            request=request,
            same_site=same_site,
            path=cookie_path,
        )

    def staff_cookie(request: Request, token: str, max_age: int) -> str:
        return cookie_header(
            staff_sessions.STAFF_COOKIE,
            token,
            max_age=max_age,
            request=request,
            same_site="Strict",
            path=cookie_path,
        )

    @_cookie_route
    async def claim(request: Request, body: dict[str, Any]) -> Response:
        kind, ticket = body.get("kind"), body.get("ticket")
        response = _no_content()
        store = _store()
        if kind == "device":
            claimed = await _off_the_loop(
                devices.claim_device,
                store,
                ticket,
                replaces=sent_cookie(request, devices.DEVICE_COOKIE),
                embedded=body.get("framed") is True,
            )
            if claimed is not None:
                same_site = device_same_site(request, claimed.embedded)
                response.headers.append(
                    "set-cookie", device_cookie(request, claimed.token, DEVICE_MAX_AGE, same_site)
                )
        elif kind == "staff":
            claimed = await _off_the_loop(staff_sessions.claim_staff, store, ticket)
            if claimed is not None:
                max_age = load_settings().absolute_timeout_hours * 3600
                response.headers.append("set-cookie", staff_cookie(request, claimed.token, max_age))
        return response

    @_cookie_route
    async def refresh(request: Request, body: dict[str, Any]) -> Response:
        """Slide the candidate cookie's own expiry along with the server-side one."""
        token = sent_cookie(request, devices.DEVICE_COOKIE)
        row = await _off_the_loop(devices.device_row_for_token, _store(), token)
        same_site = device_same_site(request, body.get("framed") is True)
        response = _no_content()
        if row is not None and token is not None:
            response.headers.append(
                "set-cookie", device_cookie(request, token, DEVICE_MAX_AGE, same_site)
            )
        return response

    @_cookie_route
    async def clear(request: Request, body: dict[str, Any]) -> Response:
        """Forget this browser / log out: the cookie goes (its token was revoked already)."""
        response = _no_content()
        if body.get("kind") == "device":
            await _off_the_loop(
                devices.revoke_device_token,
                _store(),
                sent_cookie(request, devices.DEVICE_COOKIE),
            )
            for same_site in ("Lax", "None"):
                response.headers.append("set-cookie", device_cookie(request, "", 0, same_site))
        elif body.get("kind") == "staff":
            response.headers.append("set-cookie", staff_cookie(request, "", 0))
        return response

    return [
        Route(f"{base}/{ROUTE_PREFIX}/claim", claim, methods=["POST"]),
        Route(f"{base}/{ROUTE_PREFIX}/refresh", refresh, methods=["POST"]),
        Route(f"{base}/{ROUTE_PREFIX}/clear", clear, methods=["POST"]),
        Route(f"{base}/healthz", healthz, methods=["GET", "HEAD"]),
        Route(f"{base}{reminders.CONFIRM_PATH}", reminders_confirm, methods=["GET", "POST"]),
        Route(
            f"{base}{reminders.UNSUBSCRIBE_PATH}", reminders_unsubscribe, methods=["GET", "POST"]
        ),
    ]
