"""Address entry: a clear message for each mistake, and nothing that could become a header."""

from __future__ import annotations

import string
from email.headerregistry import Address

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.addresses import MAX_ADDRESS_LENGTH, AddressError, check_email


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("ann@example.com", "ann@example.com"),
        ("  Ann.Lee+jobs@Example.CO.UK  ", "Ann.Lee+jobs@example.co.uk"),
        ("o'neil@example.ie", "o'neil@example.ie"),
        ("anna@bücher.example", "anna@xn--bcher-kva.example"),
    ],
)
def test_a_good_address_comes_back_normalised(typed, kept):
    assert check_email(typed) == kept


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter an e-mail address"),
        ("   ", "Enter an e-mail address"),
        ("ann.example.com", "needs an @"),
        ("ann@@example.com", "more than one @"),
        ("ann@home@example.com", "more than one @"),
        ("ann lee@example.com", "no spaces"),
        ("ann@example .com", "no spaces"),
        ("ann\u00a0lee@example.com", "no spaces"),
        ("Ann Lee <ann@example.com>", "without a name or < >"),
        ("<ann@example.com>", "without a name or < >"),
        ("@example.com", "before the @"),
        ("ann@", "after the @"),
        ("ann@localhost", "needs a dot"),
        ("ann@example..com", "two dots in a row"),
        ("ann@.example.com", "dot at the start or end"),
        ("ann@example.com.", "dot at the start or end"),
        ("ann@-example.com", "letters, digits, hyphens"),
        ("ann@exa_mple.com", "letters, digits, hyphens"),
        ("ann@10.0.0.1", "not a number"),
        ("ann..lee@example.com", "no two dots in a row"),
        (".ann@example.com", "none at the start or end"),
        ('"ann"@example.com', "addresses don't allow"),
        ("zoë@example.com", "unaccented letters"),
        ("ann\r\n@example.com", "line break"),
        ("ann@example.com\r\nBcc: victim@example.com", "line break"),
        ("ann\x00@example.com", "line break"),
        ("ann\u200b@example.com", "invisible character"),
        ("a" * 65 + "@example.com", "longer than 64"),
        ("a@" + "b" * 64 + ".com", "letters, digits, hyphens"),
        ("a@" + ("b" * 60 + ".") * 5 + "com", f"longer than {MAX_ADDRESS_LENGTH}"),
    ],
)
def test_each_mistake_gets_a_message_saying_what_to_change(typed, says):
    with pytest.raises(AddressError) as refused:
        check_email(typed)
    assert says in str(refused.value)


def test_an_address_of_exactly_254_characters_is_accepted():
    domain = ".".join(["d" * 63, "d" * 63, "d" * 63, "d" * 50]) + ".com"  # 246 characters
    address = "abcdefg@" + domain
    assert len(address) == MAX_ADDRESS_LENGTH
    assert check_email(address) == address
    with pytest.raises(AddressError, match="longer than 254"):
        check_email("abcdefgh@" + domain)


_ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
_local_parts = st.lists(st.text(_ATEXT, min_size=1, max_size=12), min_size=1, max_size=4).map(
    ".".join
)
_labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_domains = st.tuples(st.lists(_labels, min_size=1, max_size=3), st.sampled_from(["com", "uk"])).map(
    lambda parts: ".".join([*parts[0], parts[1]])
)


@given(_local_parts, _domains)
def test_accepted_addresses_round_trip_through_the_header_parser(local_part, domain):
    address = check_email(f"{local_part}@{domain}")
    parsed = Address(addr_spec=address)
    assert parsed.addr_spec == address
    assert (parsed.username, parsed.domain) == (local_part, domain)
    assert check_email(address) == address  # normalising twice changes nothing


_LINE_BREAKS = st.sampled_from(["\r\n", "\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"])
_good_addresses = st.builds("{}@{}".format, _local_parts, _domains)


@given(
    st.one_of(_good_addresses, st.text(max_size=40)),
    _LINE_BREAKS,
    st.one_of(st.just("Bcc: victim@example.com"), _good_addresses, st.text(max_size=40)),
)
def test_nothing_with_a_line_break_is_ever_accepted(before, line_break, after):
    for text in (before + line_break + after, before + line_break, line_break + before):
        with pytest.raises(AddressError, match="line break"):
            check_email(text)


@given(st.text(max_size=80))
def test_whatever_is_typed_the_answer_is_an_address_or_a_message(text):
    try:
        address = check_email(text)
    except AddressError as refused:
        assert str(refused)
    else:
        assert Address(addr_spec=address).addr_spec == address
        assert not any(char in address for char in '\r\n <>"')
