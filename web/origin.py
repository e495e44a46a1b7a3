"""What an HTTP request says about where it came from, read the same way by every route
and header: its scheme (directly, or from a proxy we trust), its host, its Origin."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from core.limits import is_trusted_proxy
from core.settings import load_settings

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def _peer(request: HTTPConnection) -> str | None:
    client = request.scope.get("client")
    return client[0] if client else None


def served_over_https(request: HTTPConnection) -> bool:
    """The browser reached us over HTTPS: the connection itself, or `X-Forwarded-Proto`
    from a proxy we trust (one on this machine, or one in BOUNCE_BACK_TRUSTED_PROXIES).
    Anyone else's X-Forwarded-Proto is only a claim."""
    if request.url.scheme in ("https", "wss"):
        return True
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    if forwarded != "https":
        return False
    return is_trusted_proxy(_peer(request), load_settings().trusted_proxies)


def host(request: HTTPConnection) -> str:
    # Host only, as Streamlit's own websocket check does: a proxy must pass it through.
    return request.headers.get("host", "")


def is_local_host(host_header: str) -> bool:
    """The app is being opened on this machine (http://localhost, `make run`, tests)."""
    return urlsplit("//" + host_header).hostname in LOCAL_HOSTS


def is_local(request: HTTPConnection) -> bool:
    return is_local_host(host(request))


def same_origin(request: HTTPConnection) -> bool:
    """The request came from the app's own pages (browsers always send Origin on POST).

    The scheme counts too: an `http://` page of the same host is not ours when we are
    served over HTTPS (anyone on the network can write that page). An `https://` Origin
    is accepted when the request looks plain (a proxy that ends TLS without saying so).
    """
    origin = request.headers.get("origin")
    if not origin:
        return False
    parts = urlsplit(origin)
    if parts.netloc != host(request):
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and not served_over_https(request)
