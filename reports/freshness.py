"""When did the data behind the dashboards last change? Signal receivers (reports/receivers.py)
stamp the time in the Django cache; the pre-aggregate is used only when it was refreshed after
that stamp, and live results are cached under a key that includes it, so a cached figure is
never older than the data it was computed from."""

import time

from django.core.cache import cache

CHANGED_KEY = "reports:data-changed-at"
ACCOUNTS_CHANGED_KEY = "reports:accounts-changed-at"


def data_changed_at() -> float:
    """Unix time of the last revenue / support change seen (0 when none since the cache began)."""
    return float(cache.get(CHANGED_KEY) or 0.0)


def mark_data_changed() -> None:
    cache.set(CHANGED_KEY, time.time(), timeout=None)


def accounts_changed_at() -> float:
    """Unix time of the last account saved through the product (an edit, a new account): the
    page caches of the dashboard and the home page (reports.selectors.page_cached) move on at once."""
    return float(cache.get(ACCOUNTS_CHANGED_KEY) or 0.0)


def mark_accounts_changed() -> None:
    cache.set(ACCOUNTS_CHANGED_KEY, time.time(), timeout=None)
