"""Two app processes on PostgreSQL send each notification once.

Two real OS processes run the app's sender pass (`web.sender.Sender.run_once`, what the
lifespan's thread runs) in a loop against the same PostgreSQL database, started at the
same moment on a pile of due outbox rows, delivering to a real SMTP server on loopback.
Every message must arrive exactly once (counted by Message-ID) and both processes must
have taken part. Skips where PostgreSQL is not installed, like the other PostgreSQL tests.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from smtp_recorder import Recorder

from core import journey, outbox
from core.limits import UNLIMITED
from core.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
REFLECTIONS = 5
ROWS_EACH = 40  # 200 notifications in all: several passes' worth for each process

# One sending process: it opens the store, says it is ready, waits for the word, then runs
# the sender's pass until nothing is left for it to claim, and prints how many it sent.
_SENDER = r"""
import sys

from core import outbox
from core.clock import system_clock
from core.settings import load_settings
from core.store import open_store
from web.sender import Sender

sender = Sender(every_seconds=3600)  # never started: its pass is run here, in a loop
store = open_store(load_settings().db_path)
print("ready", flush=True)
sys.stdin.readline()
sent = 0
while True:
    outcome = sender.run_once()
    if outcome is None:
        sys.exit("a pass could not run")
    if outcome.retrying or outcome.refused:
        sys.exit(f"a delivery failed: {outcome}")
    sent += outcome.sent
    if not outbox.due_rows(store, system_clock()):
        break
print(sent, flush=True)
"""


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"])
def test_two_sender_processes_on_postgres_deliver_every_message_exactly_once(
    store, database, smtp_server, monkeypatch
):
    recorder = Recorder()
    server = smtp_server(recorder)
    mail_url = f"smtp://127.0.0.1:{server.port}?starttls=0"
    monkeypatch.setenv("BOUNCE_BACK_NOTIFY_MAIL_URL", mail_url)
    monkeypatch.setenv("BOUNCE_BACK_NOTIFY_TEAM_EMAIL", "team@harbour.example")
    monkeypatch.setenv("BOUNCE_BACK_NOTIFY_FROM", "queue@harbour.example")
    monkeypatch.delenv("BOUNCE_BACK_NOTIFY_WEBHOOK_URL", raising=False)
    settings = load_settings()
    for _ in range(REFLECTIONS):
        rid = journey.start(store, {}, client=UNLIMITED).reflection_id
        with store.write() as conn:
            for _ in range(ROWS_EACH):
                outbox.enqueue(
                    conn,
                    event=outbox.CONTACT_REQUEST,
                    reflection_id=rid,
                    reason_codes=["asked_to_talk"],
                    now="2026-12-01T09:00:00+00:00",
                    settings=settings,
                )
    with store.read() as conn:
        row_ids = [row[0] for row in conn.execute("SELECT id FROM outbox ORDER BY id")]
    assert len(row_ids) == REFLECTIONS * ROWS_EACH

    env = {**os.environ, "BOUNCE_BACK_DATABASE_URL": database}
    senders = [
        subprocess.Popen(
            [sys.executable, "-c", _SENDER],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for sender in senders:
            assert sender.stdout.readline().strip() == "ready"
        for sender in senders:  # both start on the same pile at once
            sender.stdin.write("go\n")
            sender.stdin.flush()
        outputs = [sender.communicate(timeout=120)[0] for sender in senders]
    finally:
        for sender in senders:
            if sender.poll() is None:
                sender.kill()
    assert [sender.returncode for sender in senders] == [0, 0]
    sent_by = [int(output.strip()) for output in outputs]

    ids = Counter(
        email.message_from_bytes(envelope.original_content)["Message-ID"]
        for envelope in recorder.received
    )
    expected = {f"<bounce-back.outbox.{row_id}@harbour.example>" for row_id in row_ids}
    assert set(ids) == expected
    assert [mid for mid, times in ids.items() if times > 1] == []
    assert sum(sent_by) == len(row_ids)
    assert min(sent_by) > 0, f"one process sent everything: {sent_by}"
    with store.read() as conn:
        unsent = conn.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
    assert unsent == 0
