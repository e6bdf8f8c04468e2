"""The nightly task: the sweep and the forecast's track record, safe to run twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from renewals.models import BandRenewalRate, Opportunity
from renewals.tasks import renewals_sweep_task
from tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_nightly_task_twice():
    today = timezone.now().date()
    SubscriptionFactory(start_date=today - timedelta(days=300), end_date=today + timedelta(days=30))
    SubscriptionFactory(start_date=today - timedelta(days=500), end_date=today - timedelta(days=130))
    first = renewals_sweep_task()
    second = renewals_sweep_task()
    assert (first["opened"], second["opened"]) == (1, 0)
    assert Opportunity.objects.count() == 1
    assert BandRenewalRate.objects.filter(band="").exists()
