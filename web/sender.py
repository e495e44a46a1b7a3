"""The notification sender inside the app process: staff notifications
(`core.outbox`), candidate reminders (`core.reminders`) and the daily digest
(`core.digest`), every `notify_every_seconds`, on a daemon thread the lifespan starts
and stops. Several
processes may each run one: a row is claimed before it is sent, so it goes once.
Operators who prefer cron set the interval to 0 and run `bounce-back send-due`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from core import digest, outbox, reminders
from core.settings import load_settings
from core.store import STORE_ERRORS, open_store

log = logging.getLogger("bounce_back.sender")


class Sender:
    def __init__(self, every_seconds: float) -> None:
        self.every_seconds = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bounce-back-sender", daemon=True)

    def start(self) -> Sender:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self.every_seconds):
            # Each pass on its own: one that fails leaves the others to run.
            self.run_once()
            self.remind_once()
            self.digest_once()

    def run_once(self) -> outbox.Outcome | None:
        """Staff notifications (core/outbox.py)."""
        return _one_pass("notifications", outbox.send_due)

    def remind_once(self) -> reminders.Outcome | None:
        """The candidate reminders pass (core/reminders.py), on the same beat."""
        return _one_pass("reminders", reminders.run_pass)

    def digest_once(self) -> outbox.Outcome | None:
        """The consultants' daily digest (core/digest.py): sent once a day at its hour."""
        return _one_pass("digest", digest.run_pass)


def _one_pass(name: str, run_pass: Callable[[Any, Any], Any]) -> Any:
    """Run one pass against the store; its outcome, or None when it could not run."""
    settings = load_settings()
    try:
        outcome = run_pass(open_store(settings.db_path), settings)
    except STORE_ERRORS:
        # The database is away: the rows wait where they are; the next pass retries.
        log.warning("%s: the database did not answer; trying again later", name)
        return None
    except Exception:  # a bug must not end the loop: the next pass tries again
        log.exception("%s: a pass failed", name)
        return None
    if outcome.retrying or outcome.refused:
        log.warning(
            "%s: %s sent, %s to retry, %s refused",
            name,
            getattr(outcome, "sent", 0),
            outcome.retrying,
            outcome.refused,
        )
    return outcome


def start_sender() -> Sender | None:
    every = load_settings().notify_every_seconds
    return Sender(every).start() if every > 0 else None
