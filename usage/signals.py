"""Signals of the usage floor that carry news up (DESIGN.md): usage never imports the apps that
listen. Receivers must be cheap and queue Celery work with transaction.on_commit."""

from django.dispatch import Signal

# account_ids: list[int]. Sent after usage events were stored (API, tracking, import).
events_ingested = Signal()
