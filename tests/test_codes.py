"""Resume codes: enough randomness, forgiving input, clear refusals, hashed at rest."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import codes, journey
from core.limits import UNLIMITED


def test_codes_carry_at_least_64_bits():
    bits = codes.CODE_LENGTH * math.log2(len(set(codes.ALPHABET)))
    assert bits >= 64
    code = codes.new_code()
    compact = code.replace("-", "")
    assert len(compact) == codes.CODE_LENGTH
    assert set(compact) <= set(codes.ALPHABET)


def test_new_codes_use_the_whole_alphabet_evenly_at_the_declared_length():
    # What new_code() actually produces, not what the constants claim: a generator drawing
    # from a smaller alphabet (fewer bits per symbol) fails here.
    assert codes.ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
    made = [codes.new_code() for _ in range(3000)]
    assert all(len(c) == codes.CODE_LENGTH + 3 and c.count("-") == 3 for c in made)
    compact = "".join(c.replace("-", "") for c in made)
    counts = {symbol: compact.count(symbol) for symbol in codes.ALPHABET}
    assert set(compact) == set(codes.ALPHABET)
    # 48,000 symbols: about 1,500 each; a symbol drawn at half or double that rate is no
    # accident (the binomial spread is about 38).
    assert all(1000 < n < 2000 for n in counts.values()), counts
    # Every position varies over the whole alphabet too (no fixed or narrowed slots).
    for position in range(codes.CODE_LENGTH):
        assert len({c.replace("-", "")[position] for c in made}) == len(codes.ALPHABET)
    # Entropy as declared in the module: 16 symbols of 5 bits.
    observed = -sum(n / len(compact) * math.log2(n / len(compact)) for n in counts.values())
    assert observed * codes.CODE_LENGTH > 79.5
    assert codes.CODE_LENGTH * math.log2(len(codes.ALPHABET)) == 80


def test_codes_are_not_repeated():
    assert len({codes.new_code() for _ in range(2000)}) == 2000


def test_normalise_accepts_what_people_type():
    code = codes.new_code()
    compact = code.replace("-", "")
    assert codes.normalise(code) == code
    assert codes.normalise(code.lower()) == code
    assert codes.normalise(f"  {compact[:8]} {compact[8:]}\n") == code
    assert codes.normalise(" - ".join(code.split("-"))) == code


def test_confusable_letters_are_read_as_digits():
    assert codes.normalise("O0O0-I1I1-L1L1-0000") == "0000-1111-1111-0000"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "ABC",
        "7K2M-Q9XD-4RTB-H8P",  # one short
        "7K2M-Q9XD-4RTB-H8PWX",  # one long
        "7K2M-Q9XD-4RTB-H8P!",
        "7K2M-Q9XD-4RTB-H8PU",  # U is not in the alphabet
        "７K2M-Q9XD-4RTB-H8PW",  # full-width digit
        "x" * 65,
        "'; DROP TABLE candidates; --",
        "\x00" * 16,
    ],
)
def test_malformed_codes_are_refused_with_a_message(bad):
    with pytest.raises(codes.BadCode) as exc:
        codes.normalise(bad)
    assert "resume code" in str(exc.value)


@pytest.mark.parametrize("bad", [None, 12345, b"7K2M"])
def test_non_text_is_refused(bad):
    with pytest.raises(codes.BadCode):
        codes.normalise(bad)


@given(st.text(max_size=80))
def test_normalise_never_crashes(text):
    try:
        result = codes.normalise(text)
    except codes.BadCode:
        return
    assert codes.normalise(result) == result


def test_hash_is_the_same_for_every_spelling_and_hides_the_code():
    code = codes.new_code()
    assert codes.hash_code(code) == codes.hash_code(code.lower().replace("-", " "))
    assert code not in codes.hash_code(code)
    assert code.replace("-", "") not in codes.hash_code(code)


def test_only_the_hash_is_stored(store):
    session = journey.start(store, client=UNLIMITED)
    with store.read() as conn:
        row = conn.execute("SELECT * FROM candidates WHERE id = ?", (session.candidate_id,))
        values = [str(v) for v in tuple(row.fetchone())]
    assert codes.hash_code(session.code) in values
    assert not any(session.code in v or session.code.replace("-", "") in v for v in values)


def test_resume_with_unknown_code_says_so(store):
    with pytest.raises(journey.UnknownCode) as exc:
        journey.resume(store, codes.new_code())
    assert "couldn't find" in str(exc.value)


def test_resume_with_typed_variant_finds_the_latest_reflection(store):
    session = journey.start(store, client=UNLIMITED)
    newer = journey.new_reflection(store, session.candidate_id, client=UNLIMITED)
    found = journey.resume(store, session.code.lower().replace("-", ""))
    assert found.candidate_id == session.candidate_id
    assert found.reflection_id == newer


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:8501/welcome?utm_source=blog", "http://localhost:8501/?resume="),
        ("https://jobs.example.com/bounce/welcome#top", "https://jobs.example.com/bounce/?resume="),
        ("https://jobs.example.com/bounce/", "https://jobs.example.com/bounce/?resume="),
        ("https://jobs.example.com", "https://jobs.example.com/?resume="),
        ("https://jobs.example.com/feedback", "https://jobs.example.com/feedback/?resume="),
        (None, "?resume="),
        ("javascript:alert(1)", "?resume="),
    ],
)
def test_resume_link(url, expected):
    code = codes.new_code()
    assert codes.resume_link(code.lower(), url, "welcome") == expected + code
