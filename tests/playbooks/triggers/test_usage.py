"""Usage triggers (playbooks/triggers/usage.py): a usage drop, a feature's growth, usage near an entitlement."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory
from tests.playbooks.triggers.support import fired
from usage.models import AccountDailyUsage

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


def rollup(account, day, events, features=None):
    AccountDailyUsage.objects.create(account=account, day=day, events=events, features=features or {})


def test_usage_drop_compares_the_last_window_with_the_one_before(make_playbook):
    dropping, steady, tiny = AccountFactory(), AccountFactory(), AccountFactory()
    rollup(dropping, TODAY - timedelta(40), 100)
    rollup(dropping, TODAY - timedelta(5), 40)
    rollup(steady, TODAY - timedelta(40), 100)
    rollup(steady, TODAY - timedelta(5), 90)
    rollup(tiny, TODAY - timedelta(40), 5)  # under min_events: noise
    pb = make_playbook("usage_drop", {"percent": 30, "days": 30, "min_events": 20})
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [dropping.pk]
    assert tasks[dropping.pk].startswith("usage fell 60% (100 → 40 events")


def test_feature_growth(make_playbook):
    growing, flat = AccountFactory(), AccountFactory()
    rollup(growing, TODAY - timedelta(20), 30, {"export": 5})
    rollup(growing, TODAY - timedelta(2), 30, {"export": 25})
    rollup(flat, TODAY - timedelta(20), 30, {"export": 20})
    rollup(flat, TODAY - timedelta(2), 30, {"export": 22})
    pb = make_playbook("feature_growth", {"feature": "export", "percent": 100, "days": 14, "min_events": 10})
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [growing.pk]
    assert "'export' grew +400% (5 → 25" in tasks[growing.pk]


def test_entitlement_usage_seats_and_event_metrics(make_playbook):
    full, roomy, reports = AccountFactory(), AccountFactory(), AccountFactory()
    SubscriptionFactory(account=full, entitlements={"seats": 10})
    SubscriptionFactory(account=roomy, entitlements={"seats": 10})
    SubscriptionFactory(account=reports, plan="Pro", entitlements={"reports": 60})
    seen = timezone.now() - timedelta(days=2)
    for _ in range(9):
        ContactFactory(account=full, last_seen_at=seen)
    for _ in range(3):
        ContactFactory(account=roomy, last_seen_at=seen)
    rollup(reports, TODAY - timedelta(3), 50, {"report_created": 50})
    seats = make_playbook("entitlement_usage", {"metric": "seats", "percent": 80})
    assert list(fired(seats, as_of=TODAY)) == [full.pk]
    by_reports = make_playbook("entitlement_usage", {"metric": "reports", "percent": 80, "event": "report_created"})
    tasks = fired(by_reports, as_of=TODAY)
    assert tasks == {reports.pk: "uses 50 of 60 reports (83%) on the Pro plan"}
