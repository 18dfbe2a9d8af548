"""One real send: Django's SMTP backend, configured from an EMAIL_URL as production is, talks to an
SMTP server (aiosmtpd) that this test starts on a free port, which reads the message back."""

import email
import socket
from email import policy

import environ
import pytest
from aiosmtpd.controller import Controller

from accounts.tests.factories import UserFactory
from notifications.mail import send_after_commit

pytestmark = pytest.mark.django_db


class Collect:
    """An SMTP server's handler that keeps every message it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_an_email_goes_through_a_real_smtp_server(smtp_server, settings, django_capture_on_commit_callbacks):
    controller, received = smtp_server
    for name, value in environ.Env.email_url_config(f"smtp://{controller.hostname}:{controller.port}").items():
        setattr(settings, name, value)
    settings.DEFAULT_FROM_EMAIL = "Group planner <groups@example.org>"
    settings.SITE_URL = "https://groups.example.org"
    dana = UserFactory(username="dana", email="dana@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        send_after_commit("password_reset", to=dana)

    [envelope] = received.envelopes
    assert envelope.mail_from == "groups@example.org"
    assert envelope.rcpt_tos == ["dana@example.org"]
    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "Reset your Group planner password"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "https://groups.example.org/accounts/reset/" in text
    assert 'href="https://groups.example.org/accounts/reset/' in html
