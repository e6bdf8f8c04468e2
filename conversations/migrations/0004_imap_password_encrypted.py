"""IMAP passwords encrypted at rest, and one key for every conversations secret: the Slack and
Teams secrets were stored under a key derived from CONVERSATIONS_SECRET_KEY (else SECRET_KEY);
they are re-encrypted under PULSE_CONVERSATIONS_KEY (conversations.crypto). A value that no
longer decrypts under the old key stays empty, as it read before (the admin enters it again)."""

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import migrations, models


def _old_fernet() -> Fernet:
    material = os.environ.get("CONVERSATIONS_SECRET_KEY", "") or settings.SECRET_KEY
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"conversations:{material}".encode()).digest()))


def _reencrypt(old: Fernet, stored: str) -> str:
    from conversations.crypto import BOX

    if not stored:
        return ""
    try:
        return BOX.encrypt(old.decrypt(stored.encode()).decode())
    except InvalidToken:
        return ""


def forward(apps, schema_editor):
    from conversations.crypto import BOX

    for mailbox in apps.get_model("conversations", "ImapMailbox").objects.all():
        mailbox.password_enc = BOX.encrypt(mailbox.password)
        mailbox.save(update_fields=["password_enc"])
    old = _old_fernet()
    for workspace in apps.get_model("conversations", "SlackWorkspace").objects.all():
        workspace.bot_token_encrypted = _reencrypt(old, workspace.bot_token_encrypted)
        workspace.signing_secret_encrypted = _reencrypt(old, workspace.signing_secret_encrypted)
        workspace.save(update_fields=["bot_token_encrypted", "signing_secret_encrypted"])
    for hook in apps.get_model("conversations", "TeamsWebhook").objects.all():
        hook.url_encrypted = _reencrypt(old, hook.url_encrypted)
        hook.save(update_fields=["url_encrypted"])


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0003_slack_teams"),
    ]

    operations = [
        migrations.AddField(
            model_name="imapmailbox",
            name="password_enc",
            field=models.TextField(blank=True, default=""),
        ),
        # Not reversible: going back would put passwords in clear again.
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="imapmailbox",
            name="password",
        ),
    ]
