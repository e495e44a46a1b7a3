"""The contact-request form's core: every field checked, consent required, stored whole."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import contact, journey
from core.consent import CONTACT_ME
from core.limits import UNLIMITED


def _valid(**overrides):
    values = {
        "name": "Zoë Ahmed",
        "email": "zoe@example.com",
        "phone": "",
        "channel": "email",
        "message": "Evenings are best.",
        "consent": True,
    }
    values.update(overrides)
    return contact.validate(**values)


def _errors(**overrides) -> dict[str, str]:
    with pytest.raises(contact.ContactInvalid) as info:
        _valid(**overrides)
    return info.value.errors


def test_a_good_request_is_cleaned():
    request = _valid(name="  Zoë Ahmed ", email=" zoe@example.com ")
    assert request.name == "Zoë Ahmed"
    assert request.email == "zoe@example.com"
    assert request.phone is None
    assert request.channel == "email"


@pytest.mark.parametrize(
    "email",
    ["zoe", "zoe@", "@example.com", "zoe@example", "zoe @example.com", "<a>@b.com", "a@b@c.com"],
)
def test_bad_email_is_refused_with_a_message(email):
    errors = _errors(email=email)
    assert set(errors) == {"email"}
    assert "e-mail" in errors["email"].lower()


@pytest.mark.parametrize("phone", ["123", "call me maybe", "+44 (0) 20-7946-0000 ext 5", "1" * 16])
def test_bad_phone_is_refused(phone):
    assert set(_errors(email="", phone=phone, channel="phone")) == {"phone"}


@pytest.mark.parametrize("phone", ["+44 20 7946 0000", "020 7946 0000", "(020) 7946-0000"])
def test_sane_phone_numbers_are_accepted(phone):
    assert _valid(email="", phone=phone, channel="phone").phone == phone


def test_needs_a_way_to_reach_them():
    errors = _errors(email="", phone="", channel="either")
    assert "e-mail address or a phone number" in errors["email"]


def test_channel_must_match_the_details_given():
    assert "phone" in _errors(phone="", channel="phone")
    assert "email" in _errors(email="", phone="+44 20 7946 0000", channel="email")
    assert "channel" in _errors(channel="carrier pigeon")


def test_name_consent_and_message_length():
    errors = _errors(name="   ", consent=False, message="x" * (contact.MESSAGE_MAX + 1))
    assert set(errors) == {"name", "consent", "message"}
    assert "1,000" in errors["message"]


def test_control_characters_are_refused_not_crashing():
    assert "control character" in _errors(name="Zoë\x00")["name"]


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(max_size=200),
    email=st.text(max_size=300),
    phone=st.text(max_size=40),
    message=st.text(max_size=1200),
)
def test_any_input_gives_a_request_or_messages_never_a_crash(name, email, phone, message):
    try:
        request = contact.validate(name, email, phone, "either", message, True)
    except contact.ContactInvalid as exc:
        assert exc.errors and all(isinstance(m, str) and m for m in exc.errors.values())
    else:
        assert request.name and (request.email or request.phone)
        assert len(request.message) <= contact.MESSAGE_MAX


def test_saved_with_consent_version_and_counts_as_asking_to_talk(store):
    session = journey.start(store, client=UNLIMITED)
    assert not contact.has_asked_to_talk(store, session.reflection_id)
    contact.save_request(
        store, session.reflection_id, _valid(message="Mornings 🙂"), client=UNLIMITED
    )
    (row,) = contact.requests_for(store, session.reflection_id)
    assert row["name"] == "Zoë Ahmed" and row["message"] == "Mornings 🙂"
    assert row["consent_version"] == CONTACT_ME.version and row["consent_at"]
    assert contact.has_asked_to_talk(store, session.reflection_id)
    # Another candidate's reflection is unaffected.
    other = journey.start(store, client=UNLIMITED)
    assert not contact.has_asked_to_talk(store, other.reflection_id)
