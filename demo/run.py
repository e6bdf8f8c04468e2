"""Demo data: `seed_demo --accounts N --seed S`.

The steps run in one order, each on what the ones before made: the raw data first (accounts:
users, accounts, contacts, subscriptions, usage, tickets, notes; surveys and answers; maps and
checklists), then what is derived from all of it (health history, which needs the answers and
onboarding progress), then what acts on scores (playbooks and tasks, the renewal pipeline), then the summaries
(reports' pre-aggregates). Every step must be deterministic for a given seed.
"""

import random
import time
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.utils import timezone

from .context import DemoContext, DemoStep
from .sql import customer_tables_empty

__all__ = ["DEMO_STEP_NAMES", "demo_flush", "demo_is_empty", "demo_steps", "run_demo"]

DEMO_STEP_NAMES = ["accounts", "currency", "surveys", "onboarding", "health", "playbooks", "renewals", "reports"]


def demo_steps() -> list[tuple[str, DemoStep]]:
    """Every step, by name, in the order it runs (DEMO_STEP_NAMES). Imported here: the
    generator pulls in numpy, which every other process can do without."""
    from .accounts import seed_accounts
    from .currency import currency_demo_step
    from .health import health_demo_step
    from .onboarding import onboarding_demo_step
    from .playbooks import playbooks_demo_step
    from .renewals import renewals_demo_step
    from .reports import reports_demo_step
    from .surveys import surveys_demo_step

    steps = {
        "accounts": seed_accounts,
        "currency": currency_demo_step,
        "surveys": surveys_demo_step,
        "onboarding": onboarding_demo_step,
        "health": health_demo_step,
        "playbooks": playbooks_demo_step,
        "renewals": renewals_demo_step,
        "reports": reports_demo_step,
    }
    return [(name, steps[name]) for name in DEMO_STEP_NAMES]


def demo_is_empty() -> bool:
    from accounts.models import Account

    return not Account.objects.exists()


def demo_flush(*, log: Callable[[str], None]) -> None:
    """Remove the customer data (accounts and everything hanging off them, personas, costs) so a
    seed can start over. On PostgreSQL one TRUNCATE ... CASCADE (which also empties the other
    floors' tables that point at accounts); elsewhere the ORM's cascade. Users are kept: the
    demo team is updated in place."""
    from accounts.models import Account, CostEntry, Persona, TouchCadence
    from health.models import HealthScore
    from usage.models import AccountDailyUsage, UsageEvent

    # events and health snapshots carry no foreign key (COPY speed), so CASCADE does not reach
    # them: left behind, they would belong to the reseeded accounts (RESTART IDENTITY reuses ids)
    if not customer_tables_empty([Account, Persona, CostEntry, UsageEvent, AccountDailyUsage, HealthScore]):
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
    """Seed the demo: every step in order (`only`: just these steps, by name; the accounts step
    is always needed first)."""
    ctx = DemoContext(
        seed=seed,
        n_accounts=n_accounts,
        today=today or timezone.now().date(),
        rng=random.Random(seed),
        log=log,
    )
    ctx.extra["quiet"] = quiet
    with transaction.atomic():
        for name, step in demo_steps():
            if only and name not in only:
                continue
            started = time.perf_counter()
            step(ctx)
            log(f"step {name}: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
    log(f"commit: {time.perf_counter() - started:.1f} s")
    return ctx
