"""Evaluation at once on events (signals -> Celery on commit), nightly after the health
recompute, and the run_playbooks command."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.signals import subscription_changed
from health.signals import band_changed, scores_recomputed
from playbooks.models import PlaybookRun, Task
from surveys.signals import response_recorded
from tests.factories import AccountFactory, SubscriptionFactory
from tests.factories.surveys import SurveyResponseFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def test_detractor_answer_creates_the_task_at_once(make_playbook, django_capture_on_commit_callbacks):
    account = AccountFactory()
    pb = make_playbook("survey_answer", {"answer": "detractor"})
    response = SurveyResponseFactory(account=account, score=2)
    with django_capture_on_commit_callbacks(execute=True):
        response_recorded.send(
            sender=None,
            response_id=response.pk,
            account_id=account.pk,
            contact_id=None,
            kind="nps",
            score=2,
            category="detractor",
        )
    task = Task.objects.get(playbook=pb)
    assert task.account == account and task.reason.startswith("NPS 2 (detractor)")
    assert PlaybookRun.objects.get().source == "event"


def test_subscription_change_event(make_playbook, django_capture_on_commit_callbacks):
    account = AccountFactory()
    sub = SubscriptionFactory(account=account, plan="Growth", canceled_at=timezone.now())
    pb = make_playbook("subscription_change", {"change": "cancelled"})
    other = make_playbook("renewal_due", {"days": 90})  # not for this account: nothing
    with django_capture_on_commit_callbacks(execute=True):
        subscription_changed.send(sender=None, account_id=account.pk, subscription_id=sub.pk, change="cancelled")
    assert Task.objects.get(playbook=pb).reason.startswith("cancelled the Growth plan")
    assert not Task.objects.filter(playbook=other).exists()


def test_band_change_event(make_playbook, django_capture_on_commit_callbacks):
    account = AccountFactory()
    pb = make_playbook("health_band_change", {"to_band": "red"})
    with django_capture_on_commit_callbacks(execute=True):
        band_changed.send(
            sender=None, account_id=account.pk, old_band="green", new_band="red", old_score=72, new_score=38, day=TODAY
        )
    assert "from green to red (score 72 → 38)" in Task.objects.get(playbook=pb).reason


def test_nightly_runs_after_the_health_recompute(make_playbook, django_capture_on_commit_callbacks):
    AccountFactory(renewal_date=TODAY + timedelta(days=20), mrr=Decimal("100"))
    make_playbook("renewal_due", {"days": 90})
    with django_capture_on_commit_callbacks(execute=True):
        scores_recomputed.send(sender=None, account_ids=None, day=TODAY)
    run = PlaybookRun.objects.get()
    assert run.source == "nightly" and run.enrolled == 1


def test_run_playbooks_command(make_playbook):
    account = AccountFactory(external_id="acme", renewal_date=TODAY + timedelta(days=20), mrr=Decimal("100"))
    make_playbook("renewal_due", {"days": 90}, name="Renewals")
    out = StringIO()
    call_command("run_playbooks", "--dry-run", stdout=out)
    assert "Renewals: 1 matched, 1 would enrol" in out.getvalue() and not Task.objects.exists()
    out = StringIO()
    call_command("run_playbooks", "--account", "acme", stdout=out)
    assert "Renewals: 1 matched, 1 enrolled" in out.getvalue()
    assert Task.objects.get().account == account
    out = StringIO()
    call_command("run_playbooks", "--as-of", TODAY.isoformat(), stdout=out)
    assert "Renewals: 1 matched, 0 enrolled (1 a task from this playbook is still open)" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_playbooks", "--as-of", "yesterday")
    with pytest.raises(CommandError, match="No account"):
        call_command("run_playbooks", "--account", "nope")


def test_a_health_backfill_of_past_days_runs_no_playbooks(make_playbook, django_capture_on_commit_callbacks):
    AccountFactory(renewal_date=TODAY + timedelta(days=20), mrr=Decimal("100"))
    make_playbook("renewal_due", {"days": 90})
    with django_capture_on_commit_callbacks(execute=True):
        scores_recomputed.send(sender=None, account_ids=None, day=TODAY - timedelta(days=30))
    assert not PlaybookRun.objects.exists()


def test_refreshes_of_the_same_accounts_are_evaluated_once(monkeypatch, django_capture_on_commit_callbacks):
    """A health refresh's accounts wait EVALUATE_DELAY_SECONDS for one gathered run: an account
    scored again meanwhile is not queued twice; once the run starts, the next refresh queues again."""
    from core.deferral import release_many
    from playbooks import receivers, tasks

    a, b, c = AccountFactory(), AccountFactory(), AccountFactory()
    release_many(receivers.evaluate_key(TODAY.isoformat(), x.pk) for x in (a, b, c))
    queued = []
    monkeypatch.setattr(tasks.playbooks_evaluate_task, "apply_async", lambda *args, **kw: queued.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        scores_recomputed.send(sender=None, account_ids=[a.pk, b.pk], day=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        scores_recomputed.send(sender=None, account_ids=[b.pk, c.pk], day=TODAY)
    assert [q["args"][1] for q in queued] == [sorted([a.pk, b.pk]), [c.pk]]
    assert {q["countdown"] for q in queued} == {receivers.EVALUATE_DELAY_SECONDS}
    monkeypatch.undo()
    tasks.playbooks_evaluate_task(TODAY.isoformat(), sorted([a.pk, b.pk]), "nightly")  # the run starts: keys released
    monkeypatch.setattr(tasks.playbooks_evaluate_task, "apply_async", lambda *args, **kw: queued.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        scores_recomputed.send(sender=None, account_ids=[a.pk, c.pk], day=TODAY)
    assert queued[-1]["args"][1] == [a.pk]  # c still waits for its queued run
    release_many(receivers.evaluate_key(TODAY.isoformat(), x.pk) for x in (a, b, c))
