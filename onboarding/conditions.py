"""Metrics a milestone can wait for ("metric condition"). Each is set-based: one query for any
number of accounts, `fn(account_ids, as_of) -> {account_id: value}`."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from usage.models import UsageEvent


def _day_end(as_of: date) -> datetime:
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)


def _events_30d(account_ids: Iterable[int], as_of: date) -> dict[int, float]:
    end = _day_end(as_of)
    rows = (
        UsageEvent.objects.filter(
            account_id__in=list(account_ids), occurred_at__gte=end - timedelta(days=30), occurred_at__lt=end
        )
        .values("account_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["account_id"]: float(r["n"]) for r in rows}


def _active_users_30d(account_ids: Iterable[int], as_of: date) -> dict[int, float]:
    end = _day_end(as_of)
    rows = (
        UsageEvent.objects.filter(
            account_id__in=list(account_ids),
            occurred_at__gte=end - timedelta(days=30),
            occurred_at__lt=end,
            contact_id__isnull=False,
        )
        .values("account_id")
        .annotate(n=Count("contact_id", distinct=True))
        .order_by()
    )
    return {r["account_id"]: float(r["n"]) for r in rows}


def _account_column(column: str) -> Callable[[Iterable[int], date], dict[int, float]]:
    def compute(account_ids: Iterable[int], as_of: date) -> dict[int, float]:
        rows = Account.objects.filter(pk__in=list(account_ids), **{f"{column}__isnull": False}).values_list(
            "pk", column
        )
        return {pk: float(value) for pk, value in rows}

    return compute


@dataclass(frozen=True)
class MetricCondition:
    key: str
    label: str  # lazy: translated where shown
    compute: Callable[[Iterable[int], date], dict[int, float]]


METRICS: dict[str, MetricCondition] = {
    m.key: m
    for m in (
        MetricCondition("active_users_30d", _("Active users, last 30 days"), _active_users_30d),
        MetricCondition("events_30d", _("Usage events, last 30 days"), _events_30d),
        MetricCondition("health_score", _("Health score"), _account_column("health_score")),
        MetricCondition("mrr", _("MRR"), _account_column("mrr")),
    )
}

METRIC_CHOICES = [(m.key, m.label) for m in METRICS.values()]
