"""Notification mail: built safely (no header can be forged) and delivered through a real SMTP
server on loopback (aiosmtpd), or written to the outbox folder, with every failure sorted
into "try again" or "refused for good"."""

from __future__ import annotations

import datetime as dt
import email
import shutil
import socket
import ssl
import subprocess
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from smtp_recorder import Recorder, free_port

from core.addresses import AddressError
from core.delivery import (
    DEFAULT_DELIVERY_URL,
    BadDeliveryUrl,
    DeliveryDeferred,
    DeliveryRefused,
    FileTransport,
    deliver,
    redact,
    transport_for,
)
from core.mail import (
    ONE_CLICK,
    BadUnsubscribeLink,
    Sender,
    UnsafeHeaderValue,
    Unsubscribe,
    build_message,
    html_from_text,
)

WRITTEN_AT = dt.datetime(2026, 12, 4, 16, 30, 5, tzinfo=dt.UTC)
AGENCY = Sender("Harbour Recruitment", "notify@harbour.example")
HOSTILE = "x\r\nBcc: victim@example.com"
PASSWORD = "s3cret-Pa55"


def a_message(**changes):
    arguments = {
        "sender": AGENCY,
        "to": "team@harbour.example",
        "subject": "New contact request: asked to talk",
        "body": "Someone asked to talk.\n\nOpen it: https://app.harbour.example/reflection?id=7",
        "written_at": WRITTEN_AT,
        "unsubscribe": None,
    }
    return build_message(**(arguments | changes))


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


# --- building ----------------------------------------------------------------------------


