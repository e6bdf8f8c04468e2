"""Writes of the notifications floor: the feed (`feed`), the four kinds (`kinds`), their e-mail
(`emails`) and the daily digest (`digest`)."""

from .digest import DigestRun, digests_send, users_due_digest
from .emails import notifications_email_send
from .feed import (
    NotificationDraft,
    email_kinds_for,
    notification_mark_read,
    notification_preferences_set,
    notifications_create,
    notifications_mark_all_read,
)
from .kinds import (
    account_is_key,
    key_account_red_notify,
    key_accounts_q,
    mentions_notify,
    renewals_notify,
    tasks_assigned_notify,
    user_language,
)

__all__ = [
    "DigestRun",
    "NotificationDraft",
    "account_is_key",
    "digests_send",
    "email_kinds_for",
    "key_account_red_notify",
    "key_accounts_q",
    "mentions_notify",
    "notification_mark_read",
    "notification_preferences_set",
    "notifications_create",
    "notifications_email_send",
    "notifications_mark_all_read",
    "renewals_notify",
    "tasks_assigned_notify",
    "user_language",
    "users_due_digest",
]
