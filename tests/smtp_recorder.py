"""A real SMTP server on loopback for tests (aiosmtpd): what it accepted, and the reply
it gives instead when a test wants a refusal. The `smtp_server` fixture (conftest.py)
starts one."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

from aiosmtpd.smtp import Envelope


@dataclass
class Recorder:
    """An aiosmtpd handler keeping what it accepts; a reply set here is given instead."""

    rcpt_reply: str = ""
    data_reply: str = ""
    received: list[Envelope] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        self.received.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
