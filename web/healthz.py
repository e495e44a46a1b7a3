"""`/healthz`: 200 only when the database answers, for the proxy's health checks."""

from __future__ import annotations

import logging

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from core import health
from core.settings import load_settings
from core.store import open_store

log = logging.getLogger("bounce_back.server")


def database_answers() -> bool:
    """The start-up check passed (`core.health`, re-run while failing) and a simple read
    through the store answers now."""
    settings = load_settings()
    if not health.status(settings.db_path).ok:
        return False
    try:
        with open_store(settings.db_path).read() as conn:
            conn.execute("SELECT COUNT(*) FROM candidates WHERE id = 0").fetchone()
        return True
    except Exception:  # any failure to answer means unhealthy; the reason is logged
        log.exception("health check: the database did not answer")
        return False


async def healthz(_request: Request) -> Response:
    if await to_thread.run_sync(database_answers):
        return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})
    return PlainTextResponse(
        "database unavailable", status_code=503, headers={"Cache-Control": "no-store"}
    )
