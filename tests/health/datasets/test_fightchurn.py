"""The fight-churn export read as API payloads and loaded through the REST API
(health.datasets, `manage.py health_dataset_load`), on a tiny committed fixture."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Account, Subscription
from core.models import APIKey
from health.backtest import churn_dates
from health.datasets import fightchurn_read
from health.models import EventMeasure, HealthScore
from usage.models import AccountDailyUsage, UsageEvent

FIXTURE = Path(__file__).parent / "fixtures" / "fightchurn"


def test_read_maps_the_files_to_payloads():
    payloads = fightchurn_read(str(FIXTURE))
    assert payloads.last_day == date(2020, 3, 31)  # the day before the simulation's end
    assert [a["external_id"] for a in payloads.accounts] == ["fc-0", "fc-1", "fc-2", "fc-3", "fc-4"]
    assert payloads.accounts[1]["segment"] == "appstore1"
    assert payloads.accounts[4]["created_at"] == "2020-02-15T00:00:00Z"  # its first subscription
    subs = {(s["account"], s["start_date"]): s for s in payloads.subscriptions}
    assert subs[("fc-1", "2020-02-05")]["end_date"] == "2020-03-05"  # churned: ends before the end
    assert subs[("fc-0", "2020-03-03")]["end_date"] is None  # runs past the end: still a customer
    assert ("fc-4", "2020-04-15") not in subs  # starts after the data
    events = list(payloads.events())
    assert all(e["occurred_at"] < "2020-04-01" for e in events)
    assert {e["event"] for e in events} == {"post", "like", "unfriend"}


def test_read_refuses_a_directory_without_the_files(tmp_path):
    from health.datasets.load import DatasetError

    with pytest.raises(DatasetError, match="missing"):
        fightchurn_read(str(tmp_path))


@pytest.mark.django_db(transaction=True)
def test_load_command_goes_through_the_api_and_rebuilds_the_days():
    out = StringIO()
    call_command(
        "health_dataset_load", str(FIXTURE), "--format", "fightchurn", "--dates", "2", "--horizon", "10", stdout=out
    )
    payloads = fightchurn_read(str(FIXTURE))
    n_events = sum(1 for _ in payloads.events())
    assert f"Loaded 5 accounts, {len(payloads.subscriptions)} subscriptions, {n_events} events" in out.getvalue()
    assert Account.objects.count() == 5
    assert UsageEvent.objects.count() == n_events
    assert AccountDailyUsage.objects.exists()
    # The temporary API key that loaded it is revoked.
    assert APIKey.objects.get().revoked_at is not None
    churned = churn_dates(as_of=date(2026, 1, 1))
    ids = dict(Account.objects.values_list("external_id", "id"))
    assert churned == {ids["fc-1"]: date(2020, 3, 5), ids["fc-3"]: date(2020, 2, 10)}
    assert Subscription.objects.filter(end_date__isnull=True).count() == 3
    # Two observation days (every 7 days back from the last day - horizon) were scored (today
    # too, by the refresh the API's writes queue).
    days = sorted(set(HealthScore.objects.filter(day__lt=date(2026, 1, 1)).values_list("day", flat=True)))
    assert days == [date(2020, 3, 14), date(2020, 3, 21)]
    assert HealthScore.objects.filter(day=date(2020, 3, 21)).count() == 5
    # The default scorecard picked event measures from the events seen.
    assert set(EventMeasure.objects.values_list("label", flat=True)) == {"post", "like", "unfriend"}
    # Loading again changes nothing (upserts and message ids).
    call_command("health_dataset_load", str(FIXTURE), "--format", "fightchurn", "--dates", "0", stdout=StringIO())
    assert UsageEvent.objects.count() == n_events
    assert Account.objects.count() == 5


def test_load_command_reports_a_bad_path(tmp_path):
    with pytest.raises(CommandError, match="missing"):
        call_command("health_dataset_load", str(tmp_path), "--format", "fightchurn")
