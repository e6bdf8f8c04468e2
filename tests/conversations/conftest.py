from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import ConnectedAccount, InboundSettings, Provider

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
