"""Writes of the exchange-rate table: `fx_rates_upsert` (API, admin page, CSV upload, the ECB
command, the demo) validates every item first and writes all or nothing, then refreshes the
accounts' base-currency MRR when the current month's rates changed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Case, DecimalField, Exists, OuterRef, Subquery, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, FxRate, Subscription

from ..signals import fx_rates_changed
from .rates import base_currency, month_start, rate_sql, rates_for_months

__all__ = [
    "RatesInvalid",
    "account_base_mrr_refresh",
    "base_mrr_expression",
    "fx_rate_delete",
    "fx_rates_upsert",
    "parse_month",
]

_CODE = re.compile(r"^[A-Z]{3}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")
MAX_RATE = Decimal("1e9")
PLACES = Decimal("1e-10")


class RatesInvalid(ValueError):
    """Items that cannot be stored: `errors` = [{"index", "field", "reason"}]; nothing written."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(f"item {e['index']}: {e['field']}: {e['reason']}" for e in errors))


def parse_month(value) -> date | None:
    """'2026-01' (or '2026-01-01', or a date) -> date(2026, 1, 1); None when unreadable."""
    if isinstance(value, date):
        return month_start(value)
    match = _MONTH.match(str(value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        return None
    return date(year, month, 1)


def _clean(index: int, item) -> tuple[dict | None, list[dict]]:
    if not isinstance(item, dict):
        return None, [{"index": index, "field": "non_field_errors", "reason": _("Each item must be an object.")}]
    errors = []
    currency = str(item.get("currency") or "").strip().upper()
    if not _CODE.match(currency):
        errors.append({"index": index, "field": "currency", "reason": _("A three-letter ISO 4217 code, e.g. EUR.")})
    elif currency == base_currency():
        errors.append(
            {
                "index": index,
                "field": "currency",
                "reason": _("%(code)s is the base currency: its rate is always 1.") % {"code": currency},
            }
        )
    month = parse_month(item.get("month"))
    if month is None:
        errors.append({"index": index, "field": "month", "reason": _("A month written YYYY-MM, e.g. 2026-01.")})
    raw = item.get("rate")
    rate = None
    if isinstance(raw, bool) or raw is None or raw == "":
        errors.append({"index": index, "field": "rate", "reason": _("A positive number.")})
    else:
        try:
            rate = Decimal(str(raw))
            # stored with 10 decimals: a rate that rounds to 0 is no rate
            rate = rate.quantize(PLACES) if rate.is_finite() and 0 < rate < MAX_RATE else None
        except InvalidOperation:
            rate = None
        if rate is None or rate <= 0:
            errors.append({"index": index, "field": "rate", "reason": _("A positive number.")})
    if errors or rate is None:
        return None, errors
    return {"currency": currency, "month": month, "rate": rate}, []


@transaction.atomic
def fx_rates_upsert(*, rates: Iterable, source: str = "api", today: date | None = None) -> int:
    """Store rates [{"currency": "EUR", "month": "2026-01", "rate": 1.08}, ...] (1 EUR = 1.08
    base), replacing the rate of the same (currency, month). Every item is checked first;
    any bad item raises RatesInvalid and nothing is written. Returns the number stored."""
    items = list(rates)
    cleaned: dict[tuple[str, date], dict] = {}
    errors: list[dict] = []
    for index, item in enumerate(items):
        value, item_errors = _clean(index, item)
        errors += item_errors
        if value is not None:
            cleaned[(value["currency"], value["month"])] = value  # the last of duplicates wins
    if errors:
        raise RatesInvalid(errors)
    if not cleaned:
        return 0
    now = timezone.now()
    FxRate.objects.bulk_create(
        [FxRate(source=source[:32], updated_at=now, **value) for value in cleaned.values()],
        update_conflicts=True,
        unique_fields=["currency", "month"],
        update_fields=["rate", "source", "updated_at"],
        batch_size=500,
    )
    today = today or timezone.now().date()
    touched = {currency for currency, month in cleaned if month == month_start(today)}
    if touched:
        account_base_mrr_refresh(currencies=touched, today=today)
    _announce({c for c, _m in cleaned}, {m for _c, m in cleaned})
    return len(cleaned)


def _announce(currencies: set[str], months: set[date]) -> None:
    transaction.on_commit(
        lambda: fx_rates_changed.send(sender=FxRate, currencies=currencies, months=months), robust=True
    )


@transaction.atomic
def fx_rate_delete(*, rate: FxRate, today: date | None = None) -> None:
    currency, month = rate.currency, rate.month
    rate.delete()
    today = today or timezone.now().date()
    if month == month_start(today):
        account_base_mrr_refresh(currencies={currency}, today=today)
    _announce({currency}, {month})


def base_mrr_expression(*, today: date):
    """The `Account.mrr_base` value as an expression over an Account row (for an UPDATE): its
    paid subscriptions active `today`, each at its currency's rate for today's month; NULL when
    one of them has no rate. Reads the month's rates (one query)."""
    table = rates_for_months([today])
    known = list(table[month_start(today)])
    active_paid = Subscription.objects.active_on(today).paid().filter(account_id=OuterRef("pk"), mrr__gt=0)
    money = DecimalField(max_digits=14, decimal_places=2)
    converted = RawSQL(f"mrr * {rate_sql('currency', today, rates=table)}", [], output_field=money)
    base_sum = (
        active_paid.order_by().values("account_id").annotate(total=Sum(converted, output_field=money)).values("total")
    )
    return Case(
        When(Exists(active_paid.exclude(currency__in=known)), then=Value(None, output_field=money)),
        default=Coalesce(Subquery(base_sum, output_field=money), Value(Decimal("0"), output_field=money)),
        output_field=money,
    )


def account_base_mrr_refresh(
    *, account_ids: Iterable[int] | None = None, currencies: Iterable[str] | None = None, today: date | None = None
) -> int:
    """Recompute the denormalised `Account.mrr_base` (`base_mrr_expression`): the portfolio
    leaves an account whose rate is missing out of its sums and says why. One read of the
    rates and one UPDATE; `currencies` narrows it to accounts with an active subscription in
    one of them."""
    today = today or timezone.now().date()
    accounts = Account.objects.all()
    if account_ids is not None:
        ids = list(account_ids)
        if not ids:
            return 0
        accounts = accounts.filter(pk__in=ids)
    if currencies is not None:
        codes = sorted(set(currencies))
        if not codes:
            return 0
        active_paid = Subscription.objects.active_on(today).paid().filter(account_id=OuterRef("pk"), mrr__gt=0)
        accounts = accounts.filter(Exists(active_paid.filter(currency__in=codes)))
    return accounts.update(mrr_base=base_mrr_expression(today=today))
