"""How the app's cookies are named and flagged, for the request they answer.

Served to a browser anywhere but this machine, a cookie is `Secure` and named with the
`__Host-` prefix: the browser then keeps it only if it came over HTTPS, for this exact
host, at `Path=/`, so a neighbouring subdomain or a plain-http page cannot plant or
overwrite it. On http://localhost (`make run`, the tests) neither can apply, so there
the plain name is used, without `Secure` unless the request came over HTTPS. The page
reading a cookie asks `cookie_name` for the same host, so it looks for the name the
routes set.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from web.origin import is_local, served_over_https

HOST_PREFIX = "__Host-"


def cookie_name(base: str, *, local: bool) -> str:
    """The name a cookie has on this host: `base` on this machine, else `__Host-base`."""
    return base if local else HOST_PREFIX + base


def cookie_header(
    base: str,
    value: str,
    *,
    max_age: int,
    request: HTTPConnection,
    same_site: str,
    path: str,
) -> str:
    """One Set-Cookie value, HttpOnly always; named and flagged as the module says.

    `path` is the app's own path (its base URL path); a `__Host-` cookie must say `/`.
    """
    local = is_local(request)
    name = cookie_name(base, local=local)
    secure = not local or served_over_https(request)
    parts = [f"{name}={value}", f"Path={path if local else '/'}", f"Max-Age={max_age}"]
    parts.append("HttpOnly")
    if same_site == "None":
        # Third-party context (the blog's iframe): CHIPS, which needs Secure. Browsers
        # treat http://localhost as secure, so local tests take this path too.
        parts += ["SameSite=None", "Secure", "Partitioned"]
    else:
        parts.append(f"SameSite={same_site}")
        if secure:
            parts.append("Secure")
    return "; ".join(parts)


def device_same_site(request: HTTPConnection, embedded: bool) -> str:
    """The candidate cookie inside the blog's frame is a partitioned third-party one."""
    if embedded and (served_over_https(request) or is_local(request)):
        return "None"
    return "Lax"


def sent_cookie(request: HTTPConnection, base: str) -> str | None:
    """The value of the cookie called `base` that this request carries, by its name here."""
    return request.cookies.get(cookie_name(base, local=is_local(request)))
