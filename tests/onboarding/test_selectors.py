"""Stalled checklists and overdue items: the playbook triggers' sources."""

from datetime import date, timedelta

from django.utils import timezone

from onboarding import services
from onboarding.choices import ChecklistStatus
from onboarding.models import AccountChecklist, AccountChecklistItem, OnboardingSettings
from onboarding.selectors import checklist_items_overdue, checklists_stalled
from tests.factories import AccountFactory, SubscriptionFactory


def _started(days_ago: int, template):
    account = AccountFactory()
    SubscriptionFactory(account=account, start_date=date.today() - timedelta(days=days_ago))
    checklist = services.checklist_start(account=account, template=template)
    AccountChecklist.objects.filter(pk=checklist.pk).update(started_at=timezone.now() - timedelta(days=days_ago))
    return checklist


def test_stalled_means_no_item_completed_for_n_days(tech_template):
    # given
    OnboardingSettings.objects.update_or_create(pk=1, defaults={"stalled_days": 14})
    fresh = _started(5, tech_template)
    old_untouched = _started(30, tech_template)
    old_recent_progress = _started(30, tech_template)
    item = old_recent_progress.items.first()
    services.checklist_item_toggle(item=item, done=True)
    AccountChecklistItem.objects.filter(pk=item.pk).update(completed_at=timezone.now() - timedelta(days=3))
    old_old_progress = _started(40, tech_template)
    item = old_old_progress.items.first()
    services.checklist_item_toggle(item=item, done=True)
    AccountChecklistItem.objects.filter(pk=item.pk).update(completed_at=timezone.now() - timedelta(days=20))
    finished = _started(60, tech_template)
    AccountChecklist.objects.filter(pk=finished.pk).update(status=ChecklistStatus.COMPLETED)
    # when
    stalled = checklists_stalled(as_of=date.today())
    # then
    assert set(stalled.values_list("pk", flat=True)) == {old_untouched.pk, old_old_progress.pk}
    assert fresh.pk not in stalled.values_list("pk", flat=True)
    row = stalled.get(pk=old_old_progress.pk)
    assert row.items_done == 1 and row.items_total == 3
    # an explicit threshold, and as of an earlier day
    assert set(checklists_stalled(as_of=date.today(), days=25).values_list("pk", flat=True)) == {old_untouched.pk}
    assert not checklists_stalled(as_of=date.today() - timedelta(days=20), days=14).filter(pk=old_untouched.pk).exists()


def test_overdue_items(tech_template):
    # given: contract started 12 days ago: item due +3 and +10 are overdue, +30 not
    checklist = _started(12, tech_template)
    done = checklist.items.get(title="Watch the intro")
    services.checklist_item_toggle(item=done, done=True)
    # when
    overdue = checklist_items_overdue(as_of=date.today())
    # then
    assert list(overdue.values_list("title", flat=True)) == ["Create the first report"]
    assert overdue.first().checklist.account_id == checklist.account_id
    AccountChecklist.objects.filter(pk=checklist.pk).update(status=ChecklistStatus.CANCELLED)
    assert not checklist_items_overdue(as_of=date.today()).exists()
