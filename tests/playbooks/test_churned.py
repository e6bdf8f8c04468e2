"""Churned accounts (lifecycle stage Churned): playbooks leave them out unless they target them
(win-back), and their open tasks are cancelled, with a note on the task and the timeline."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Activity
from demo.playbooks import default_playbooks_create
from health.models import HealthScore
from playbooks.choices import TaskStatus
from playbooks.evaluation import playbook_evaluate
from playbooks.models import Task
from playbooks.services import (
    CHURNED_NOTE,
    playbooks_run,
    playbooks_run_event,
    task_complete,
    task_snooze,
    tasks_cancel_churned,
)
from tests.factories import AccountFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def _turns_red(account):
    HealthScore.objects.create(account=account, day=TODAY - timedelta(1), score=70, band="green", measures={})
    HealthScore.objects.create(account=account, day=TODAY, score=30, band="red", measures={})


def test_default_playbooks_leave_churned_accounts_alone(csm_user):
    # given: two accounts turning red, one of them a lost customer
    live = AccountFactory(owner=csm_user, lifecycle_stage="adoption", mrr=500)
    lost = AccountFactory(owner=csm_user, lifecycle_stage="churned", mrr=0, renewal_date=None)
    _turns_red(live)
    _turns_red(lost)
    default_playbooks_create()
    # when: the nightly run
    playbooks_run(source="nightly")
    # then: a rescue task and "at risk" for the live one only; the lost one stays churned
    assert list(Task.objects.values_list("account_id", flat=True)) == [live.pk]
    assert Account.objects.get(pk=live.pk).lifecycle_stage == "at_risk"
    assert Account.objects.get(pk=lost.pk).lifecycle_stage == "churned"


def test_preview_leaves_churned_accounts_out_too(make_playbook):
    live, lost = AccountFactory(), AccountFactory(lifecycle_stage="churned")
    _turns_red(live)
    _turns_red(lost)
    pb = make_playbook("health_band_change", {"to_band": "red"})
    preview = playbook_evaluate(playbook=pb, dry_run=True).preview
    assert [row.account_id for row in preview] == [live.pk]


def test_a_win_back_playbook_targets_churned_accounts(make_playbook):
    # given: a playbook whose conditions list the Churned stage, and one on entering it
    live, lost = AccountFactory(lifecycle_stage="mature"), AccountFactory(lifecycle_stage="churned")
    _turns_red(live)
    _turns_red(lost)
    winback = make_playbook("health_band_change", {"to_band": "red"}, conditions={"lifecycle_stages": ["churned"]})
    entering = make_playbook(
        "segment_entered", {"field": "lifecycle_stage", "value": "churned", "include_existing": "yes"}
    )
    assert winback.targets_churned and entering.targets_churned
    # when
    playbook_evaluate(playbook=winback)
    playbook_evaluate(playbook=entering)
    # then: both act on the churned account (and only on it)
    assert set(Task.objects.filter(playbook=winback).values_list("account_id", flat=True)) == {lost.pk}
    assert set(Task.objects.filter(playbook=entering).values_list("account_id", flat=True)) == {lost.pk}
    # and a run keeps their tasks open: they are about the churn
    playbooks_run(source="nightly")
    assert Task.objects.filter(account=lost, status=TaskStatus.OPEN).count() == 2


def test_open_tasks_are_cancelled_when_the_account_churns(csm_user):
    # given: an account with open, snoozed and done tasks, and another live account
    account = AccountFactory(owner=csm_user, lifecycle_stage="at_risk")
    open_task = TaskFactory(account=account, title="Build a rescue plan")
    snoozed = TaskFactory(
        account=account, title="Renewal prep", status=TaskStatus.SNOOZED, snoozed_until=TODAY + timedelta(3)
    )
    done = TaskFactory(account=account, status=TaskStatus.DONE, outcome_note="Called.")
    other = TaskFactory(account=AccountFactory(owner=csm_user))
    # when: the stage becomes Churned (an import or the API: no signal) and the nightly run comes
    Account.objects.filter(pk=account.pk).update(lifecycle_stage="churned")
    playbooks_run(source="nightly")
    # then: its open tasks are cancelled with the reason; the rest is untouched
    for task in (open_task, snoozed):
        task.refresh_from_db()
        assert task.status == TaskStatus.CANCELLED and task.outcome_note == CHURNED_NOTE
        assert task.snoozed_until is None and task.completed_at is not None
    done.refresh_from_db()
    other.refresh_from_db()
    assert done.status == TaskStatus.DONE and other.status == TaskStatus.OPEN
    # one timeline entry on the account lists what was cancelled
    entry = Activity.objects.get(account=account, kind="system")
    assert entry.subject == "2 open tasks cancelled: the account churned"
    assert "- Build a rescue plan" in entry.body and "- Renewal prep" in entry.body
    assert sorted(entry.metadata["task_ids"]) == sorted([open_task.pk, snoozed.pk])
    # a second run has nothing left to do
    assert tasks_cancel_churned() == 0
    playbooks_run(source="nightly")
    assert Activity.objects.filter(account=account, kind="system").count() == 1


def test_a_subscription_event_cancels_at_once(csm_user):
    # given: the account's stage became Churned along with a subscription change
    account = AccountFactory(owner=csm_user, lifecycle_stage="churned")
    task = TaskFactory(account=account)
    elsewhere = TaskFactory(account=AccountFactory(owner=csm_user, lifecycle_stage="churned"))
    # when: the event run for that account (what the subscription_changed receiver queues)
    playbooks_run_event(
        event={
            "event": "subscription.changed",
            "account_id": account.pk,
            "subscription_id": None,
            "change": "cancelled",
        }
    )
    # then: that account's tasks only (the others wait for the nightly run)
    task.refresh_from_db()
    elsewhere.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED and elsewhere.status == TaskStatus.OPEN


def test_a_playbook_that_churns_an_account_cancels_its_other_tasks(make_playbook):
    # given: an account with an open task from elsewhere, and a playbook that turns red accounts
    # into churned ones with an exit interview task
    account = AccountFactory(lifecycle_stage="at_risk")
    _turns_red(account)
    earlier = TaskFactory(account=account, title="Earlier task")
    pb = make_playbook(
        "health_band_change",
        {"to_band": "red"},
        actions=[
            {"type": "task", "template": make_playbook_template()},
            {"type": "lifecycle", "stage": "churned"},
        ],
    )
    assert pb.handles_churn and not pb.targets_churned
    # when
    playbook_evaluate(playbook=pb)
    # then: the earlier task is cancelled at once, the playbook's own task stays open
    earlier.refresh_from_db()
    assert earlier.status == TaskStatus.CANCELLED
    own = Task.objects.get(playbook=pb)
    assert own.status == TaskStatus.OPEN
    assert Account.objects.get(pk=account.pk).lifecycle_stage == "churned"


def make_playbook_template():
    from tests.factories.playbooks import TaskTemplateFactory

    return TaskTemplateFactory(title="Exit interview with {{ account.name }}").pk


def test_a_cancelled_task_is_closed_for_the_csm(csm_client, csm_user):
    # given
    account = AccountFactory(owner=csm_user, lifecycle_stage="churned")
    task = TaskFactory(account=account, title="Gone with the account")
    tasks_cancel_churned()
    task.refresh_from_db()
    # then: not in the inbox, nothing to complete or snooze, and its page says why
    assert "Gone with the account" not in csm_client.get(reverse("playbooks:inbox")).content.decode()
    with pytest.raises(ValidationError):
        task_complete(task=task, user=csm_user, outcome_note="Done anyway")
    with pytest.raises(ValidationError):
        task_snooze(task=task, user=csm_user, until=TODAY + timedelta(2))
    body = csm_client.get(reverse("playbooks:task_detail", args=[task.pk])).content.decode()
    assert 'id="task-cancelled"' in body and CHURNED_NOTE in body and 'id="complete-form"' not in body
    api = csm_client.get("/api/v1/tasks/", {"status": "cancelled"})
    assert api.status_code == 200 and [t["id"] for t in api.json()["results"]] == [task.pk]


def test_billing_churn_cancels_the_open_tasks_at_once(csm_user, django_capture_on_commit_callbacks):
    """The last paid subscription ends (the write the API and Stripe make): accounts sets the stage to Churned before it
    sends subscription_changed, so the event's playbook run (which starts by cancelling churned
    accounts' tasks) cancels this account's open tasks right after the commit, not the next night."""
    from datetime import date
    from decimal import Decimal

    from accounts.models import Subscription
    from accounts.records import record_update
    from accounts.services import account_revenue_refresh
    from tests.factories import SubscriptionFactory

    # given: a paying account with an open and a snoozed task, and a live account's task
    account = AccountFactory(owner=csm_user, external_id="acme", lifecycle_stage="adoption")
    SubscriptionFactory(account=account, external_id="sub-1", mrr=Decimal("500"), start_date=date(2024, 1, 1))
    account_revenue_refresh(account_ids=[account.pk])
    open_task = TaskFactory(account=account)
    snoozed = TaskFactory(account=account, status=TaskStatus.SNOOZED, snoozed_until=TODAY + timedelta(3))
    live_task = TaskFactory(account=AccountFactory(owner=csm_user))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        record_update(instance=Subscription.objects.get(), values={"end_date": date(2025, 1, 1)})
    # then
    assert Account.objects.get(pk=account.pk).lifecycle_stage == "churned"
    for task in (open_task, snoozed):
        task.refresh_from_db()
        assert task.status == TaskStatus.CANCELLED and task.outcome_note == CHURNED_NOTE
    live_task.refresh_from_db()
    assert live_task.status == TaskStatus.OPEN
    subjects = list(Activity.objects.filter(account=account).order_by("pk").values_list("subject", flat=True))
    assert subjects == ["Lifecycle stage Adoption → Churned", "2 open tasks cancelled: the account churned"]
