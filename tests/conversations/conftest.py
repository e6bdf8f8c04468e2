import hashlib
import hmac
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from conversations.models import ConnectedAccount, InboundSettings, Provider
from conversations.slack.client import slack_workspace_forget
from conversations.slack.services import slack_settings_save

from .fake_slack import TOKEN, fake_slack_start
from .fakes import FakeServer


@pytest.fixture
def inbound(db):
    """The workspace's inbound settings, the team at team.example."""
    config = InboundSettings.load()
    config.team_domains = ["team.example"]
    config.save()
    return config


@pytest.fixture(scope="session")
def fake_server():
    server = FakeServer()
    yield server
    server.shutdown()


@pytest.fixture
def fake(fake_server, settings):
    """The fake Google / Microsoft server, fresh state, with settings pointing at it."""
    fake_server.reset()
    for name, value in fake_server.settings_overrides().items():
        setattr(settings, name, value)
    return fake_server


@pytest.fixture
def connect(fake, csm_user):
    """`connect(provider, user=...)`: a connection whose tokens the fake accepts."""

    def make(provider: str = Provider.GOOGLE, *, user=None, email: str | None = None) -> ConnectedAccount:
        access, refresh = f"acc-{provider}-{len(fake.state.access)}", f"ref-{provider}-{len(fake.state.refresh)}"
        fake.state.access[access] = provider
        fake.state.refresh[refresh] = provider
        connection = ConnectedAccount(
            user=user or csm_user,
            provider=provider,
            email=email or fake.state.email,
            expires_at=timezone.now() + timedelta(hours=1),
        )
        connection.access_token = access
        connection.refresh_token = refresh
        connection.save()
        return connection

    return make


@pytest.fixture
def make_meeting(connect):
    """`make_meeting(account, starts_in=timedelta, title=...)`: a stored upcoming meeting."""
    from conversations.models import Meeting

    made = {"n": 0, "connection": None}

    def make(account, *, starts_in=timedelta(days=1), title="Quarterly review", connection=None, contact=None):
        made["n"] += 1
        if connection is None:
            made["connection"] = made["connection"] or connect(Provider.GOOGLE)
            connection = made["connection"]
        start = timezone.now() + starts_in
        return Meeting.objects.create(
            connection=connection,
            external_id=f"ev-{made['n']}",
            account=account,
            contact=contact,
            title=title,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            attendees=[{"email": "ana@acme.example", "name": "Ana", "customer": True}],
        )

    return make


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


SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def fake_slack():
    fake = fake_slack_start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def slack(db, fake_slack, django_capture_on_commit_callbacks):
    """The Slack app set up against the local fake."""
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workspace = slack_settings_save(
            bot_token=TOKEN, signing_secret=SIGNING_SECRET, default_channel="C0CS", api_url=fake_slack.api_url
        )
    yield workspace
    slack_workspace_forget()


def signed_headers(body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    """Slack's request signature (https://api.slack.com/authentication/verifying-requests-from-slack)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": str(timestamp), "HTTP_X_SLACK_SIGNATURE": signature}
