"""The account page's "success_plan" and "onboarding" panels (registered in OnboardingConfig.ready()).
Their context functions are also what the panel actions (onboarding.views.account) render after a
change, so the markup exists once. Each runs a constant number of queries."""

from django.utils import timezone

from accounts.access import account_can_write
from core.choices import Role
from core.models import User

from .choices import ChecklistStatus, PlanStatus
from .metrics import ttfv
from .models import ChecklistTemplate
from .selectors import checklist_for_account, contact_goals, plan_for_account, published_maps
from .services import share_link_token


def success_plan_context(request, account) -> dict:
    plan = plan_for_account(account_id=account.pk)
    can_edit = account_can_write(request.user, account)
    context = {"plan": plan, "can_edit": can_edit, "now": timezone.now()}
    if plan is not None:
        goals = list(plan.goals.all())
        done = sum(1 for g in goals if g.is_done)
        links = []
        for link in plan.share_links.all():
            links.append(
                {
                    "link": link,
                    "usable": link.is_usable(),
                    "url": request.build_absolute_uri(f"/plan/{share_link_token(link)}/"),
                }
            )
        context.update(
            goals=goals,
            goals_done=done,
            progress=round(100 * done / len(goals)) if goals else 0,
            stages=list(plan.map_version.stages.all()),
            links=links,
            is_active=plan.status == PlanStatus.ACTIVE,
        )
    if can_edit:
        context["maps"] = list(published_maps()) if plan is None or plan.status != PlanStatus.ACTIVE else []
        # the goal owner and share pickers show a name (and a contact's language): only those
        # columns, a third of the panel's cost otherwise (issue 23)
        context["contacts"] = list(
            account.contacts.only("id", "account_id", "name", "email", "external_id", "language")[:50]
        )
        context["csms"] = list(
            User.objects.filter(is_active=True)
            .exclude(role=Role.READONLY)
            .only("id", "username", "first_name", "last_name")[:100]
        )
    return context


def onboarding_context(request, account) -> dict:
    checklist = checklist_for_account(account_id=account.pk)
    can_edit = account_can_write(request.user, account)
    today = timezone.now().date()
    context = {"checklist": checklist, "can_edit": can_edit, "today": today}
    if checklist is not None:
        items = list(checklist.items.all())
        done = sum(1 for i in items if i.is_done)
        context.update(
            items=items,
            items_done=done,
            progress=round(100 * done / len(items)) if items else 0,
            overdue=sum(1 for i in items if i.is_overdue(today)),
            is_active=checklist.status == ChecklistStatus.ACTIVE,
        )
    context["ttfv"] = ttfv(account_ids=[account.pk]).for_account(account.pk)
    if can_edit and (checklist is None or checklist.status != ChecklistStatus.ACTIVE):
        context["templates"] = list(ChecklistTemplate.objects.filter(is_active=True))
    return context


def contact_goals_context(request, contact) -> dict | None:
    """The person page's "Success plan goals" they own (one query); hidden when they own none."""
    goals = contact_goals(contact_id=contact.pk)
    if not goals:
        return None
    return {"goals": goals, "today": timezone.now().date(), "account_id": contact.account_id}
