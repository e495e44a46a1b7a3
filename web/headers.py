"""The security headers on every HTTP answer (a plain ASGI middleware)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection

from core.settings import load_settings
from ui import pages
from web.origin import served_over_https

# Pages only consultants use: never drawn inside anyone's frame.
STAFF_PATHS = pages.STAFF_URL_PATHS
# Strict-Transport-Security over HTTPS: browsers keep to HTTPS for this host for a year.
# No includeSubDomains: the agency's other hosts (the blog, say) are not ours to commit.
HSTS_SECONDS = 365 * 24 * 3600


def _icon_font_preload(base: str) -> bytes | None:
    """A `Link: rel=preload` for Streamlit's Material Symbols font, if it can be found.

    Measured: a page using Material icons was painted ~0.5 s later than one without,
    because the browser only discovers the font once the app has drawn an icon. Asking
    for it with the HTML lets it download alongside the JavaScript bundle.
    """
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
    """Adds the security headers to every HTTP answer: no sniffing, no referrer, who may
    frame the page (nobody for staff pages) and, over HTTPS, HSTS."""

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
        # Only over HTTPS: sent over plain http it is ignored by browsers, and on
        # http://localhost it would pin a developer's machine to https.
        if served_over_https(HTTPConnection(scope)):
            extra.append((b"strict-transport-security", f"max-age={HSTS_SECONDS}".encode()))

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
