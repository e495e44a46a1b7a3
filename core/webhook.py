"""A signed JSON POST: notifications for chat tools and the agency's own systems.

The sender (`post`) and any receiver (`verify`) share a secret. Each request carries
- `X-Bounce-Back-Timestamp`: when it was sent, in whole Unix seconds;
- `X-Bounce-Back-Signature`: `v1=` and the hex HMAC-SHA256, keyed with the secret, of the
  timestamp, a dot, and the exact body bytes (`f"{timestamp}.{body}"`).
A receiver recomputes it over the raw body before parsing any JSON, compares in constant
time, and refuses timestamps further than its tolerance from its own clock, so a captured
request cannot be replayed later. Several `v1=` entries separated by commas are accepted,
which lets a secret be changed without a moment where every request fails.

`post` raises `core.delivery`'s `DeliveryDeferred` (network trouble, timeouts, 5xx, 408,
429) or `DeliveryRefused` (any other 4xx, or a redirect: set the final URL), like mail,
so the outbox treats both the same way. Errors name the receiver by scheme and host only
(`core.delivery.redact`): a chat tool's webhook path is often its secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from core.delivery import LOOPBACK_HOSTS, DeliveryDeferred, DeliveryRefused, redact

TIMESTAMP_HEADER = "X-Bounce-Back-Timestamp"
SIGNATURE_HEADER = "X-Bounce-Back-Signature"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE = dt.timedelta(minutes=5)
DEFAULT_TIMEOUT_SECONDS = 10.0
USER_AGENT = "Bounce-Back-Webhook/1"
RETRY_LATER_CODES = frozenset({408, 429})


class BadWebhookUrl(ValueError):
    """The webhook setting is not an https:// URL (or http:// on this machine)."""


class WebhookRejected(ValueError):
    """A receiver's verdict: this request is not to be trusted."""


class BadSignature(WebhookRejected):
    """The signature is missing, malformed, or not made with the shared secret."""


class StaleTimestamp(WebhookRejected):
    """The timestamp is unreadable or too far from the receiver's clock (a replay?)."""


def encode_body(payload: Mapping[str, Any]) -> bytes:
    """The JSON bytes `post` sends for `payload` (compact, keys sorted, UTF-8)."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.encode("utf-8")


def timestamp_of(moment: dt.datetime) -> str:
    """`moment` as the timestamp header carries it: whole Unix seconds."""
    if moment.tzinfo is None:
        raise ValueError("The moment must be an aware datetime (core.clock gives one).")
    return str(int(moment.timestamp()))


def signature(secret: str | bytes, timestamp: str, body: bytes) -> str:
    """The signature header's value, `v1=<hex>`, for this timestamp and body."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not key:
        raise ValueError("A webhook needs a shared secret: an empty one signs nothing.")
    digest = hmac.new(key, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def signed_headers(secret: str | bytes, body: bytes, now: dt.datetime) -> dict[str, str]:
    """Every header a request with `body` sent at `now` carries."""
    timestamp = timestamp_of(now)
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str | bytes,
    timestamp: str | None,
    body: bytes,
    signature_header: str | None,
    now: dt.datetime,
    tolerance: dt.timedelta = DEFAULT_TOLERANCE,
) -> None:
    """Return quietly if the request is genuine and fresh; raise `BadSignature` or
    `StaleTimestamp` otherwise. Pass the headers' raw values (None if absent) and the body's
    raw bytes, as received."""
    if not timestamp or not timestamp.isascii() or not timestamp.isdigit():
        raise StaleTimestamp("The request has no readable timestamp.")
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp), dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise StaleTimestamp("The request's timestamp is out of any calendar.") from None
    if abs(now - sent) > tolerance:
        raise StaleTimestamp("The request's timestamp is too far from now.")
    if not signature_header:
        raise BadSignature("The request is not signed.")
    expected = signature(secret, timestamp, body).encode("ascii")
    offered = [entry.strip() for entry in signature_header.split(",")]
    # Compare every entry (no early exit), so timing tells nothing about which one matched.
    matched = False
    for entry in offered:
        matched |= hmac.compare_digest(entry.encode("utf-8", "replace"), expected)
    if not matched:
        raise BadSignature("The signature does not match the shared secret.")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET without the body: refuse it instead."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def check_webhook_url(url: str) -> str:
    """`url` if it is https://, or http:// to this machine; `BadWebhookUrl` otherwise."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise BadWebhookUrl("The webhook address could not be read.") from None
    if parts.scheme == "https" and parts.hostname:
        return url.strip()
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return url.strip()
    raise BadWebhookUrl(
        f"The webhook address {redact(url)} must start with https:// "
        "(http:// only for a receiver on this machine)."
    )


def post(
    url: str,
    payload: Mapping[str, Any],
    secret: str | bytes,
    now: dt.datetime,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> int:
    """POST `payload` as signed JSON to `url`; the receiver's 2xx status on success."""
    body = encode_body(payload)
    # check_webhook_url lets through https:// (and http:// on loopback) only: no file:.
    request = urllib.request.Request(  # noqa: S310
        check_webhook_url(url), data=body, headers=signed_headers(secret, body, now), method="POST"
    )
    where = redact(url)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        code = error.code
        error.close()
        if 300 <= code < 400:
            raise DeliveryRefused(
                f"{where} answered {code}, a redirect: set the webhook to its final address.",
                code,
            ) from None
        if 400 <= code < 500 and code not in RETRY_LATER_CODES:
            raise DeliveryRefused(f"{where} refused the notification ({code}).", code) from None
        raise DeliveryDeferred(f"{where} answered {code}; trying again later.", code) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryDeferred(
            f"Could not reach {where} ({error.__class__.__name__}: {reason})."
        ) from None
