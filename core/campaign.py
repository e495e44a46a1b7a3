"""Where a candidate came from: the first URL's campaign parameters, cleaned.

Query parameters are attacker-controlled. Only known keys are kept, each cut to a
short length and reduced to plain text; everything else is ignored.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

CAMPAIGN_KEYS = ("utm_source", "utm_medium", "utm_campaign", "ref")
# How consultants see "came without a campaign" in filters, counts and exports.
NO_CAMPAIGN = "(none)"
MAX_LEN = 100


def _plain(value: str) -> str:
    kept = "".join(
        ch for ch in value if unicodedata.category(ch)[0] not in ("C",) and ch not in "<>\"'`"
    )
    return kept.strip()[:MAX_LEN]


def clean_campaign(params: Mapping[str, Any]) -> dict[str, str]:
    """Known campaign keys only, plain text, at most MAX_LEN characters each.

    A repeated key arrives as a list; its first value is used.
    """
    out: dict[str, str] = {}
    for key in CAMPAIGN_KEYS:
        value = params.get(key)
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        if not isinstance(value, str):
            continue
        cleaned = _plain(value[: MAX_LEN * 4])
        if cleaned:
            out[key] = cleaned
    return out
