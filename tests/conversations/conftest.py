import pytest

from conversations.models import InboundSettings


@pytest.fixture
def inbound(db):
    """The workspace's inbound settings, the team at team.example."""
    config = InboundSettings.load()
    config.team_domains = ["team.example"]
    config.save()
    return config


class _Inbox:
    """What the SMTP server received: envelopes and parsed messages."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        from email import policy
        from email.parser import BytesParser

        return [BytesParser(policy=policy.default).parsebytes(e.content) for e in self.envelopes]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1, and Django's SMTP backend pointed at it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    inbox.controller = controller
    yield inbox
    controller.stop()
