"""Reading a cookie route's body: a few dozen bytes of JSON, and never more than
MAX_BODY of anything, so a big POST cannot fill the process's memory."""

from __future__ import annotations

import json
from contextlib import aclosing
from typing import Any

from starlette.requests import Request

# The cookie routes' bodies are a few dozen bytes of JSON; anything past this is refused
# with 413 before it is read.
MAX_BODY = 1024


class BodyTooLarge(Exception):
    """A body longer than MAX_BODY (declared, or as it arrived)."""


def declares_too_much(request: Request) -> bool:
    declared = request.headers.get("content-length", "").strip()
    # Checked by length first: int() of thousands of digits is refused, and slow.
    return (
        declared.isascii()
        and declared.isdigit()
        and (len(declared) > len(str(MAX_BODY)) or int(declared) > MAX_BODY)
    )


async def small_body(request: Request) -> bytes:
    """The body, read piece by piece and given up on as soon as it passes MAX_BODY.

    `request.body()` would hold all of it in memory before anyone could look at its
    length; a chunked body has no Content-Length to check beforehand.
    """
    if declares_too_much(request):
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async with aclosing(request.stream()) as stream:
        async for chunk in stream:
            size += len(chunk)
            if size > MAX_BODY:
                raise BodyTooLarge
            chunks.append(chunk)
    return b"".join(chunks)


async def json_body(request: Request) -> dict[str, Any]:
    """The body as a JSON object; anything else reads as an empty one."""
    raw = await small_body(request)
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
