"""Consultant login state (filled in by the consultant-area work)."""

from __future__ import annotations

from typing import Any


def current_consultant() -> dict[str, Any] | None:
    return None
