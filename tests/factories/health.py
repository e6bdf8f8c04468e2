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
