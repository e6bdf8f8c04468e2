"""Health factories: scorecards and their measures, snapshots, overrides, sentiment."""

from datetime import UTC, date, datetime, timedelta

import factory
from django.utils import timezone

from health.models import CsmSentiment, HealthOverride, HealthScore, Scorecard, ScorecardMeasure

from .accounts import AccountFactory


def at(day: date, hour: int = 12) -> datetime:
    """`hour` o'clock UTC on `day` (events and inputs placed on a day)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class ScorecardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scorecard

    name = factory.Sequence(lambda n: f"Scorecard {n}")
    red_below = 40
    green_from = 70


class ScorecardMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScorecardMeasure

    scorecard = factory.SubFactory(ScorecardFactory)
    measure_key = "usage_frequency"
    weight = 10
    points = factory.LazyFunction(lambda: [[0, 0], [20, 100]])


class HealthScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthScore

    account = factory.SubFactory(AccountFactory)
    day = factory.LazyFunction(lambda: timezone.now().date())
    score = 50
    band = "yellow"
    computed_score = factory.SelfAttribute("score")
    measures = factory.LazyFunction(dict)


class HealthOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthOverride

    account = factory.SubFactory(AccountFactory)
    score = 90
    reason = "Renewal signed"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))


class CsmSentimentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CsmSentiment

    account = factory.SubFactory(AccountFactory)
    value = 3


def seeded_history(
    *,
    scorecard: Scorecard,
    as_of: date,
    accounts: int = 160,
    weeks: int = 36,
    seed: int = 7,
    churn_share: float = 0.35,
    leak_from: date | None = None,
    usage: bool = False,
) -> list:
    """A scored history the backtest can learn from, written straight to the tables (fast):
    `accounts` accounts with a paid subscription, `churn_share` of them ending (churning) on a
    random day; weekly snapshots over `weeks` weeks up to `as_of`, scored by `scorecard`, with
    two measures: "signal" (usage that fades over the 45 days before an account churns) and
    "noise" (random). With `leak_from`, the snapshots from that day on also get "oracle",
    which says outright whether the account churns within 30 days: a feature from the future
    that only a leaky time split can learn from. With `usage`, each day also gets a daily
    usage rollup whose event count follows "signal" (with noise)."""
    import random

    from tests.factories.accounts import SubscriptionFactory
    from usage.models import AccountDailyUsage

    rng = random.Random(seed)
    start = as_of - timedelta(weeks=weeks)
    rows, made, daily = [], [], []
    for i in range(accounts):
        account = AccountFactory(external_id=f"hist-{seed}-{i}")
        churn_day = None
        if rng.random() < churn_share:
            churn_day = start + timedelta(days=rng.randrange(20, weeks * 7 - 5))
        SubscriptionFactory(account=account, start_date=start - timedelta(days=30), end_date=churn_day)
        made.append((account, churn_day))
        base = rng.uniform(40, 90)
        day = start
        while day <= as_of:
            if churn_day is not None and day >= churn_day:
                break
            fade = 0.0
            if churn_day is not None and (churn_day - day).days <= 45:
                fade = 45 * (1 - (churn_day - day).days / 45)
            signal = max(0.0, min(100.0, base - fade + rng.gauss(0, 8)))
            noise = rng.uniform(0, 100)
            measures = {
                "signal": {"value": round(signal / 5, 1), "score": round(signal, 1), "weight": 10},
                "noise": {"value": round(noise, 1), "score": round(noise, 1), "weight": 30},
            }
            if leak_from is not None and day >= leak_from:
                churns_soon = churn_day is not None and (churn_day - day).days <= 30
                measures["oracle"] = {"value": 0.0 if churns_soon else 1.0, "score": 0.0 if churns_soon else 100.0}
            if usage:
                for offset in range(7):
                    events = max(0, round(signal / 10 + rng.gauss(0, 3)))
                    on = day + timedelta(days=offset)
                    if events and (churn_day is None or on < churn_day):
                        daily.append(AccountDailyUsage(account=account, day=on, events=events))
            score = round((10 * signal + 30 * noise) / 40)
            rows.append(
                HealthScore(
                    account=account,
                    day=day,
                    scorecard=scorecard,
                    score=score,
                    band=scorecard.band_for(score),
                    computed_score=score,
                    measures=measures,
                )
            )
            day += timedelta(days=7)
    HealthScore.objects.bulk_create(rows, batch_size=2000)
    AccountDailyUsage.objects.bulk_create(daily, batch_size=5000)
    return made