def test_the_message_has_the_agency_as_sender_a_real_id_and_the_given_date():
    message = parsed(a_message().as_bytes())
    assert message["From"].addresses[0].display_name == "Harbour Recruitment"
    assert message["From"].addresses[0].addr_spec == "notify@harbour.example"
    assert message["To"] == "team@harbour.example"
    assert message["Subject"] == "New contact request: asked to talk"
    assert message["Date"].datetime == WRITTEN_AT
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith(
        "@harbour.example>"
    )
    assert a_message()["Message-ID"] != a_message()["Message-ID"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in message


def test_the_body_is_plain_text_with_an_escaped_html_twin():
    body = "Hello <script>alert(1)</script> & bye\n\nhttps://app.example/a?b=1&c='2'x."
    message = parsed(a_message(body=body).as_bytes())
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert plain == body + "\n"
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; bye" in html
    assert '<a href="https://app.example/a?b=1&amp;c=&#x27;2&#x27;x">' in html
    assert "</a>." in html  # the full stop ends the sentence, not the link
    assert "<img" not in html


def test_links_are_left_as_written_and_only_https_ones_become_clickable():
    html = html_from_text(
        "Go to https://app.example/plan, not javascript:alert(1) or http://x.example"
    )
    assert html.count("<a ") == 1
    assert '<a href="https://app.example/plan">https://app.example/plan</a>,' in html
    assert "javascript:alert(1)" in html and "http://x.example" in html


def test_stray_control_characters_in_the_body_are_dropped_and_line_ends_made_plain():
    message = a_message(body="One\r\nTwo\rThree\x00\x1b[31m\tend")
    assert message.get_body(("plain",)).get_content() == "One\nTwo\nThree[31m\tend\n"


def test_one_click_unsubscribe_headers_follow_rfc_8058():
    link = "https://app.harbour.example/unsubscribe?token=" + "t" * 150
    message = a_message(unsubscribe=Unsubscribe(link, mailto="unsubscribe@harbour.example"))
    raw = message.as_bytes()
    assert f"List-Unsubscribe: <{link}>,".encode() in raw  # one piece: never encoded or cut
    read_back = parsed(raw)
    assert read_back["List-Unsubscribe"] == (
        f"<{link}>, <mailto:unsubscribe@harbour.example?subject=unsubscribe>"
    )
    assert read_back["List-Unsubscribe-Post"] == ONE_CLICK == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize(
    "link",
    [
        "http://app.example/unsubscribe",
        "mailto:x@example.com",
        "https:///no-host",
        "https://app.example/a b",
        "https://app.example/a>,<https://evil.example/",
        "https://app.example/" + "a" * 1000,
    ],
)
def test_an_unsubscribe_link_must_be_one_plain_https_url(link):
    with pytest.raises(BadUnsubscribeLink):
        a_message(unsubscribe=Unsubscribe(link))


def test_plain_http_is_allowed_only_for_an_app_on_this_machine():
    message = a_message(unsubscribe=Unsubscribe("http://localhost:8501/_bb/unsubscribe?t=1"))
    assert message["List-Unsubscribe"] == "<http://localhost:8501/_bb/unsubscribe?t=1>"
    with pytest.raises(BadUnsubscribeLink):
        a_message(unsubscribe=Unsubscribe("http://localhost.example/_bb/unsubscribe"))


@pytest.mark.parametrize(
    "hostile",
    [
        {"sender": Sender(HOSTILE, "notify@harbour.example")},
        {"sender": Sender("Harbour", HOSTILE)},
        {"sender": Sender("Harbour", "notify@harbour.example" + HOSTILE)},
        {"to": HOSTILE},
        {"to": "team@harbour.example" + HOSTILE},
        {"subject": HOSTILE},
        {"subject": "Hello\nBcc: victim@example.com"},
        {"subject": "Hello\rBcc: victim@example.com"},
        {"subject": "Hello\u2028Bcc: victim@example.com"},
        {"unsubscribe": Unsubscribe("https://app.example/u" + HOSTILE)},
        {"unsubscribe": Unsubscribe("https://app.example/u", mailto="u@app.example" + HOSTILE)},
    ],
    ids=lambda hostile: next(iter(hostile)),
)
def test_a_line_break_in_any_header_value_is_refused(hostile):
    with pytest.raises(UnsafeHeaderValue):
        a_message(**hostile)


def test_refused_values_never_reach_a_header_even_through_other_checks():
    with pytest.raises(AddressError):
        a_message(to="Victim <victim@example.com>")
    with pytest.raises(AddressError):
        a_message(sender=Sender("Harbour", "notify@harbour.example, victim@example.com"))
    with pytest.raises(ValueError, match="aware"):
        a_message(written_at=dt.datetime(2026, 12, 4, 16, 30))
    with pytest.raises(ValueError, match="subject"):
        a_message(subject="   ")


def test_a_name_with_punctuation_or_accents_stays_a_name():
    sender = Sender('Harbour, "Recruitment" <Ltd> — Équipe', "notify@harbour.example")
    message = parsed(a_message(sender=sender).as_bytes())
    (only,) = message["From"].addresses
    assert only.display_name == 'Harbour, "Recruitment" <Ltd> — Équipe'
    assert only.addr_spec == "notify@harbour.example"


# --- a real SMTP server on loopback --------------------------------------------------------


def check_login(server, session, envelope, mechanism, auth_data):
    good = isinstance(auth_data, LoginPassword) and auth_data == (b"mailer", PASSWORD.encode())
    return AuthResult(success=good, handled=False)  # handled=False: aiosmtpd answers 535


def test_a_message_arrives_once_with_its_headers(smtp_server):
    recorder = Recorder()
    server = smtp_server(recorder)
    link = "https://app.harbour.example/unsubscribe?token=abc"
    message = a_message(unsubscribe=Unsubscribe(link))
    receipt = deliver(message, f"smtp://127.0.0.1:{server.port}?starttls=0")
    assert receipt.where == f"smtp://127.0.0.1:{server.port}" and receipt.refused == ()
    (envelope,) = recorder.received
    assert envelope.mail_from == "notify@harbour.example"
    assert envelope.rcpt_tos == ["team@harbour.example"]
    arrived = parsed(envelope.original_content)
    assert arrived["Message-ID"] == message["Message-ID"]
    assert arrived["Subject"] == "New contact request: asked to talk"
    assert arrived["Date"].datetime == WRITTEN_AT
    assert arrived["List-Unsubscribe"] == f"<{link}>"
    assert arrived["List-Unsubscribe-Post"] == ONE_CLICK
    assert arrived.get_body(("plain",)).get_content().startswith("Someone asked to talk.")
    assert "Bcc" not in arrived


def test_a_server_that_is_not_listening_means_try_again():
    with pytest.raises(DeliveryDeferred) as deferred:
        deliver(a_message(), f"smtp://mailer:{PASSWORD}@127.0.0.1:{free_port()}?starttls=0")
    assert PASSWORD not in str(deferred.value)
    assert "mailer:***@127.0.0.1" in str(deferred.value)


def test_a_server_that_never_answers_means_try_again():
    with socket.socket() as silent:  # accepts connections (the backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"smtp://127.0.0.1:{silent.getsockname()[1]}?starttls=0"
        with pytest.raises(DeliveryDeferred, match="timed out"):
            deliver(a_message(), url, timeout=0.3)


def test_a_permanent_refusal_of_the_recipient_is_refused_for_good(smtp_server):
    server = smtp_server(Recorder(rcpt_reply="550 5.1.1 No such mailbox"))
    with pytest.raises(DeliveryRefused) as refused:
        deliver(a_message(), f"smtp://127.0.0.1:{server.port}?starttls=0")
    assert refused.value.code == 550 and "No such mailbox" in str(refused.value)


def test_a_busy_mailbox_means_try_again(smtp_server):
    server = smtp_server(Recorder(rcpt_reply="450 4.2.1 Mailbox busy"))
    with pytest.raises(DeliveryDeferred) as deferred:
        deliver(a_message(), f"smtp://127.0.0.1:{server.port}?starttls=0")
    assert deferred.value.code == 450


def test_a_temporary_failure_after_the_data_means_try_again(smtp_server):
    recorder = Recorder(data_reply="451 4.3.0 Try again later")
    server = smtp_server(recorder)
    url = f"smtp://127.0.0.1:{server.port}?starttls=0"
    with pytest.raises(DeliveryDeferred) as deferred:
        deliver(a_message(), url)
    assert deferred.value.code == 451 and recorder.received == []
    recorder.data_reply = ""  # the server recovers: the same message goes through
    deliver(a_message(), url)
    assert len(recorder.received) == 1


def test_a_permanent_failure_after_the_data_is_refused_for_good(smtp_server):
    server = smtp_server(Recorder(data_reply="554 5.7.1 Message rejected as spam"))
    with pytest.raises(DeliveryRefused) as refused:
        deliver(a_message(), f"smtp://127.0.0.1:{server.port}?starttls=0")
    assert refused.value.code == 554


def test_a_wrong_password_is_for_the_operator_to_fix_and_is_never_shown(smtp_server):
    recorder = Recorder()
    server = smtp_server(recorder, authenticator=check_login, auth_require_tls=False)
    with pytest.raises(DeliveryDeferred) as deferred:
        deliver(a_message(), f"smtp://mailer:wrong-{PASSWORD}@127.0.0.1:{server.port}?starttls=0")
    assert PASSWORD not in str(deferred.value) and "login" in str(deferred.value)
    deliver(a_message(), f"smtp://mailer:{PASSWORD}@127.0.0.1:{server.port}?starttls=0")
    assert len(recorder.received) == 1


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by the openssl command (OpenSSL reads
    the real clock, so the calendar-moved pass cannot make it look expired or future)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed: no certificate for the TLS cases")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def server_tls(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_starttls_then_login_delivers(smtp_server, certificate):
    recorder = Recorder()
    server = smtp_server(
        recorder,
        tls_context=server_tls(certificate),
        require_starttls=True,
        authenticator=check_login,
    )
    trusting_our_certificate = ssl.create_default_context(cafile=str(certificate[0]))
    url = f"smtp://mailer:{PASSWORD}@127.0.0.1:{server.port}"
    deliver(a_message(), url, tls_context=trusting_our_certificate)
    assert len(recorder.received) == 1
    # With the system's authorities only, the self-signed server is not trusted: no mail,
    # no password sent, and a reason the operator can act on.
    with pytest.raises(DeliveryDeferred, match="TLS") as deferred:
        deliver(a_message(), url)
    assert PASSWORD not in str(deferred.value) and len(recorder.received) == 1


def test_a_server_without_starttls_gets_nothing_in_clear(smtp_server):
    recorder = Recorder()
    server = smtp_server(recorder)
    with pytest.raises(DeliveryDeferred, match="STARTTLS"):
        deliver(a_message(), f"smtp://127.0.0.1:{server.port}")
    assert recorder.received == []


def test_smtps_delivers_inside_tls_from_the_first_byte(smtp_server, certificate):
    recorder = Recorder()
    server = smtp_server(recorder, ssl_context=server_tls(certificate))
    trusting_our_certificate = ssl.create_default_context(cafile=str(certificate[0]))
    deliver(a_message(), f"smtps://127.0.0.1:{server.port}", tls_context=trusting_our_certificate)
    assert len(recorder.received) == 1


# --- the outbox folder and the setting ------------------------------------------------------


def test_the_outbox_folder_gets_one_whole_eml_file_per_message(tmp_path):
    folder = tmp_path / "outbox"
    message = a_message()
    receipt = deliver(message, folder.as_uri())
    (written,) = folder.iterdir()
    assert receipt.where == str(written)
    assert written.name.startswith("20261204T163005+0000-") and written.suffix == ".eml"
    assert parsed(written.read_bytes())["Message-ID"] == message["Message-ID"]
    deliver(message, folder.as_uri())  # the same message again replaces its own file
    deliver(a_message(), folder.as_uri())
    assert len(list(folder.iterdir())) == 2  # no temporary files left behind
    assert folder.stat().st_mode & 0o077 == 0 and written.stat().st_mode & 0o077 == 0


def test_an_unwritable_outbox_means_try_again(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(DeliveryDeferred, match="Could not write"):
        FileTransport(blocker / "outbox").send(a_message())


def test_the_default_writes_to_the_projects_data_outbox():
    assert DEFAULT_DELIVERY_URL.startswith("file:///")
    assert DEFAULT_DELIVERY_URL.endswith("/data/outbox")
    transport = transport_for(DEFAULT_DELIVERY_URL)
    assert isinstance(transport, FileTransport) and transport.folder.parts[-2:] == (
        "data",
        "outbox",
    )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example", "smtp://, smtps:// or file://"),
        ("smtp://", "names no server"),
        ("smtp://mail.example:99999", "bad port"),
        ("smtp://mail.example?starttls=0", "only for a server on this machine"),
        ("file://data/outbox", "absolute folder"),
        ("file:relative/outbox", "absolute folder"),
    ],
)
def test_a_bad_setting_is_named_with_what_to_change(url, says):
    with pytest.raises(BadDeliveryUrl, match=says):
        transport_for(url)


def test_the_setting_reads_ports_and_encoded_credentials():
    transport = transport_for("smtp://me%40agency.example:p%3Ass%2Fw@mail.example")
    assert (transport.host, transport.port, transport.starttls) == ("mail.example", 587, True)
    assert (transport.username, transport.password) == ("me@agency.example", "p:ss/w")
    assert "p:ss/w" not in repr(transport) and "p%3Ass" not in repr(transport)
    implicit = transport_for("smtps://mail.example")
    assert (implicit.port, implicit.implicit_tls, implicit.starttls) == (465, True, False)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"smtp://mailer:{PASSWORD}@mail.example:587", "smtp://mailer:***@mail.example:587"),
        (f"smtps://:{PASSWORD}@mail.example", "smtps://:***@mail.example"),
        ("smtp://mailer@mail.example", "smtp://mailer@mail.example"),
        ("file:///srv/outbox", "file:///srv/outbox"),
        ("https://hooks.chat.example/services/T0/B0/secretpath", "https://hooks.chat.example/…"),
        (f"https://u:{PASSWORD}@[::1]:8443/x", "https://[::1]:8443/…"),
    ],
)
def test_redact_hides_passwords_and_webhook_paths(url, shown):
    assert redact(url) == shown
