"""conversations 0004: IMAP passwords encrypted, Slack and Teams secrets moved onto the one key."""

import base64
import hashlib

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("conversations", "0003_slack_teams")]
AFTER = [("conversations", "0004_imap_password_encrypted")]


def _old_encrypt(secret_key: str, value: str) -> str:
    key = base64.urlsafe_b64encode(hashlib.sha256(f"conversations:{secret_key}".encode()).digest())
    return Fernet(key).encrypt(value.encode()).decode()


def test_plain_passwords_and_old_secrets_are_carried_over(settings):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old_apps.get_model("conversations", "ImapMailbox").objects.create(
        name="support", host="imap.example.com", username="support", password="pa55"
    )
    old_apps.get_model("conversations", "SlackWorkspace").objects.create(
        bot_token_encrypted=_old_encrypt(settings.SECRET_KEY, "xoxb-9"), signing_secret_encrypted="garbage"
    )
    old_apps.get_model("conversations", "TeamsWebhook").objects.create(
        name="cs", url_encrypted=_old_encrypt(settings.SECRET_KEY, "https://teams.example/hook")
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from conversations.models import ImapMailbox, SlackWorkspace, TeamsWebhook

    mailbox = ImapMailbox.objects.get()
    assert mailbox.password == "pa55" and "pa55" not in mailbox.password_enc
    workspace = SlackWorkspace.objects.get()
    assert workspace.bot_token == "xoxb-9"
    assert workspace.signing_secret == ""  # unreadable before, empty after, as it read
    assert TeamsWebhook.objects.get().url == "https://teams.example/hook"
