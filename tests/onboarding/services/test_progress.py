"""Automatic completion: checklist items and plan milestones from usage events (the
events_ingested hook and the periodic sweep), metric milestones."""

from datetime import timedelta

from django.utils import timezone

from onboarding import services
from onboarding.choices import ChecklistStatus, CompletionSource
from onboarding.tasks import onboarding_sweep_task
from tests.factories import AccountFactory, UsageEventFactory
from usage.signals import events_ingested


def test_events_ingested_completes_items_and_milestones(
    published_map, account, tech_template, django_capture_on_commit_callbacks
):
    # given: a checklist and a plan, nothing done
    with django_capture_on_commit_callbacks(execute=True):
        checklist = services.checklist_start(account=account)
        plan = services.success_plan_start(account=account, success_map=published_map)
    item = checklist.items.get(completion_event="report_created")
    milestone_goal = plan.goals.get(title="Connect a data source")
    assert item.completed_at is None and milestone_goal.completed_at is None

    # when: ingestion stores the events and sends the signal
    at = timezone.now() - timedelta(hours=3)
    UsageEventFactory(account=account, event="report_created", occurred_at=at)
    UsageEventFactory(account=account, event="integration_connected", occurred_at=at + timedelta(minutes=5))
    UsageEventFactory(account=account, event="report_created", occurred_at=at + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        events_ingested.send(sender=None, account_ids=[account.pk])

    # then: completed at the first matching event, by "event"
    item.refresh_from_db()
    milestone_goal.refresh_from_db()
    assert item.completed_at == at and item.completion_source == CompletionSource.EVENT
    assert milestone_goal.completed_at == at + timedelta(minutes=5)
    assert checklist.items.filter(completed_at__isnull=True).count() == 2


def test_events_before_contract_start_do_not_complete_items(account, tech_template):
    # given: the report was created during the trial, before the paid contract started
    checklist = services.checklist_start(account=account)
    before = timezone.now() - timedelta(days=40)
    UsageEventFactory(account=account, event="report_created", occurred_at=before)
    # when
    result = services.onboarding_events_apply(account_ids=[account.pk])
    # then
    assert result["items"] == 0
    assert not checklist.items.filter(completed_at__isnull=False).exists()


def test_other_accounts_events_do_not_count(account, tech_template):
    # given
    checklist = services.checklist_start(account=account)
    other = AccountFactory()
    UsageEventFactory(account=other, event="report_created")
    # when
    services.onboarding_events_apply(account_ids=[account.pk, other.pk])
    # then
    assert not checklist.items.filter(completed_at__isnull=False).exists()


def test_sweep_catches_up_and_completes_checklist(account, tech_template):
    # given: events that arrived without the signal (an import), and the manual items done
    checklist = services.checklist_start(account=account)
    for item in checklist.items.filter(completion_event=""):
        services.checklist_item_toggle(item=item, done=True)
    UsageEventFactory(account=account, event="report_created")
    # when
    result = onboarding_sweep_task()
    result_again = onboarding_sweep_task()
    # then
    checklist.refresh_from_db()
    assert result["items"] == 1 and result_again["items"] == 0  # idempotent
    assert checklist.status == ChecklistStatus.COMPLETED and checklist.completed_at is not None
    # unticking reopens it
    services.checklist_item_toggle(item=checklist.items.first(), done=False)
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.ACTIVE


def test_metric_milestone(published_map, account):
    # given: "Busy month" needs events_30d >= 3
    plan = services.success_plan_start(account=account, success_map=published_map)
    goal = plan.goals.get(title="Busy month")
    UsageEventFactory.create_batch(2, account=account, event="login")
    # when / then: 2 events are not enough
    assert services.onboarding_metrics_apply(account_ids=[account.pk]) == 0
    UsageEventFactory(account=account, event="login")
    assert services.onboarding_metrics_apply(account_ids=[account.pk]) == 1
    goal.refresh_from_db()
    assert goal.completion_source == CompletionSource.METRIC


def test_batches_of_one_account_meanwhile_are_one_run(account, monkeypatch, django_capture_on_commit_callbacks):
    """At 500 events/s every batch queued its own run (make soak): the batches of an account
    within EVENTS_DELAY_SECONDS go in one run; the run releases them, so later ones queue again."""
    from core.deferral import release_many
    from onboarding import receivers, tasks

    other = AccountFactory()
    release_many(receivers.events_key(a) for a in (account.pk, other.pk))
    queued = []
    monkeypatch.setattr(tasks.onboarding_events_apply_task, "apply_async", lambda **kw: queued.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        events_ingested.send(sender=None, account_ids=[account.pk])
        events_ingested.send(sender=None, account_ids=[account.pk, other.pk])
    assert queued == [
        {"kwargs": {"account_ids": [account.pk]}, "countdown": receivers.EVENTS_DELAY_SECONDS},
        {"kwargs": {"account_ids": [other.pk]}, "countdown": receivers.EVENTS_DELAY_SECONDS},
    ]
    tasks.onboarding_events_apply_task(account_ids=[account.pk, other.pk])  # the run starts
    with django_capture_on_commit_callbacks(execute=True):
        events_ingested.send(sender=None, account_ids=[account.pk])
    assert len(queued) == 3


def test_many_accounts_in_chunks_each_from_its_own_contract_start(published_map, tech_template, monkeypatch):
    """The open items and goals are read first and their events looked up in chunks of accounts:
    each account's items count its events from its own contract start, goals count every event,
    items ticked by hand keep their time, and an account of the batch without anything open and
    an account outside the batch are left alone."""
    from datetime import date

    from accounts.choices import Tier
    from tests.factories import SubscriptionFactory

    monkeypatch.setattr("onboarding.services.progress.EVENTS_QUERY_ACCOUNTS", 1)
    now = timezone.now()
    accounts, checklists, plans = [], [], []
    for days in (10, 30, 50):
        account = AccountFactory(tier=Tier.STANDARD, segment="SMB")
        SubscriptionFactory(account=account, start_date=date.today() - timedelta(days=days), is_trial=False)
        accounts.append(account)
        checklists.append(services.checklist_start(account=account))
        plans.append(services.success_plan_start(account=account, success_map=published_map))
        # an event 20 days ago: after the contract start of the 30- and 50-day accounts only
        UsageEventFactory(account=account, event="report_created", occurred_at=now - timedelta(days=20))
        UsageEventFactory(account=account, event="report_created", occurred_at=now - timedelta(days=2))
        UsageEventFactory(account=account, event="integration_connected", occurred_at=now - timedelta(days=200))
    ticked = checklists[2].items.get(completion_event="report_created")
    services.checklist_item_toggle(item=ticked, done=True)
    ticked.refresh_from_db()
    outside = AccountFactory(tier=Tier.STANDARD)
    outside_checklist = services.checklist_start(account=outside)
    UsageEventFactory(account=outside, event="report_created")
    idle = AccountFactory()

    # when
    result = services.onboarding_events_apply(account_ids=[a.pk for a in accounts] + [idle.pk])

    # then
    items = [c.items.get(completion_event="report_created") for c in checklists]
    assert [i.completed_at for i in items] == [now - timedelta(days=2), now - timedelta(days=20), ticked.completed_at]
    assert [i.completion_source for i in items] == [CompletionSource.EVENT, CompletionSource.EVENT, "manual"]
    goals = [p.goals.get(title="Connect a data source") for p in plans]
    assert all(g.completed_at == now - timedelta(days=200) for g in goals)
    assert result == {"items": 2, "goals": 3}
    assert not outside_checklist.items.filter(completed_at__isnull=False).exists()
    assert services.onboarding_events_apply(account_ids=[a.pk for a in accounts]) == {"items": 0, "goals": 0}
