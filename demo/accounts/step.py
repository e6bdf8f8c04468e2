"""The accounts step of `seed_demo`: the team, the customer base and 12 months of its history.

What it makes, deterministically for a seed (every account draws from its own generator, so an
account's data does not depend on how many came before it or on the chunk size):

- the CS team: an admin, two managers, eight CSMs (enterprise pod: strategic and key accounts;
  scale pod: standard and tech-touch), a read-only viewer; one password (DEMO_PASSWORD);
- accounts in segments Enterprise / Mid-Market / SMB with tiers and MRR to match, industries,
  a home language (some ar, fa, zh...), a few parent/child hierarchies;
- contacts with personas, titles, languages and time zones;
- subscriptions: trials (most converting), annual terms with renewals and price uplifts,
  mid-term upgrades and downgrades, monthly self-serve plans, and churn at the anniversary;
- 12 months of usage events whose volume follows tier and seats; accounts that churn (and
  the at-risk ones that are about to) fade out over the months before, so usage predicts churn;
- support tickets (more of them, and more escalations, while an account struggles);
- the timeline: CSM notes, calls, meetings and emails at each tier's cadence (some accounts
  left overdue), and system entries for trials, renewals, plan changes and churn;
- monthly CS cost entries and a few referrals.

Writes go straight to the tables in bulk: PostgreSQL COPY (psycopg 3 `cursor.copy`) or SQLite
`executemany`, in chunks of accounts, so N=100,000 with ~20M events takes minutes. On PostgreSQL
a writer thread runs the COPYs while Python builds the next chunk (`demo.sql.CopyStream`), rows get their
ids from the seed (`IdBlock`), and the events and daily usage go in as binary rows built by
NumPy (`EventRecords`, `UsageRecords`); see docs/foundation.md. Columns this module does not
know (added later by another floor) get their model default.
"""

import time
from contextlib import ExitStack
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import (
    Account,
    Activity,
    Contact,
    CostEntry,
    Persona,
    Referral,
    Subscription,
    SupportTicket,
)
from usage.models import AccountDailyContact, AccountDailyUsage, UsageEvent

from ..context import DemoContext
from ..sql import BulkWriter, IdBlock, bulk_load, event_partitions_ensure
from .chunks import ChunkWriter
from .draws import _at
from .planner import HISTORY_DAYS, Planner
from .team import ENTERPRISE_POD, SCALE_POD, demo_team_ensure
from .vocabulary import PERSONAS, PREFIXES, ROOTS

__all__ = ["CHUNK", "seed_accounts"]

CHUNK = 1000  # accounts per write batch


