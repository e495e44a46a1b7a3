"""Building one notification e-mail: headers that cannot be forged, plain text plus HTML.

`build_message` returns a ready `email.message.EmailMessage`; `core.delivery` sends or files
it. The caller gives the sender (the agency's name and address), one recipient, a subject,
the plain-text body and the moment it is written (from `core.clock`: this module never reads
the time). For candidates' reminders the caller adds an `Unsubscribe`, which becomes the
RFC 8058 one-click pair of headers.

What the message is, and is not:
- the HTML part is the same text, escaped, with paragraphs and `https://` links made
  clickable; no raw input ever reaches it. No tracking pixel, no remote images, no link
  rewriting: a link is the address the caller wrote.
- every header-fed value (names, addresses, subject, unsubscribe links) is checked first: a
  line break or other control character raises `UnsafeHeaderValue`, so no value can start a
  header of its own ("x\\r\\nBcc: victim@example.com"). Addresses must also pass
  `core.addresses.check_email` (`AddressError` otherwise).
- `Auto-Submitted: auto-generated` (RFC 3834) tells vacation responders not to answer it.
- RFC 8058 also asks for a DKIM signature covering the unsubscribe headers; that is the
  agency's outgoing mail server's job, not this module's.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from email.headerregistry import Address, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from urllib.parse import quote, urlsplit

from core.addresses import check_email, has_control_characters

ONE_CLICK = "List-Unsubscribe=One-Click"
MAX_SUBJECT_LENGTH = 200
MAX_UNSUBSCRIBE_LINK_LENGTH = 900  # each `<...>` entry stays within one 998-octet line
# Characters that would end or split a `<...>` entry in List-Unsubscribe.
_UNSUBSCRIBE_FORBIDDEN = set('<>," ')
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_LINK = re.compile(r"https://[^\s<>\"]+")
# A link usually ends before the punctuation that closes the sentence around it.
_TRAILING_PUNCTUATION = ".,;:!?)'"


class _ListUnsubscribeHeader(UnstructuredHeader):
    """Folded only between its `<...>` entries. The standard folder would turn a long URL
    into RFC 2047 encoded words, which no mail client reads back as a link."""

    def fold(self, *, policy: EmailPolicy) -> str:
        entries = [entry.strip() for entry in str(self).split(",")]
        return f"{self.name}: " + ("," + policy.linesep + " ").join(entries) + policy.linesep


_headers = HeaderRegistry()
_headers.map_to_type("list-unsubscribe", _ListUnsubscribeHeader)
# The messages' own policy: smtplib and `as_bytes` fold headers with it.
MAIL_POLICY = default_policy.clone(header_factory=_headers)


class UnsafeHeaderValue(ValueError):
    """A value meant for a header holds a line break or another control character."""


class BadUnsubscribeLink(ValueError):
    """The one-click unsubscribe address is not a plain https:// URL."""


@dataclass(frozen=True)
class Sender:
    """Who the mail is from: the agency's name as people know it, and its sending address."""

    name: str
    address: str


@dataclass(frozen=True)
class Unsubscribe:
    """Where one click stops the mail: an https URL that takes a POST (RFC 8058), and
    optionally an address that a "mailto:" unsubscribe writes to."""

    url: str
    mailto: str = ""


