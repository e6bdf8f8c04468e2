"""Factories for the reports floor's pre-aggregates. A real refresh (`reports_refresh`) is what
most tests want; these build single rows for tests of a selector's reading of them."""

from datetime import timedelta

import factory
from django.utils import timezone

from reports.models import ExpansionSignal, FeatureUse, HealthBandDaily, MetricCube, RefreshLog

from .accounts import AccountFactory


class RefreshLogFactory(factory.django.DjangoModelFactory):
    """A finished refresh as of today (fresh unless data changed after `finished_at`)."""

    class Meta:
        model = RefreshLog

    as_of = factory.LazyFunction(lambda: timezone.now().date())
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(seconds=1))
    cube_periods = factory.LazyFunction(list)
    segments = factory.LazyFunction(list)


class MetricCubeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricCube

    start = factory.LazyFunction(lambda: timezone.now().date().replace(day=1))
    end = factory.LazyFunction(lambda: timezone.now().date())
    segment = "SMB"
    tier = "standard"
    owner_id = None


class HealthBandDailyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthBandDaily

    day = factory.LazyFunction(lambda: timezone.now().date())
    band = "green"
    accounts = 1
    segment = "SMB"
    tier = "standard"


class FeatureUseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeatureUse

    start = factory.LazyFunction(lambda: timezone.now().date().replace(day=1))
    end = factory.LazyFunction(lambda: timezone.now().date())
    feature = factory.Sequence(lambda n: f"feature-{n}")
    accounts = 1
    segment = "SMB"
    tier = "standard"


class ExpansionSignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpansionSignal

    as_of = factory.LazyFunction(lambda: timezone.now().date())
    account = factory.SubFactory(AccountFactory)
    owner_id = factory.LazyAttribute(lambda o: o.account.owner_id)
    account_name = factory.LazyAttribute(lambda o: o.account.name)
    what = "seats"
    used = 9.0
    limit = 10.0
    ratio = 0.9
