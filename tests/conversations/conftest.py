import pytest

from conversations.models import InboundSettings


@pytest.fixture
def inbound(db):
    """The workspace's inbound settings, the team at team.example."""
    config = InboundSettings.load()
    config.team_domains = ["team.example"]
    config.save()
    return config
