"""Checking an e-mail address someone types in, before anything is sent to it.

`check_email` is for entry: a candidate asking for reminders, an operator setting the team
address. It accepts the plain `name@example.com` form only and returns it normalised
(surrounding spaces gone, the domain in lower case and in its ASCII form), or raises
`AddressError` whose message says what to change, ready to show beside the field.

Deliberately narrower than RFC 5322: no display names ("Ann <ann@example.com>"), no quoted
local parts, no comments, no address literals, and only ASCII before the @. Each of those is
legal but rare in a form, and each is a way to smuggle structure into a header. What passes
here always round-trips through `email.headerregistry.Address` unchanged, so `core.mail` can
put it in a header as it is.
"""

from __future__ import annotations

import re
import unicodedata

MAX_ADDRESS_LENGTH = 254  # RFC 5321's limit on a forward path, less its angle brackets
MAX_LOCAL_PART_LENGTH = 64
MAX_LABEL_LENGTH = 63

# RFC 5322 "atext": what an unquoted local part may hold, between single dots.
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
# Line breaks, tabs, NUL and the invisible format characters (zero-width space, bidi marks).
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}


class AddressError(ValueError):
    """The text is not an address we can send to; the message says what to change."""


def has_control_characters(text: str) -> bool:
    """True if `text` holds a line break, tab, NUL or an invisible formatting character."""
    return any(unicodedata.category(char) in _HIDDEN_CATEGORIES for char in text)


def check_email(text: str) -> str:
    """The address in `text`, normalised, or `AddressError` saying what is wrong with it."""
    if has_control_characters(text):
        raise AddressError(
            "The address contains a line break or an invisible character. "
            "Type it again on one line."
        )
    address = text.strip()
    if not address:
        raise AddressError("Enter an e-mail address, like name@example.com.")
    if "<" in address or ">" in address:
        raise AddressError(
            "Enter only the address itself, like name@example.com, without a name or < >."
        )
    if any(char.isspace() for char in address):
        raise AddressError("An e-mail address has no spaces. Check for a space inside it.")
    if len(address) > MAX_ADDRESS_LENGTH:
        raise AddressError(
            f"That address is longer than {MAX_ADDRESS_LENGTH} characters. Check it is only one."
        )
    if "@" not in address:
        raise AddressError("The address needs an @, like name@example.com.")
    if address.count("@") > 1:
        raise AddressError("The address has more than one @. Keep only one.")
    local_part, domain = address.split("@")
    _check_local_part(local_part)
    ascii_domain = _check_domain(domain)
    normalised = f"{local_part}@{ascii_domain}"
    if len(normalised) > MAX_ADDRESS_LENGTH:
        raise AddressError(
            f"That address is longer than {MAX_ADDRESS_LENGTH} characters. Check it is only one."
        )
    return normalised


def _check_local_part(local_part: str) -> None:
    if not local_part:
        raise AddressError("Add the part before the @, like name@example.com.")
    if len(local_part) > MAX_LOCAL_PART_LENGTH:
        raise AddressError(
            f"The part before the @ is longer than {MAX_LOCAL_PART_LENGTH} characters."
        )
    if not local_part.isascii():
        raise AddressError(
            "Use only unaccented letters, digits and . _ + - before the @. "
            "If your address has other letters, please give another one."
        )
    if not _LOCAL_PART.fullmatch(local_part):
        raise AddressError(
            "The part before the @ has a character or a dot in a place addresses don't allow: "
            'no two dots in a row, none at the start or end, and no ( ) , ; : " [ ] \\.'
        )


def _check_domain(domain: str) -> str:
    """The domain in lower-case ASCII (an accented domain becomes its xn-- form)."""
    if not domain:
        raise AddressError("Add the part after the @, like name@example.com.")
    domain = domain.lower()
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise AddressError(
                "The part after the @ has characters no domain name can have."
            ) from None
    if "." not in domain:
        raise AddressError("The part after the @ needs a dot, like example.com.")
    labels = domain.split(".")
    if any(not label for label in labels):
        raise AddressError(
            "The part after the @ has a dot at the start or end, or two dots in a row."
        )
    for label in labels:
        if len(label) > MAX_LABEL_LENGTH or not _LABEL.fullmatch(label):
            raise AddressError(
                "The part after the @ may hold only letters, digits, hyphens and dots, "
                "like example.com."
            )
    if labels[-1].isdigit():
        raise AddressError("The part after the @ should end in a name like .com, not a number.")
    return domain
