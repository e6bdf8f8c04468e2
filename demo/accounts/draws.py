"""Small draws from an account's random.Random, and the date helpers the plans are made of."""

import random
from datetime import UTC, date, datetime

from .vocabulary import PLAN_LADDER

# Small draws from the account's random.Random, scaled from rng.random(): the library's
# choice / randint / choices cost 3-5x more, and an account makes a few hundred draws.


def _pick(rng: random.Random, seq):
    return seq[int(rng.random() * len(seq))]


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _int(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], like randint."""
    return low + int(rng.random() * (high - low + 1))


def _total(pairs) -> float:
    return sum(w for _, w in pairs)


def _weighted(rng: random.Random, pairs, total=None):
    """A value drawn by weight; `total` (the weights' sum, by `_total`) saves summing each draw."""
    x = rng.random() * (_total(pairs) if total is None else total)
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _entitlements(seats: int, plan_name: str) -> dict:
    rank = PLAN_LADDER.index(plan_name) + 1
    return {"seats": seats, "reports": 25 * rank * rank, "api_calls": 50000 * rank * rank}


def _at(day: date, rng: random.Random, hour_from: int = 8, hour_to: int = 18) -> datetime:
    # rng.random() scaled: randint costs ~4x more, and this runs ~20 times an account
    hour = hour_from + int(rng.random() * (hour_to - hour_from))
    return datetime(day.year, day.month, day.day, hour, int(rng.random() * 60), tzinfo=UTC)
