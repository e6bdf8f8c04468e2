import hashlib
import hmac
import time

import pytest
from django.core.cache import cache

from conversations.slack.client import slack_workspace_forget
from conversations.slack.services import slack_settings_save

from .fake_slack import TOKEN, fake_slack_start

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
