"""Shared fixtures: a fresh database per test, and AppTest wired to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "bounce_back.db"
    monkeypatch.setenv("BOUNCE_BACK_DB_PATH", str(path))
    return path


@pytest.fixture
def store(db_path) -> Store:
    return open_store(db_path)


@pytest.fixture
def app(db_path):
    """An AppTest of the whole app (navigation included), on a fresh database."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
