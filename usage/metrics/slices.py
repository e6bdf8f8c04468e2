"""Slices of accounts and the SQL helpers every metric family shares: the metric keys,
groupings and component names, `account_slice`, period checks, row and money helpers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from accounts.models import Account

# The keys of GET /api/v1/metrics/ in DESIGN.md's order; nps / csat / ces come from surveys.
METRIC_KEYS = (
    "mrr_start",
    "mrr_end",
    "mrr_new",
    "mrr_reactivation",
    "mrr_expansion",
    "mrr_contraction",
    "mrr_churned",
    "grr",
    "nrr",
    "logo_churn_rate",
    "renewal_rate",
    "trial_conversion_rate",
    "nps",
    "csat",
    "ces",
    "fcr",
    "avg_first_response_hours",
    "clv",
    "crc",
)


GROUP_FIELDS = ("segment", "tier", "owner_id")


MONEY_COMPONENTS = (
    "mrr_start",
    "mrr_end",
    "mrr_new",
    "mrr_reactivation",
    "mrr_expansion",
    "mrr_contraction",
    "mrr_churned",
)


COUNT_COMPONENTS = (
    "revenue_accounts",  # accounts in the slice with a paid subscription starting before `end`
    "accounts_active_start",
    "accounts_active_end",
    "accounts_churned",
    "renewals_due",
    "renewals_renewed",
    "trials_ended",
    "trials_converted",
    "tickets_resolved",
    "tickets_resolved_one_reply",
    "tickets_responded",
)


FLOAT_COMPONENTS = ("response_hours_sum",)

COMPONENT_FIELDS = MONEY_COMPONENTS + COUNT_COMPONENTS + FLOAT_COMPONENTS

TRIAL_CONVERSION_DAYS = 30

CENT = Decimal("0.01")

ZERO = Decimal("0")


def account_slice(*, segment: str | None = None, tier: str | None = None, owner_id: int | None = None) -> QuerySet:
    """The accounts of one slice; any filter left None is not applied."""
    accounts = Account.objects.all()
    if segment:
        accounts = accounts.filter(segment=segment)
    if tier:
        accounts = accounts.filter(tier=tier)
    if owner_id:
        accounts = accounts.filter(owner_id=owner_id)
    return accounts


def _is_everyone(accounts: QuerySet | None) -> bool:
    return accounts is None or not accounts.query.where


def _slice_sql(accounts: QuerySet | None, column: str) -> tuple[str, list]:
    """` AND <column> IN (SELECT id FROM accounts ...)` for a filtered slice, '' for everyone."""
    if _is_everyone(accounts):
        return "", []
    sql, params = accounts.order_by().values("id").query.sql_with_params()
    return f" AND {column} IN ({sql})", list(params)


def _group_sql(group_by: Sequence[str], alias: str) -> tuple[str, str, str]:
    """(select list prefix, join to accounts, GROUP BY clause) for grouping by account fields."""
    if not group_by:
        return "", "", ""
    unknown = set(group_by) - set(GROUP_FIELDS)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    cols = ", ".join(f"a.{field}" for field in group_by)
    join = f" JOIN {Account._meta.db_table} a ON a.id = {alias}.account_id"
    return f"{cols}, ", join, f" GROUP BY {cols}"


def _d(day: date):
    return connection.ops.adapt_datefield_value(day)


def _ts(day: date):
    return connection.ops.adapt_datetimefield_value(datetime.combine(day, time.min, tzinfo=UTC))


def _rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [col[0] for col in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _money(value) -> Decimal:
    if value is None:
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT)


def _key(row: dict, group_by: Sequence[str]) -> tuple:
    return tuple(row[field] for field in group_by)


def _validate_period(start: date, end: date) -> None:
    if start >= end:
        raise ValueError("start must be before end")
