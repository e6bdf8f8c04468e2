from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", _("A task assigned to you")
    MENTION = "mention", _("A mention in a note")
    KEY_ACCOUNT_RED = "key_account_red", _("A key account turned red")
    RENEWAL_DUE = "renewal_due", _("A renewal within 30 days")


# The daily digest's on/off, kept beside the kinds' e-mail choices (NotificationPreference.kind).
DIGEST_PREFERENCE = "digest"
