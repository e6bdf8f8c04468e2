"""Demo step "currency": some customers pay in euros and pounds, with monthly rates to the base
currency (issue 18). Runs after the accounts step (which bills everyone in USD): about 12% of the
accounts move to EUR and 6% to GBP (their subscriptions with them), a rate per month since the
history began is loaded for every demo currency that is not the base, and the accounts' base MRR
is computed, so the portfolio, metrics and the health roll-up all add converted money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.currency import account_base_mrr_refresh, base_currency, fx_rates_upsert
from accounts.models import Account, Subscription
from core.db import chunked

from .context import DemoContext

# What one unit was worth in USD at the start of the history; each month moves by a small random walk.
START_VALUE_USD = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27}
SHARES = (("EUR", 0.12), ("GBP", 0.06))


def _months(first: date, last: date) -> list[date]:
    out, month = [], date(first.year, first.month, 1)
    while month <= last:
        out.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return out


def demo_rates(ctx: DemoContext, first: date) -> list[dict]:
    """Monthly rates of the demo currencies to the base currency, deterministic per seed."""
    rng = ctx.rng_for("currency:rates")
    base = base_currency()
    values = dict(START_VALUE_USD)
    rates = []
    for month in _months(first, ctx.today):
        for code in ("EUR", "GBP"):
            values[code] *= 1 + rng.uniform(-0.015, 0.015)
        if base not in values:
            continue  # a base the demo knows no value for: accounts stay unconverted, pages say so
        for code, value in values.items():
            if code != base:
                rate = Decimal(str(value / values[base])).quantize(Decimal("1e-6"))
                rates.append({"currency": code, "month": f"{month:%Y-%m}", "rate": rate})
    return rates


def currency_demo_step(ctx: DemoContext) -> None:
    account_ids = ctx.extra.get("account_ids") or list(Account.objects.order_by("id").values_list("id", flat=True))
    rng = ctx.rng_for("currency:accounts")
    chosen: dict[str, list[int]] = {code: [] for code, _share in SHARES}
    for account_id in account_ids:
        draw, edge = rng.random(), 0.0
        for code, share in SHARES:
            edge += share
            if draw < edge:
                chosen[code].append(account_id)
                break
    for code, ids in chosen.items():
        for part in chunked(ids):
            Account.objects.filter(pk__in=part).update(currency=code)
            Subscription.objects.filter(account_id__in=part).update(currency=code)
    # rates from well before the history began (first terms may start before it) to this month
    first = min(ctx.extra.get("start") or ctx.today, date(ctx.today.year - 3, ctx.today.month, 1))
    stored = fx_rates_upsert(rates=demo_rates(ctx, first), source="demo", today=ctx.today)
    account_base_mrr_refresh(today=ctx.today)
    ctx.log(
        f"currency: {len(chosen['EUR']):,} accounts in EUR, {len(chosen['GBP']):,} in GBP, "
        f"{stored:,} monthly rates to {base_currency()}"
    )
