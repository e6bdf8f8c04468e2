"""Demo data: `seed_demo --accounts N --seed S`.

accounts seeds the customer base (users, accounts, contacts, subscriptions, usage, tickets,
notes); the floors above add theirs (surveys and answers, scorecards and history, maps and
checklists, playbooks and tasks) through steps they register here in AppConfig.ready(), so
this module never imports them. Steps run in registration order, which follows the floors.
Every step must be deterministic for a given seed.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass
class DemoContext:
    seed: int
    n_accounts: int
    today: date
    rng: random.Random
    log: Callable[[str], None]
    is_postgres: bool
    # Filled by the accounts step for the steps after it: ids of what was created.
    extra: dict = field(default_factory=dict)

    def rng_for(self, name: str) -> random.Random:
        """An independent, deterministic generator per step, so adding a step elsewhere
        never changes what another step generates."""
        return random.Random(f"{self.seed}:{name}")


DemoStep = Callable[[DemoContext], None]
DEMO_STEPS: list[tuple[str, DemoStep]] = []
DEMO_PHASES: dict[str, int] = {}


def register_demo_step(name: str, step: DemoStep, *, phase: int = 0) -> None:
    """Add a step. Steps run by phase, then in registration order (which follows the floors):
    0 = raw data (accounts, survey answers, plans), 1 = derived from all of it (health history,
    which needs the answers and onboarding progress), 2 = acting on scores (playbooks),
    3 = summaries (reports' pre-aggregates)."""
    if name in DEMO_PHASES:
        return
    DEMO_PHASES[name] = phase
    DEMO_STEPS.append((name, step))
    DEMO_STEPS.sort(key=lambda entry: DEMO_PHASES[entry[0]])  # stable: keeps registration order


def accounts_step(ctx: DemoContext) -> None:
    # Imported here: the generator pulls in numpy, which every other process can do without.
    from .demo_data import seed_accounts

    seed_accounts(ctx)


def demo_is_empty() -> bool:
    from .models import Account

    return not Account.objects.exists()


def demo_flush(*, log: Callable[[str], None]) -> None:
    """Remove the customer data (accounts and everything hanging off them, personas, costs) so a
    seed can start over. On PostgreSQL one TRUNCATE ... CASCADE (which also empties the other
    floors' tables that point at accounts); elsewhere the ORM's cascade. Users are kept: the
    demo team is updated in place."""
    from django.db import connection

    from . import models

    Account, CostEntry, Persona, TouchCadence = models.Account, models.CostEntry, models.Persona, models.TouchCadence
    if connection.vendor == "postgresql":
        # events carry no foreign key (partitioned table), so CASCADE does not reach them
        from usage.models import AccountDailyUsage, UsageEvent

        extra = [UsageEvent, AccountDailyUsage]
        tables = [m._meta.db_table for m in (Account, Persona, CostEntry, *extra)]
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                # TRUNCATE refuses while deferred foreign-key checks are pending (e.g. in tests)
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            if connection.in_atomic_block:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        Account.objects.all().delete()
        Persona.objects.all().delete()
        CostEntry.objects.all().delete()
    TouchCadence.objects.exclude(tier__in=[str(t) for t in TouchCadence.DEFAULT_DAYS]).delete()
    log("flushed existing customer data")


def run_demo(
    *,
    n_accounts: int,
    seed: int,
    log: Callable[[str], None],
    today: date | None = None,
    quiet: bool = False,
    only: list[str] | None = None,
) -> DemoContext:
    """Seed the demo: the accounts step first, then every step the floors above registered
    (`only`: just these steps, by name; the accounts step is always needed first)."""
    import time

    from django.db import connection, transaction
    from django.utils import timezone

    ctx = DemoContext(
        seed=seed,
        n_accounts=n_accounts,
        today=today or timezone.now().date(),
        rng=random.Random(seed),
        log=log,
        is_postgres=connection.vendor == "postgresql",
    )
    ctx.extra["quiet"] = quiet
    with transaction.atomic():
        for name, step in DEMO_STEPS:
            if only and name not in only:
                continue
            started = time.perf_counter()
            step(ctx)
            log(f"step {name}: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
    log(f"commit: {time.perf_counter() - started:.1f} s")
    return ctx
