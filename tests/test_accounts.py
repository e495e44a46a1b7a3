"""Consultant accounts: argon2id hashes, the password policy, duplicates, disabling, CLI."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from core import accounts
from core.cli import main

GOOD = "harbour lights at dusk"


def test_password_is_stored_as_an_argon2id_hash(store):
    accounts.add_consultant(store, "alice", GOOD, display_name="Alice")
    stored = accounts.get_by_username(store, "alice")["password_hash"]
    assert stored.startswith("$argon2id$")
    assert GOOD not in stored
    assert PasswordHasher().verify(stored, GOOD)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("", "empty"),
        ("short one", "at least 12"),
        ("x" * 257, "at most 256"),
        ("password1234", "most common"),
        ("Password2024!", "most common"),
        ("qwertyuiop123", "most common"),
        ("123456789012", "most common"),
        ("Welcome!!2025", "most common"),
        ("aaaaaaaaaaaaaaa", "too few"),
        ("abababababab12", "too few"),
        ("line\nbreak in it", "control character"),
    ],
)
def test_weak_or_broken_passwords_are_refused_with_the_reason(store, password, why):
    with pytest.raises(ValueError, match=why):
        accounts.add_consultant(store, "bob", password)
    assert accounts.get_by_username(store, "bob") is None


def test_password_may_not_contain_the_username(store):
    with pytest.raises(ValueError, match="username"):
        accounts.add_consultant(store, "marguerite", "Marguerite-rules-77")


def test_a_good_password_is_accepted(store):
    accounts.add_consultant(store, "carol", "tea & biscuits at four")
    assert accounts.get_by_username(store, "carol")["disabled"] == 0


def test_duplicate_username_is_refused_even_in_other_case(store):
    accounts.add_consultant(store, "dana", GOOD)
    with pytest.raises(ValueError, match="already exists"):
        accounts.add_consultant(store, "DANA", GOOD + " again")
    assert len(accounts.list_consultants(store)) == 1


@pytest.mark.parametrize(
    "username", ["admin' OR 1=1 --", "a", "robert'); DROP TABLE consultants;--", "x" * 65, ""]
)
def test_odd_usernames_are_refused(store, username):
    with pytest.raises(ValueError, match="Usernames are"):
        accounts.add_consultant(store, username, GOOD)
    assert accounts.list_consultants(store) == []


def test_bad_email_and_long_display_name_are_refused(store):
    with pytest.raises(ValueError, match="e-mail"):
        accounts.add_consultant(store, "erin", GOOD, email="not-an-address")
    with pytest.raises(ValueError, match="display name"):
        accounts.add_consultant(store, "erin", GOOD, display_name="E" * 81)


def test_disable_and_list(store):
    accounts.add_consultant(store, "frank", GOOD, display_name="Frank", email="F@Example.com")
    accounts.add_consultant(store, "gina", GOOD)
    accounts.disable_consultant(store, "frank")
    listed = {c["username"]: c for c in accounts.list_consultants(store)}
    assert listed["frank"]["disabled"] == 1 and listed["gina"]["disabled"] == 0
    assert listed["frank"]["email"] == "f@example.com"
    assert all("password_hash" not in c for c in listed.values())
    assert [c["username"] for c in accounts.active_consultants(store)] == ["gina"]


def test_disabling_someone_unknown_says_so(store):
    with pytest.raises(ValueError, match="no consultant called"):
        accounts.disable_consultant(store, "nobody")


# ---------------------------------------------------------------- command line


def answers(*values):
    it = iter(values)
    return lambda prompt: next(it)


def test_cli_add_list_disable(db_path, store, capsys):
    db = ["--db", store.path]
    assert main([*db, "add-consultant", "hana", "--name", "Hana"], answers(GOOD, GOOD)) == 0
    assert "Created consultant 'hana'" in capsys.readouterr().out
    assert main([*db, "list-consultants"]) == 0
    out = capsys.readouterr().out
    assert "hana\tHana\tactive" in out
    assert "argon2" not in out
    assert main([*db, "disable-consultant", "hana"]) == 0
    capsys.readouterr()
    main([*db, "list-consultants"])
    assert "hana\tHana\tdisabled" in capsys.readouterr().out


def test_cli_refuses_mismatched_and_weak_passwords(db_path, store, capsys):
    db = ["--db", store.path]
    assert main([*db, "add-consultant", "ivan"], answers(GOOD, GOOD + "!")) == 1
    assert "differ" in capsys.readouterr().err
    assert main([*db, "add-consultant", "ivan"], answers("password1234", "password1234")) == 1
    err = capsys.readouterr().err
    assert "most common" in err and "Nothing was created" in err
    assert accounts.list_consultants(store) == []


def test_cli_duplicate_and_unknown(db_path, store, capsys):
    db = ["--db", store.path]
    assert main([*db, "add-consultant", "jo"], answers(GOOD, GOOD)) == 0
    assert main([*db, "add-consultant", "jo"], answers(GOOD, GOOD)) == 1
    assert "already exists" in capsys.readouterr().err
    assert main([*db, "disable-consultant", "ghost"]) == 1
    assert "no consultant called" in capsys.readouterr().err


def test_cli_list_when_empty(db_path, store, capsys):
    assert main(["--db", store.path, "list-consultants"]) == 0
    assert "No consultants yet" in capsys.readouterr().out
