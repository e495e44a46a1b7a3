"""Campaign parameters: hostile URLs are tamed, and the values survive page navigation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core import journey
from core.campaign import CAMPAIGN_KEYS, MAX_LEN, clean_campaign


def test_known_keys_kept_unknown_dropped():
    params = {
        "utm_source": "blog",
        "utm_medium": "organic",
        "utm_campaign": "job-rejection",
        "ref": "newsletter",
        "utm_term": "ignored",
        "resume": "ABCD-EFGH",
        "embed": "true",
    }
    assert clean_campaign(params) == {
        "utm_source": "blog",
        "utm_medium": "organic",
        "utm_campaign": "job-rejection",
        "ref": "newsletter",
    }


def test_hostile_values_become_plain_text():
    cleaned = clean_campaign(
        {
            "utm_source": "<script>alert(1)</script>",
            "utm_campaign": "\"'><img src=x onerror=alert(1)>",
            "utm_medium": "line\r\nbreak\x00nul\u202eRLO",
            "ref": "`whoami`",
        }
    )
    for value in cleaned.values():
        assert not set(value) & set("<>\"'`\r\n\x00\u202e")
    assert cleaned["utm_source"] == "scriptalert(1)/script"
    assert cleaned["utm_medium"] == "linebreaknulRLO"
    assert cleaned["ref"] == "whoami"


def test_long_values_are_cut():
    cleaned = clean_campaign({"utm_source": "a" * 10_000})
    assert cleaned == {"utm_source": "a" * MAX_LEN}


def test_repeated_key_uses_the_first_value_and_empties_are_dropped():
    assert clean_campaign({"utm_source": ["blog", "evil"], "utm_medium": []}) == {
        "utm_source": "blog"
    }
    assert clean_campaign({"utm_source": "   ", "utm_medium": "<>", "ref": 5}) == {}


@given(st.dictionaries(st.text(max_size=20), st.one_of(st.text(), st.lists(st.text()))))
def test_any_params_give_known_short_plain_values(params):
    cleaned = clean_campaign(params)
    assert set(cleaned) <= set(CAMPAIGN_KEYS)
    for value in cleaned.values():
        assert 0 < len(value) <= MAX_LEN
        assert not set(value) & set("<>\"'`")
        assert value == value.strip()


def test_utm_values_reach_the_reflection_after_navigating(app, store):
    app.query_params["utm_source"] = "blog"
    app.query_params["utm_medium"] = "<b>web</b>"
    app.query_params["utm_campaign"] = "job-rejection"
    at = app.run()
    assert not at.exception
    # Look around first: query parameters are gone once the visitor moves on.
    at.switch_page("views/step1_feedback.py").run()
    assert not at.exception
    at.switch_page("views/welcome.py").run()
    at.checkbox(key="consent_store").check().run()
    next(b for b in at.button if b.label == "Start my reflection").click().run()
    assert not at.exception
    session = at.session_state["candidate"]
    row = journey.reflection(store, session.reflection_id)
    assert row["utm_source"] == "blog"
    assert row["utm_medium"] == "bweb/b"
    assert row["utm_campaign"] == "job-rejection"
    assert row["ref"] is None