def seed_accounts(ctx: DemoContext) -> None:
    """The accounts step (the first): see the module docstring."""
    from tqdm import tqdm

    users = demo_team_ensure()
    user_ids = {name: u.pk for name, u in users.items()}
    personas = {}
    for name, (description, _) in PERSONAS.items():
        personas[name] = Persona.objects.get_or_create(name=name, defaults={"description": description})[0].pk

    planner = Planner(seed=ctx.seed, today=ctx.today, event_scale=ctx.extra.get("event_scale", 1.0))
    writer = BulkWriter()
    # the events table is partitioned by month on PostgreSQL: make sure every month exists
    months = {planner.start + timedelta(days=d) for d in range(0, HISTORY_DAYS, 28)} | {ctx.today}
    event_partitions_ensure(months=months)

    big_tables = [UsageEvent, AccountDailyUsage, AccountDailyContact]
    record_tables = [Account, Contact, Subscription, SupportTicket, Activity]
    checks = ExitStack()  # closed on success only: after a failure the transaction rolls back anyway
    checks.enter_context(bulk_load(keys_of=record_tables, indexes_of=big_tables))
    ids = IdBlock(record_tables + big_tables)
    first_account = ids.next[Account]
    chunk = ChunkWriter(ctx, writer, ids, planner, user_ids=user_ids, personas=personas)

    progress = tqdm(
        total=ctx.n_accounts,
        unit="acct",
        disable=ctx.extra.get("quiet", False),
        mininterval=1.0,
        desc="seed_demo accounts",
    )
    writer.start()
    try:
        for chunk_start in range(0, ctx.n_accounts, CHUNK):
            t0 = time.perf_counter()
            plans = [planner.plan(i) for i in range(chunk_start, min(ctx.n_accounts, chunk_start + CHUNK))]
            chunk.timing["plan"] += time.perf_counter() - t0
            chunk.write(plans, first_account)
            progress.update(len(plans))
            progress.set_postfix(events=f"{chunk.totals['events']:,}", refresh=False)
        progress.close()
        stream = writer.stream
        phase = time.perf_counter()
        writer.finish()
    except BaseException:
        writer.abort()
        raise
    timing = chunk.timing
    if stream is not None:
        timing["wait"] = stream.waited
        timing["drain"] = time.perf_counter() - phase
    phase = time.perf_counter()
    ids.release()
    checks.close()
    timing["keys"] = time.perf_counter() - phase

    account_ids = list(range(first_account, first_account + ctx.n_accounts))
    _costs_and_referrals(ctx, account_ids, chunk.churned)

    totals = chunk.totals
    ctx.log(
        f"accounts: {len(account_ids):,} accounts, {totals['contacts']:,} contacts, {totals['subscriptions']:,} "
        f"subscriptions, {totals['events']:,} events, {totals['tickets']:,} tickets, "
        f"{totals['activities']:,} activities"
    )
    ctx.log(
        f"accounts: {chunk.rollup_totals['daily_usage']:,} daily usage rollups, "
        f"{chunk.rollup_totals['daily_contacts']:,} daily active contacts (computed with the events)"
    )
    ctx.log("accounts: " + ", ".join(f"{k} {v:.1f} s" for k, v in timing.items()))
    # Seeded events carry no message id, so there are no dedupe keys to register. MRR and the
    # renewal date went in with the accounts (what account_revenue_refresh() computes).

    ctx.extra.update(
        account_ids=account_ids,
        csm_ids=[user_ids[name] for name in ENTERPRISE_POD + SCALE_POD],
        manager_ids=[user_ids["manager"], user_ids["manager2"]],
        admin_id=user_ids["admin"],
        start=planner.start,
        churned_account_ids=chunk.churned,
        at_risk_account_ids=chunk.at_risk,
        lost_trial_account_ids=chunk.trials_lost,
        totals=totals,
    )


def _costs_and_referrals(ctx: DemoContext, account_ids: list[int], churned: set[int]) -> None:
    rng = ctx.rng_for("accounts:costs")
    month = date(ctx.today.year - 1, ctx.today.month, 1)
    staff = 8 * 9500 * max(1, ctx.n_accounts // 200) ** 0.5
    entries = []
    for _ in range(12):
        nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        for category, amount in (("staff", staff), ("tools", staff * 0.08), ("loyalty", staff * 0.03)):
            entries.append(
                CostEntry(
                    period_start=month,
                    period_end=nxt,
                    category=category,
                    amount=Decimal(round(amount * rng.uniform(0.95, 1.05))),
                    note="Demo",
                )
            )
        month = nxt
    CostEntry.objects.bulk_create(entries)
    candidates = [a for a in account_ids if a not in churned]
    referrals = []
    for referrer in rng.sample(candidates, min(len(candidates), max(2, len(account_ids) // 40))):
        won = rng.random() < 0.4
        referrals.append(
            Referral(
                referring_account_id=referrer,
                referred_name=f"{rng.choice(PREFIXES)}{rng.choice(ROOTS)} Inc",
                status="won" if won else rng.choice(["pending", "lost"]),
                revenue=Decimal(rng.randint(5, 60) * 100) if won else Decimal("0"),
                created_at=_at(ctx.today - timedelta(days=rng.randint(5, 300)), rng),
            )
        )
    Referral.objects.bulk_create(referrals)
