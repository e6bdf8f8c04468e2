"""Onboarding checklists: the template chosen by tier, started once."""

from datetime import timedelta

from onboarding import services
from onboarding.models import AccountChecklistItem, PlanGoal


def test_checklist_start_picks_template_by_tier_and_is_idempotent(account, tech_template):
    # given
    from tests.factories.onboarding import ChecklistTemplateFactory

    ChecklistTemplateFactory(name="High-touch", touch_model="high_touch", tiers=["strategic", "key"])
    # when
    checklist = services.checklist_start(account=account)
    again = services.checklist_start(account=account)
    # then
    assert checklist.pk == again.pk and checklist.template == tech_template
    sub_start = account.subscriptions.get().start_date
    assert checklist.contract_start == sub_start
    assert sorted(checklist.items.values_list("due_date", flat=True)) == [
        sub_start + timedelta(days=3),
        sub_start + timedelta(days=10),
        sub_start + timedelta(days=30),
    ]
    csm_item = checklist.items.get(title="Check-in email")
    assert csm_item.owner_user_id == account.owner_id
    assert AccountChecklistItem.objects.filter(checklist__account=account).count() == 3
    assert PlanGoal.objects.count() == 0
