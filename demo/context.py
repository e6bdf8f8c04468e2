"""What every demo step gets: the seed, the size, today, a log, and what the steps before it made."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

__all__ = ["DemoContext", "DemoStep"]


@dataclass
class DemoContext:
    seed: int
    n_accounts: int
    today: date
    rng: random.Random
    log: Callable[[str], None]
    # Filled by the accounts step for the steps after it: ids of what was created.
    extra: dict = field(default_factory=dict)

    def rng_for(self, name: str) -> random.Random:
        """An independent, deterministic generator per step, so adding a step elsewhere
        never changes what another step generates."""
        return random.Random(f"{self.seed}:{name}")


DemoStep = Callable[[DemoContext], None]
