"""The signed webhook: a real HTTP receiver on loopback checks each request with `verify`,
and the receiver's answers sort into "try again" and "refused for good"."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.delivery import DeliveryDeferred, DeliveryRefused
from core.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    BadSignature,
    BadWebhookUrl,
    StaleTimestamp,
    encode_body,
    post,
    signature,
    signed_headers,
    verify,
)

SECRET = "shared-secret-for-tests"
SENT_AT = dt.datetime(2026, 12, 4, 16, 30, 5, tzinfo=dt.UTC)
PAYLOAD = {"kind": "contact_request", "link": "https://app.example/reflection?id=7"}


class Receiver(ThreadingHTTPServer):
    """Checks each POST with `verify` against its own idea of now, keeps what it accepts, and
    answers `status` (a test sets it to a failure)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.now = SENT_AT + dt.timedelta(seconds=2)
        self.status = 204
        self.accepted: list[dict] = []
        self.rejected: list[str] = []
        self.paths: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/secret-path"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.paths.append(self.path)
        try:
            verify(
                SECRET,
                self.headers.get(TIMESTAMP_HEADER),
                body,
                self.headers.get(SIGNATURE_HEADER),
                now=self.server.now,
            )
        except (BadSignature, StaleTimestamp) as rejected:
            self.server.rejected.append(type(rejected).__name__)
            self.send_response(401)
        else:
            if self.server.status < 300:
                self.server.accepted.append(json.loads(body))
            self.send_response(self.server.status)
            if 300 <= self.server.status < 400:
                self.send_header("Location", "https://elsewhere.example/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def receiver():
    server = Receiver()
    # A short poll so that shutting down takes milliseconds, not half a second per test.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_signed_post_is_verified_and_received_once(receiver):
    assert post(receiver.url, PAYLOAD, SECRET, now=SENT_AT) == 204
    assert receiver.accepted == [PAYLOAD] and receiver.rejected == []
    assert receiver.paths == ["/hooks/secret-path"]


def test_a_receiver_with_another_secret_refuses_it_for_good(receiver):
    with pytest.raises(DeliveryRefused) as refused:
        post(receiver.url, PAYLOAD, "not-the-secret", now=SENT_AT)
    assert refused.value.code == 401
    assert receiver.rejected == ["BadSignature"] and receiver.accepted == []


def test_a_request_sent_long_ago_is_refused_as_a_replay(receiver):
    receiver.now = SENT_AT + dt.timedelta(minutes=10)
    with pytest.raises(DeliveryRefused):
        post(receiver.url, PAYLOAD, SECRET, now=SENT_AT)
    assert receiver.rejected == ["StaleTimestamp"]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (500, DeliveryDeferred),
        (503, DeliveryDeferred),
        (408, DeliveryDeferred),
        (429, DeliveryDeferred),
        (400, DeliveryRefused),
        (404, DeliveryRefused),
        (410, DeliveryRefused),
        (302, DeliveryRefused),
        (307, DeliveryRefused),
    ],
)
def test_the_receivers_answer_decides_between_later_and_never(receiver, status, outcome):
    receiver.status = status
    with pytest.raises(outcome) as failed:
        post(receiver.url, PAYLOAD, SECRET, now=SENT_AT)
    assert failed.value.code == status
    assert "secret-path" not in str(failed.value)  # a chat webhook's path is its secret
    assert receiver.accepted == []


def test_a_receiver_that_is_not_listening_means_try_again(receiver):
    url = receiver.url
    receiver.shutdown()
    receiver.server_close()
    with pytest.raises(DeliveryDeferred, match="Could not reach"):
        post(url, PAYLOAD, SECRET, now=SENT_AT)


def test_a_receiver_that_never_answers_means_try_again():
    with socket.socket() as silent:  # accepts connections (the backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        with pytest.raises(DeliveryDeferred, match="timed out"):
            post(url, PAYLOAD, SECRET, now=SENT_AT, timeout=0.3)


def test_an_empty_secret_signs_nothing():
    with pytest.raises(ValueError, match="shared secret"):
        signed_headers("", b"{}", SENT_AT)


@pytest.mark.parametrize(
    "url",
    ["http://chat.example/hook", "file:///etc/passwd", "ftp://chat.example/", "https:///x", ""],
)
def test_only_https_or_loopback_http_receivers_are_accepted(url):
    with pytest.raises(BadWebhookUrl):
        post(url, PAYLOAD, SECRET, now=SENT_AT)


# --- the signature itself -------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    import hashlib
    import hmac

    body = encode_body(PAYLOAD)
    headers = signed_headers(SECRET, body, SENT_AT)
    timestamp = str(int(SENT_AT.timestamp()))
    assert headers[TIMESTAMP_HEADER] == timestamp
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers[SIGNATURE_HEADER] == f"v1={expected.hexdigest()}"
    assert headers["Content-Type"].startswith("application/json")


def test_verify_accepts_the_genuine_request_and_nothing_altered():
    body = encode_body(PAYLOAD)
    timestamp = str(int(SENT_AT.timestamp()))
    good = signature(SECRET, timestamp, body)
    verify(SECRET, timestamp, body, good, now=SENT_AT)
    with pytest.raises(BadSignature):
        verify(SECRET, timestamp, body + b" ", good, now=SENT_AT)
    with pytest.raises(BadSignature):
        verify(SECRET, str(int(timestamp) + 1), body, good, now=SENT_AT)
    with pytest.raises(BadSignature):
        verify(SECRET, timestamp, body, good.replace("v1=", "v0="), now=SENT_AT)
    with pytest.raises(BadSignature):
        verify(SECRET, timestamp, body, None, now=SENT_AT)
    with pytest.raises(BadSignature):
        verify(SECRET, timestamp, body, "v1=ünïcode", now=SENT_AT)
    # During a change of secret the sender may sign with both; either entry will do.
    verify(SECRET, timestamp, body, f"v1={'0' * 64}, {good}", now=SENT_AT)


@pytest.mark.parametrize("timestamp", [None, "", "soon", "-5", "1.5", "１２３", "9" * 30])
def test_verify_refuses_an_unreadable_timestamp(timestamp):
    with pytest.raises(StaleTimestamp):
        verify(SECRET, timestamp, b"{}", "v1=00", now=SENT_AT)


def test_verify_refuses_timestamps_outside_the_tolerance_either_way():
    body = b"{}"
    tolerance = dt.timedelta(minutes=5)
    for offset in (tolerance, -tolerance):
        timestamp = str(int((SENT_AT + offset).timestamp()))
        verify(SECRET, timestamp, body, signature(SECRET, timestamp, body), SENT_AT, tolerance)
    for offset in (tolerance + dt.timedelta(seconds=1), -tolerance - dt.timedelta(seconds=1)):
        timestamp = str(int((SENT_AT + offset).timestamp()))
        with pytest.raises(StaleTimestamp):
            verify(SECRET, timestamp, body, signature(SECRET, timestamp, body), SENT_AT, tolerance)


def test_the_body_is_compact_sorted_utf8_json():
    assert encode_body({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()
