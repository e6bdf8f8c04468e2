"""Health triggers (playbooks/triggers/health.py): a band change and a drop, with the reason a CSM reads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AccountFactory
from tests.playbooks.triggers.support import fired, score

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


def test_health_band_change_nightly_reads_snapshots(make_playbook):
    # given
    red, green = AccountFactory(), AccountFactory()
    score(red, TODAY - timedelta(1), 60, "yellow")
    score(red, TODAY, 35, "red")
    score(green, TODAY - timedelta(1), 80, "green")
    score(green, TODAY, 81, "green")
    pb = make_playbook("health_band_change", {"to_band": "red"})
    # when
    tasks = fired(pb, as_of=TODAY)
    # then
    assert list(tasks) == [red.pk]
    assert "from yellow to red (score 60 → 35)" in tasks[red.pk]


def test_health_band_change_from_filter_and_event_payload(make_playbook):
    account = AccountFactory()
    pb = make_playbook("health_band_change", {"to_band": "red", "from_band": "green"})
    event = {
        "event": "health.band_changed",
        "account_id": account.pk,
        "old_band": "yellow",
        "new_band": "red",
        "old_score": 55,
        "new_score": 30,
        "day": TODAY.isoformat(),
    }
    assert fired(pb, account_ids=[account.pk], event=event) == {}
    event["old_band"] = "green"
    tasks = fired(pb, account_ids=[account.pk], event=event)
    assert "from green to red (score 55 → 30)" in tasks[account.pk]


def test_health_drop_reason_names_the_scores(make_playbook):
    dropped, steady = AccountFactory(), AccountFactory()
    score(dropped, TODAY - timedelta(7), 72, "green")
    score(dropped, TODAY, 41, "yellow")
    score(steady, TODAY - timedelta(7), 72, "green")
    score(steady, TODAY, 65, "green")
    pb = make_playbook("health_drop", {"points": 15, "days": 7})
    tasks = fired(pb, as_of=TODAY)
    assert tasks == {dropped.pk: "health fell from 72 to 41 in 7 days"}