def build_message(
    *,
    sender: Sender,
    to: str,
    subject: str,
    body: str,
    written_at: dt.datetime,
    unsubscribe: Unsubscribe | None = None,
    message_key: str = "",
) -> EmailMessage:
    """One e-mail from `sender` to `to`, dated `written_at` (an aware datetime).

    Raises `UnsafeHeaderValue` for a control character in any header-fed value,
    `core.addresses.AddressError` for an address that is not one, `BadUnsubscribeLink`
    for an unsubscribe URL that is not https, and `ValueError` for a naive `written_at`.
    """
    header_values = {
        "sender name": sender.name,
        "sender address": sender.address,
        "recipient": to,
        "subject": subject,
    }
    if unsubscribe is not None:
        header_values["unsubscribe link"] = unsubscribe.url
        header_values["unsubscribe address"] = unsubscribe.mailto
    for field, value in header_values.items():
        if has_control_characters(value):
            raise UnsafeHeaderValue(f"The {field} holds a line break or a control character.")
    if written_at.tzinfo is None or written_at.utcoffset() is None:
        raise ValueError("written_at must be an aware datetime (core.clock gives one).")
    subject = subject.strip()
    if not subject:
        raise ValueError("A notification needs a subject.")
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise ValueError(f"The subject is longer than {MAX_SUBJECT_LENGTH} characters.")

    from_address = check_email(sender.address)
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = Address(display_name=sender.name.strip(), addr_spec=from_address)
    message["To"] = Address(addr_spec=check_email(to))
    message["Subject"] = subject
    message["Date"] = format_datetime(written_at.astimezone(dt.UTC))
    domain = from_address.rpartition("@")[2]
    if message_key:
        # The same message sent again (a retry after a lost reply) keeps its Message-ID,
        # so mail clients show it once.
        if not re.fullmatch(r"[A-Za-z0-9.-]{1,100}", message_key):
            raise UnsafeHeaderValue("The message key holds characters a Message-ID can't.")
        message["Message-ID"] = f"<{message_key}@{domain}>"
    else:
        message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe is not None:
        message["List-Unsubscribe"] = _list_unsubscribe(unsubscribe)
        message["List-Unsubscribe-Post"] = ONE_CLICK

    text = _plain_text(body)
    message.set_content(text)
    message.add_alternative(html_from_text(text), subtype="html")
    return message


def html_from_text(text: str) -> str:
    """A small HTML document showing `text`: every character escaped, blank lines starting
    paragraphs, line breaks kept, and `https://` links clickable with the very same URL."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text) if part.strip()]
    rendered = "\n".join(
        "<p>" + "<br>\n".join(_with_links(line) for line in part.strip("\n").split("\n")) + "</p>"
        for part in paragraphs
    )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
        '<body style="font-family: sans-serif; line-height: 1.5;">\n'
        f"{rendered}\n</body></html>\n"
    )


def _with_links(line: str) -> str:
    pieces: list[str] = []
    position = 0
    for match in _LINK.finditer(line):
        url = match.group().rstrip(_TRAILING_PUNCTUATION)
        end = match.start() + len(url)
        pieces.append(html.escape(line[position : match.start()]))
        escaped = html.escape(url, quote=True)
        pieces.append(f'<a href="{escaped}">{escaped}</a>')
        position = end
    pieces.append(html.escape(line[position:]))
    return "".join(pieces)


def _plain_text(body: str) -> str:
    """The body with Windows and old Mac line ends made plain `\\n`, and no other control
    characters but tabs (a stray NUL or escape code has no place in a mail)."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = "".join(char for char in text if char in "\n\t" or not has_control_characters(char))
    if not cleaned.strip():
        raise ValueError("A notification needs a body.")
    return cleaned.rstrip() + "\n"


def _list_unsubscribe(unsubscribe: Unsubscribe) -> str:
    url = unsubscribe.url.strip()
    parts = urlsplit(url)
    # https, as RFC 8058 asks; plain http only for an app on this machine (`make run`),
    # where there is no certificate to have.
    on_this_machine = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if (parts.scheme != "https" and not on_this_machine) or not parts.hostname:
        raise BadUnsubscribeLink("The unsubscribe link must be an https:// address.")
    if len(url) > MAX_UNSUBSCRIBE_LINK_LENGTH:
        raise BadUnsubscribeLink("The unsubscribe link is too long to fit in a mail header.")
    if _UNSUBSCRIBE_FORBIDDEN & set(url) or not url.isascii():
        raise BadUnsubscribeLink(
            "The unsubscribe link must be percent-encoded ASCII without spaces, commas or < >."
        )
    entries = [f"<{url}>"]
    if unsubscribe.mailto:
        mailbox = check_email(unsubscribe.mailto)
        entries.append(f"<mailto:{quote(mailbox, safe='@')}?subject=unsubscribe>")
    return ", ".join(entries)
