"""Handing one built e-mail (`core.mail.build_message`) to wherever the agency's mail goes.

One URL-style setting chooses the transport:
- `smtp://user:password@host:587`: SMTP with STARTTLS (port 587 if none is given), then
  login if a user is given. `?starttls=0` sends in clear, and is accepted only for a
  server on this machine (`localhost`, `127.0.0.1`, `::1`): a relay listening on loopback.
- `smtps://user:password@host:465`: SMTP inside TLS from the first byte (port 465).
- `file:///absolute/folder`: each message written there as an `.eml` file, atomically (a
  temporary file renamed into place), for `make run` without a mail server
  (`DEFAULT_DELIVERY_URL`, the project's `data/outbox/`).
A user name or password with `@`, `:` or `/` in it is percent-encoded in the URL.

`deliver(message, url)` sends once and returns a `Receipt` (where it went, for the log) or
raises one of two errors, which is all the outbox needs to decide:
- `DeliveryDeferred`: try again later (`core.retry_schedule` says when). The server could
  not be reached, timed out, hung up, answered 4xx, or our own setup failed (login refused,
  TLS certificate not trusted, no STARTTLS offered, a folder that can't be written): none
  of these is a verdict on the message, and an operator can fix them.
- `DeliveryRefused`: the server answered 5xx for this message or its recipient; record
  it and don't send again.
`BadDeliveryUrl` means the setting itself is wrong (check it at startup with
`transport_for`). No exception text holds a password: they name the server through
`redact`, which is also the form to log.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit
from urllib.request import url2pathname

# The outbox folder `make run` writes to: the project's own data/ folder.
DEFAULT_OUTBOX = Path(__file__).resolve().parent.parent / "data" / "outbox"
DEFAULT_DELIVERY_URL = DEFAULT_OUTBOX.as_uri()
DEFAULT_TIMEOUT_SECONDS = 30.0
SMTP_PORT = 587
SMTPS_PORT = 465
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_SAFE_FILE_NAME = re.compile(r"[^A-Za-z0-9._@-]+")


class DeliveryError(Exception):
    """A message was not delivered. `code` is the server's reply code, if it gave one."""

    def __init__(self, detail: str, code: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


class DeliveryDeferred(DeliveryError):
    """Not delivered this time; the same message may well go through later."""


class DeliveryRefused(DeliveryError):
    """Refused for good: sending the same message again would be refused again."""


class BadDeliveryUrl(ValueError):
    """The delivery setting is not a URL this module can send through."""


@dataclass(frozen=True)
class Receipt:
    """A delivered message: `where` names the server (redacted) or the file written, and
    `refused` lists recipients the server turned down while accepting the others."""

    where: str
    refused: tuple[str, ...] = field(default=())


class Transport(Protocol):
    def send(self, message: EmailMessage) -> Receipt: ...


def redact(url: str) -> str:
    """`url` safe to log or show: a password becomes `***`; for web addresses (a chat
    webhook's path is often its secret) only the scheme and host are kept."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(an address that could not be read)"
    if ":" in host:
        host = f"[{host}]"
    if port is not None:
        host = f"{host}:{port}"
    if parts.scheme in ("http", "https"):
        return urlunsplit((parts.scheme, host, "/…" if parts.path.strip("/") else "", "", ""))
    if parts.password is not None:
        host = f"{parts.username or ''}:***@{host}"
    elif parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def deliver(
    message: EmailMessage,
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    tls_context: ssl.SSLContext | None = None,
) -> Receipt:
    """Send `message` once through the transport `url` names (see the module's docstring)."""
    return transport_for(url, timeout=timeout, tls_context=tls_context).send(message)


def transport_for(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    tls_context: ssl.SSLContext | None = None,
) -> Transport:
    """The transport `url` names, or `BadDeliveryUrl`. `tls_context` replaces the system's
    trusted certificates (a test's own authority, or an agency's internal one)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise BadDeliveryUrl(f"The delivery address {redact(url)} has a bad port.") from None
    if parts.scheme == "file":
        return _file_transport(parts.netloc, parts.path)
    if parts.scheme not in ("smtp", "smtps"):
        raise BadDeliveryUrl(
            f"The delivery address {redact(url)} should start with smtp://, smtps:// or file://."
        )
    if not parts.hostname:
        raise BadDeliveryUrl(f"The delivery address {redact(url)} names no server.")
    options = parse_qs(parts.query)
    starttls = options.get("starttls", ["1"])[-1] not in ("0", "false", "no")
    if parts.scheme == "smtps":
        starttls = False
    elif not starttls and parts.hostname not in LOOPBACK_HOSTS:
        raise BadDeliveryUrl(
            "starttls=0 sends mail and passwords in clear; it is allowed only for a server on "
            f"this machine, not {redact(url)}."
        )
    return SmtpTransport(
        host=parts.hostname,
        port=port or (SMTPS_PORT if parts.scheme == "smtps" else SMTP_PORT),
        implicit_tls=parts.scheme == "smtps",
        starttls=starttls,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        timeout=timeout,
        tls_context=tls_context,
        display=redact(url),
    )


def _file_transport(netloc: str, path: str) -> FileTransport:
    folder = Path(url2pathname(path))
    if netloc not in ("", "localhost") or not folder.is_absolute():
        raise BadDeliveryUrl(
            "A file delivery address needs an absolute folder after three slashes, "
            "like file:///srv/bounce-back/outbox."
        )
    return FileTransport(folder)


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str
    password: str = field(repr=False)
    timeout: float
    tls_context: ssl.SSLContext | None
    display: str  # the URL as `redact` shows it: the only form in errors and receipts

    def send(self, message: EmailMessage) -> Receipt:
        try:
            refused = self._send(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _reply in error.recipients.values()]
            kind = DeliveryDeferred if all(400 <= code < 500 for code in codes) else DeliveryRefused
            replies = "; ".join(
                f"{address}: {code} {_text(reply)}"
                for address, (code, reply) in error.recipients.items()
            )
            raise kind(f"{self.display} refused the recipient ({replies}).", codes[0]) from None
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryDeferred(
                f"{self.display} did not accept our login ({error.smtp_code}); "
                "check the user and password in the delivery setting.",
                error.smtp_code,
            ) from None
        except smtplib.SMTPResponseException as error:
            # Sender refused, data refused, greeting or HELO refused: the reply code decides.
            kind = DeliveryRefused if 500 <= error.smtp_code < 600 else DeliveryDeferred
            raise kind(
                f"{self.display} answered {error.smtp_code} {_text(error.smtp_error)}.",
                error.smtp_code,
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryDeferred(
                f"{self.display} does not offer STARTTLS, so nothing was sent in clear. "
                "Use smtps:// if it takes TLS on connection."
            ) from None
        except ssl.SSLError as error:
            raise DeliveryDeferred(
                f"TLS with {self.display} failed ({error.__class__.__name__}: "
                f"{error.reason or 'no reason given'})."
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            # Refused connections, timeouts, unknown hosts, a server that hung up.
            raise DeliveryDeferred(
                f"Could not reach {self.display} ({error.__class__.__name__}: {error})."
            ) from None
        return Receipt(where=self.display, refused=tuple(refused))

    def _send(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        context = self.tls_context or ssl.create_default_context()
        client: smtplib.SMTP
        if self.implicit_tls:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            client.ehlo()
            if self.starttls:
                client.starttls(context=context)
                client.ehlo()
            if self.username:
                client.login(self.username, self.password)
            return client.send_message(message)


@dataclass(frozen=True)
class FileTransport:
    folder: Path

    def send(self, message: EmailMessage) -> Receipt:
        data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        target = self.folder / _file_name(message, data)
        try:
            # Reminders carry candidates' addresses: the folder is the app user's alone
            # (and mkstemp makes each file 0600).
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_atomically(target, data)
        except OSError as error:
            raise DeliveryDeferred(
                f"Could not write to {self.folder} ({error.__class__.__name__}: "
                f"{error.strerror or error})."
            ) from None
        return Receipt(where=str(target))


def _file_name(message: EmailMessage, data: bytes) -> str:
    """`<date>-<Message-ID>.eml`: sorts by when it was written, names the message, and a
    second delivery of the same message replaces its file rather than adding one."""
    try:
        written = parsedate_to_datetime(str(message["Date"])).strftime("%Y%m%dT%H%M%S%z")
    except (TypeError, ValueError):
        written = "undated"
    identity = str(message["Message-ID"] or "").strip("<> ")
    if not identity:
        identity = hashlib.sha256(data).hexdigest()[:24]
    return f"{written}-{_SAFE_FILE_NAME.sub('_', identity)[:150]}.eml"


def _write_atomically(target: Path, data: bytes) -> None:
    """Readers of the folder see the whole file or none of it, even after a crash."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # make the rename itself survive a power cut
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())
