"""Signals that carry news up the floors (DESIGN.md): accounts never imports the apps that
listen. Receivers must be cheap and queue Celery work with transaction.on_commit."""

from django.dispatch import Signal

# account_id: int, subscription_id: int | None,
# change: "created" | "upgrade" | "downgrade" | "cancelled" | "renewed" | "updated" | "deleted",
# previous: {field: old value as a string or None} of an updated subscription (empty otherwise)
subscription_changed = Signal()
# account_id: int, ticket_id: int, created: bool
ticket_changed = Signal()
# currencies: set[str], months: set[date] (rates stored or deleted; sums in the base currency move)
fx_rates_changed = Signal()
# account_id: int, failure_id: int, change: "failed" | "recovered"
payment_changed = Signal()
# activity_id: int, account_id: int, author_id: int, mentioned_user_ids: list[int]. A person wrote
# a timeline entry (note, call, meeting, email); sent after commit. Mentions are `@username`s of
# active users (accounts.services resolves them once and keeps them in the entry's metadata).
note_created = Signal()
