"""A person's signals' refreshes gathered into one run (health.recompute.gather): every account
asked within the window in one task, the same snapshots, Account columns and band changes as
one run per account, nothing lost between a run's take and the next signal."""

import pytest
from django.core.cache import cache

from accounts.models import Account
from csplatform.celery import app as celery_app
from health import tasks
from health.models import HealthOverride, HealthScore
from health.recompute import account_health_refresh, accounts_health_refresh_gathered, gather, refresh_key
from health.services import account_health_refresh_soon, today
from tests.factories.accounts import AccountFactory
from tests.health.history.test_compute import book  # noqa: F401  (the seeded book)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    before = celery_app.conf.task_always_eager
    cache.clear()
    yield
    celery_app.conf.task_always_eager = before
    cache.clear()


@pytest.fixture
def queued(monkeypatch):
    """The gathered runs queued (not run) and the one-account runs queued."""
    celery_app.conf.task_always_eager = False
    sent = {"gathered": [], "one": []}
    monkeypatch.setattr(
        tasks.accounts_health_refresh_gathered_task, "apply_async", lambda **kw: sent["gathered"].append(kw)
    )
    monkeypatch.setattr(tasks.account_health_refresh_task, "apply_async", lambda **kw: sent["one"].append(kw))
    return sent


def test_accounts_asked_within_the_window_are_refreshed_in_one_run(queued, django_capture_on_commit_callbacks):
    first, second, third = AccountFactory(), AccountFactory(), AccountFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for account in (third, first, second, first):
            account_health_refresh_soon(account_id=account.id)
    assert len(queued["gathered"]) == 1 and queued["one"] == []
    assert 0 < queued["gathered"][0]["countdown"] < 10
    assert tasks.accounts_health_refresh_gathered_task.run() == 3
    assert set(HealthScore.objects.filter(day=today()).values_list("account_id", flat=True)) == {
        first.id,
        second.id,
        third.id,
    }
    # The run released the accounts' keys: the next signal queues the next run.
    assert cache.get(refresh_key(first.id)) is None
    with django_capture_on_commit_callbacks(execute=True):
        assert account_health_refresh_soon(account_id=first.id) is True
    assert len(queued["gathered"]) == 2
    # A retry of a run that found nothing waiting does nothing.
    assert tasks.accounts_health_refresh_gathered_task.run() == 1
    assert tasks.accounts_health_refresh_gathered_task.run() == 0


def test_an_account_asked_after_the_take_queues_the_next_run():
    assert gather.gather(1, delay=2) is True
    assert gather.gather(2, delay=2) is False  # the waiting run takes it
    assert gather.drain() == [1, 2]
    assert gather.gather(3, delay=2) is True  # after the take: a run of its own
    assert gather.drain() == [3]
    assert gather.drain() == []


def test_deleted_accounts_are_left_out():
    account = AccountFactory()
    gather.gather(account.id, delay=2)
    gather.gather(999999, delay=2)
    assert accounts_health_refresh_gathered().scored == [account.id]
    gather.gather(999999, delay=2)
    assert accounts_health_refresh_gathered() is None


def test_an_unreachable_list_refreshes_the_account_alone(queued, monkeypatch, django_capture_on_commit_callbacks):
    account = AccountFactory()
    monkeypatch.setattr(gather, "gather", lambda account_id, delay: None)
    with django_capture_on_commit_callbacks(execute=True):
        assert account_health_refresh_soon(account_id=account.id) is True
    assert queued["gathered"] == [] and [kw["args"] for kw in queued["one"]] == [[account.id]]


def _state(ids: list[int]) -> tuple[list, list]:
    snapshots = list(
        HealthScore.objects.filter(day=today(), account_id__in=ids)
        .order_by("account_id")
        .values_list("account_id", "scorecard_id", "score", "band", "computed_score", "source", "measures")
    )
    columns = list(
        Account.objects.filter(id__in=ids)
        .order_by("id")
        .values_list("id", "health_score", "health_band", "health_change_7d")
    )
    return snapshots, columns


def test_one_gathered_run_gives_what_one_run_per_account_gives(book):  # noqa: F811
    """Varied accounts (scorecards by tier and segment, overrides, sentiment, surveys,
    onboarding, parents' roll-up): the snapshots, the Account columns and the band changes of
    one gathered run are those of a run per account."""
    every = list(Account.objects.order_by("id").values_list("id", flat=True))
    asked = every[::9] + every[50:56]
    with_parents = sorted(
        set(asked) | set(Account.objects.filter(id__in=asked, parent__isnull=False).values_list("parent_id", flat=True))
    )
    # Every asked account seen green at 99 before: most change band.
    Account.objects.filter(id__in=with_parents).update(health_score=99, health_band="green", health_change_7d=None)

    settled = set(HealthOverride.objects.filter(settled_at__isnull=False).values_list("id", flat=True))
    per_account_changes = []
    for account_id in asked:
        per_account_changes += account_health_refresh(account_id=account_id).band_changes
    expected = _state(with_parents)

    HealthScore.objects.filter(day=today(), account_id__in=with_parents).delete()
    # The runs per account announced the ended overrides: the gathered run starts where they did.
    HealthOverride.objects.exclude(id__in=settled).update(settled_at=None)
    Account.objects.filter(id__in=with_parents).update(health_score=99, health_band="green", health_change_7d=None)
    for account_id in reversed(asked):
        gather.gather(account_id, delay=2)
    result = accounts_health_refresh_gathered()

    assert _state(with_parents) == expected
    assert len(expected[0]) >= len(asked) - 3  # most have a snapshot
    key = lambda c: c["account_id"]  # noqa: E731
    assert sorted(result.band_changes, key=key) == sorted(per_account_changes, key=key)
    assert len(per_account_changes) >= 3 and any(c["is_override"] for c in per_account_changes)
