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


def register_demo_step(name: str, step: DemoStep) -> None:
    if any(existing == name for existing, _ in DEMO_STEPS):
        return
    DEMO_STEPS.append((name, step))
