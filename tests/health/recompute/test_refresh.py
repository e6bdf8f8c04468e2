"""Event-driven refresh: accounts' signals queue a debounced recompute of the account, which
then has today's snapshot and Account columns."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from accounts import signals as account_signals
from csplatform.celery import app as celery_app
from health.models import HealthScore, Scorecard, ScorecardMeasure
from health.recompute import EVENTS_REFRESH_DELAY_SECONDS, REFRESH_DELAY_SECONDS
from health.services import account_health_refresh_soon, today
from tests.factories.accounts import AccountFactory, SubscriptionFactory, SupportTicketFactory
from tests.factories.usage import UsageEventFactory
from tests.health.conftest import resolved_ticket
from usage import signals as usage_signals
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    cache.clear()
    yield
    celery_app.conf.task_always_eager = before
    cache.clear()


@pytest.fixture
def scorecard():
    sc = Scorecard.objects.create(name="Default", is_default=True)
    ScorecardMeasure.objects.create(scorecard=sc, measure_key="usage_frequency", weight=10, points=[[0, 0], [20, 100]])
    ScorecardMeasure.objects.create(scorecard=sc, measure_key="open_tickets", weight=10, points=[[0, 100], [4, 0]])
    return sc


def test_events_ingested_refreshes_within_the_minute(scorecard, django_capture_on_commit_callbacks):
    account = AccountFactory()
    for offset in range(10):
        UsageEventFactory(account=account, occurred_at=datetime.now(UTC) - timedelta(days=offset))
    usage_rollup_rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        usage_signals.events_ingested.send(sender=None, account_ids=[account.id, account.id])
    snap = HealthScore.objects.get(account=account, day=today())
    assert snap.measures["usage_frequency"]["value"] == 10.0
    account.refresh_from_db()
    assert account.health_score == snap.score


def test_ticket_and_subscription_signals_refresh(scorecard, django_capture_on_commit_callbacks):
    account = AccountFactory()
    resolved_ticket(account)  # the install tracks tickets: "0 open" is data
    with django_capture_on_commit_callbacks(execute=True):
        account_signals.subscription_changed.send(
            sender=None,
            account_id=account.id,
            subscription_id=SubscriptionFactory(account=account).id,
            change="created",
        )
    first = HealthScore.objects.get(account=account, day=today()).score
    SupportTicketFactory(account=account)
    SupportTicketFactory(account=account)
    with django_capture_on_commit_callbacks(execute=True):
        account_signals.ticket_changed.send(sender=None, account_id=account.id, ticket_id=1, created=True)
    assert HealthScore.objects.get(account=account, day=today()).score < first


def test_refresh_is_debounced_until_the_task_runs(scorecard, django_capture_on_commit_callbacks, monkeypatch):
    account = AccountFactory()
    celery_app.conf.task_always_eager = False
    sent = []
    from health import tasks

    monkeypatch.setattr(tasks.accounts_health_refresh_gathered_task, "apply_async", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        assert account_health_refresh_soon(account_id=account.id) is True
        assert account_health_refresh_soon(account_id=account.id) is False
        account_signals.ticket_changed.send(sender=None, account_id=account.id, ticket_id=1, created=False)
    assert len(sent) == 1 and 0 < sent[0]["countdown"] <= 60
    # The task clears the key when it runs, so the next signal queues again.
    assert tasks.accounts_health_refresh_gathered_task.run() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert account_health_refresh_soon(account_id=account.id) is True
    assert len(sent) == 2


def test_refresh_of_deleted_account_is_a_no_op():
    from health.tasks import account_health_refresh_task

    assert account_health_refresh_task.run(999999) is None


def test_events_ingested_queues_one_task_for_all_accounts(monkeypatch, django_capture_on_commit_callbacks):
    from health import tasks

    first, second, third = AccountFactory(), AccountFactory(), AccountFactory()
    sent = []
    monkeypatch.setattr(tasks.accounts_health_refresh_task, "apply_async", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        usage_signals.events_ingested.send(sender=None, account_ids=[second.id, first.id, second.id])
        usage_signals.events_ingested.send(sender=None, account_ids=[first.id, third.id])  # first: debounced
    assert [kw["args"] for kw in sent] == [[sorted([first.id, second.id])], [[third.id]]]
    # The events' coalescing window, not a person's few seconds.
    assert {kw["countdown"] for kw in sent} == {EVENTS_REFRESH_DELAY_SECONDS}
    assert tasks.accounts_health_refresh_task.run([first.id, 999999]) == 1


def test_an_event_refresh_waiting_its_window_does_not_hold_back_an_answers(
    monkeypatch, django_capture_on_commit_callbacks
):
    """Each cadence has its own deferral key: an account whose event refresh waits out its 45 s
    still gets the few-seconds refresh a ticket or an answer asks for, and the other way round."""
    from health import tasks

    account = AccountFactory()
    events, person = [], []
    monkeypatch.setattr(tasks.accounts_health_refresh_task, "apply_async", lambda **kw: events.append(kw))
    monkeypatch.setattr(tasks.accounts_health_refresh_gathered_task, "apply_async", lambda **kw: person.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        usage_signals.events_ingested.send(sender=None, account_ids=[account.id])
        assert account_health_refresh_soon(account_id=account.id) is True
        usage_signals.events_ingested.send(sender=None, account_ids=[account.id])  # still waiting: debounced
    assert [kw["args"] for kw in events] == [[[account.id]]]
    assert len(person) == 1
    assert person[0]["countdown"] == REFRESH_DELAY_SECONDS < 10 < 30 <= events[0]["countdown"] < 60
