"""One base currency (settings.BASE_CURRENCY, default USD) and the monthly exchange-rate table
(accounts.models.FxRate: 1 unit of a currency = rate x base during a month).

The interface every floor uses (docs/metrics.md "Currency" has the rules):
- `base_currency()`; `month_start(day)`;
- `rates_for_months(months) -> {month: {currency: rate}}` (base at 1; one query);
- `convert(amount=, currency=, day=, rates=None) -> Decimal` (raises `MissingRate`);
- `rate_sql(column, day, rates=None) -> str`: SQL expression, the rate of the currency in
  `column` for `day`'s month, NULL when missing (so `SUM(x * rate)` never adds unconverted money);
- `missing_rates(...)` in `accounts.currency.selectors`: which (currency, month) pairs a sum needs
  and lacks; `MissingRate(missing).as_list()` for API errors (409 `missing_fx_rate`);
- `fx_rates_upsert(rates=[{"currency", "month", "rate"}], source=)` (all or nothing, raises
  `RatesInvalid` with [{"index", "field", "reason"}]), `fx_rate_delete(rate=)`;
- `account_base_mrr_refresh(...)`: the denormalised `Account.mrr_base` (today's month's rate).
"""

from .rates import MissingRate, base_currency, convert, month_start, rate_sql, rates_for_months
from .selectors import missing_rates, subscription_missing_rates
from .services import RatesInvalid, account_base_mrr_refresh, fx_rate_delete, fx_rates_upsert, parse_month

__all__ = [
    "MissingRate",
    "RatesInvalid",
    "account_base_mrr_refresh",
    "base_currency",
    "convert",
    "fx_rate_delete",
    "fx_rates_upsert",
    "missing_rates",
    "month_start",
    "parse_month",
    "rate_sql",
    "rates_for_months",
    "subscription_missing_rates",
]
