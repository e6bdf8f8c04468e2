"""Onboarding checklists: the team settings, templates and their items, a checklist started
for an account (one or many at once) and its items ticked by hand."""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Tier
from accounts.models import Account, Subscription
from health.services import account_health_refresh_soon

from ..choices import TIER_TOUCH, ChecklistStatus, CompletionSource, ItemOwner
from ..models import (
    AccountChecklist,
    AccountChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    OnboardingSettings,
)
from ..panel_cache import checklists_changed, checklists_changed_by_id
from .plans import events_apply_soon

__all__ = [
    "checklist_item_toggle",
    "checklist_start",
    "checklist_template_create",
    "checklist_template_for",
    "checklist_template_item_create",
    "checklist_template_item_delete",
    "checklist_template_update",
    "checklists_refresh",
    "checklists_start",
    "contract_start_for",
    "contract_starts_for",
    "onboarding_settings_update",
]


def onboarding_settings_update(*, value_event: str, stalled_days: int, stuck_days: int) -> OnboardingSettings:
    obj = OnboardingSettings.load()
    obj.value_event, obj.stalled_days, obj.stuck_days = value_event.strip(), stalled_days, stuck_days
    obj.full_clean()
    obj.save(update_fields=["value_event", "stalled_days", "stuck_days", "updated_at"])
    return obj


def checklist_template_create(
    *, name: str, touch_model: str, tiers: list[str], value_event: str = ""
) -> ChecklistTemplate:
    template = ChecklistTemplate(
        name=name.strip(), touch_model=touch_model, tiers=sorted(set(tiers)), value_event=value_event.strip()
    )
    template.full_clean()
    template.save()
    return template


def checklist_template_update(
    *, template: ChecklistTemplate, name: str, touch_model: str, tiers: list[str], value_event: str, is_active: bool
) -> ChecklistTemplate:
    template.name, template.touch_model, template.tiers = name.strip(), touch_model, sorted(set(tiers))
    template.value_event, template.is_active = value_event.strip(), is_active
    template.full_clean()
    template.save()
    return template


def checklist_template_item_create(
    *,
    template: ChecklistTemplate,
    title: str,
    owner: str = ItemOwner.CSM,
    due_offset_days: int = 7,
    completion_event: str = "",
    description: str = "",
) -> ChecklistTemplateItem:
    last = template.items.aggregate(m=Max("position"))["m"]
    item = ChecklistTemplateItem(
        template=template,
        title=title.strip(),
        owner=owner,
        due_offset_days=due_offset_days,
        completion_event=completion_event.strip(),
        description=description,
        position=0 if last is None else last + 1,
    )
    item.full_clean()
    item.save()
    return item


def checklist_template_item_delete(*, item: ChecklistTemplateItem) -> None:
    item.delete()


def _active_templates() -> list[ChecklistTemplate]:
    return list(ChecklistTemplate.objects.filter(is_active=True).order_by("-created_at", "-id"))


def _template_for(account: Account, templates: list[ChecklistTemplate]) -> ChecklistTemplate | None:
    for template in templates:
        if account.tier in (template.tiers or []):
            return template
    touch = TIER_TOUCH.get(cast(Tier, account.tier))
    return next((t for t in templates if t.touch_model == touch and not t.tiers), None)


def checklist_template_for(account: Account) -> ChecklistTemplate | None:
    """An active template naming the account's tier, else one of the tier's touch model."""
    return _template_for(account, _active_templates())


def contract_start_for(account: Account) -> date | None:
    return Subscription.objects.filter(account=account, is_trial=False).aggregate(d=Min("start_date"))["d"]


def contract_starts_for(account_ids: Iterable[int]) -> dict[int, date]:
    """contract_start_for of many accounts in one query: {account id: first paid start};
    accounts with no paid subscription are absent."""
    return dict(
        Subscription.objects.filter(account_id__in=list(account_ids), is_trial=False)
        .values("account_id")
        .annotate(d=Min("start_date"))
        .values_list("account_id", "d")
        .order_by()
    )


def _checklist_items(checklist: AccountChecklist, template_items, owner_id: int | None):
    """A new checklist's items, from its template's (unsaved; the caller bulk-creates them)."""
    for item in template_items:
        yield AccountChecklistItem(
            checklist=checklist,
            position=item.position,
            title=item.title,
            owner=item.owner,
            owner_user_id=owner_id if item.owner == ItemOwner.CSM else None,
            due_date=checklist.contract_start + timedelta(days=item.due_offset_days),
            completion_event=item.completion_event,
            translations={code: {"title": t["title"]} for code, t in item.translations.items() if t.get("title")},
        )


@transaction.atomic
def checklist_start(*, account: Account, template: ChecklistTemplate | None = None) -> AccountChecklist:
    """Start an onboarding checklist (template chosen by the account's tier when None).
    Safe to call twice: an active checklist is returned as it is."""
    existing = (
        AccountChecklist.objects.select_for_update().filter(account=account, status=ChecklistStatus.ACTIVE).first()
    )
    if existing is not None:
        return existing
    template = template or checklist_template_for(account)
    if template is None:
        raise ValidationError(
            _("No active checklist template fits the %(tier)s tier.") % {"tier": account.get_tier_display()}
        )
    start = contract_start_for(account) or timezone.now().date()
    try:
        with transaction.atomic():
            checklist = AccountChecklist.objects.create(
                account=account,
                template=template,
                name=template.name,
                contract_start=start,
                value_event=template.value_event,
            )
    except IntegrityError:
        # A concurrent call started one first (one active checklist per account).
        return AccountChecklist.objects.get(account=account, status=ChecklistStatus.ACTIVE)
    AccountChecklistItem.objects.bulk_create(_checklist_items(checklist, template.items.all(), account.owner_id))
    transaction.on_commit(lambda: events_apply_soon([account.pk]))
    return checklist


@transaction.atomic
def checklists_start(*, accounts: Iterable[Account]) -> list[AccountChecklist]:
    """`checklist_start` for many accounts (each with its tier's template) in a constant number
    of queries, for the demo and bulk onboarding: the same checklists and items, in the order
    given, and one deferred apply of their events instead of one per account. Accounts with an
    active checklist keep it (it is returned); a concurrent start of the same account makes the
    whole call fail on the one-active-checklist constraint."""
    accounts = list(accounts)
    if not accounts:
        return []
    ids = [account.pk for account in accounts]
    existing = {
        c.account_id: c
        for c in AccountChecklist.objects.select_for_update().filter(account_id__in=ids, status=ChecklistStatus.ACTIVE)
    }
    templates = _active_templates()
    starts = contract_starts_for(ids)
    today = timezone.now().date()
    new: list[AccountChecklist] = []
    for account in accounts:
        if account.pk in existing:
            continue
        template = _template_for(account, templates)
        if template is None:
            raise ValidationError(
                _("No active checklist template fits the %(tier)s tier.") % {"tier": account.get_tier_display()}
            )
        new.append(
            AccountChecklist(
                account=account,
                template=template,
                name=template.name,
                contract_start=starts.get(account.pk) or today,
                value_event=template.value_event,
            )
        )
    AccountChecklist.objects.bulk_create(new)
    items = {t.pk: list(t.items.all()) for t in templates if any(c.template_id == t.pk for c in new)}
    owners = {account.pk: account.owner_id for account in accounts}
    AccountChecklistItem.objects.bulk_create(
        row
        for checklist in new
        for row in _checklist_items(checklist, items[cast(int, checklist.template_id)], owners[checklist.account_id])
    )
    if new:
        started_ids = [c.account_id for c in new]
        checklists_changed(started_ids)  # bulk_create sends no post_save (the account page's panel)
        transaction.on_commit(lambda: events_apply_soon(started_ids))
    by_account = {**existing, **{c.account_id: c for c in new}}
    return [by_account[pk] for pk in dict.fromkeys(ids)]


def checklist_item_toggle(*, item: AccountChecklistItem, done: bool) -> AccountChecklistItem:
    if done == item.is_done:
        return item
    item.completed_at = timezone.now() if done else None
    item.completion_source = CompletionSource.MANUAL if done else ""
    item.save(update_fields=["completed_at", "completion_source"])
    checklists_refresh(checklist_ids=[item.checklist_id])
    # Onboarding progress is a health measure: let the score follow within a minute.
    account_health_refresh_soon(account_id=item.checklist.account_id)
    return item


def checklists_refresh(*, checklist_ids: Iterable[int]) -> None:
    """Checklists whose items are all done become completed (and back, if an item is unticked)."""
    ids = list(checklist_ids)
    if not ids:
        return
    open_checklist_ids = AccountChecklistItem.objects.filter(checklist_id__in=ids, completed_at__isnull=True).values(
        "checklist_id"
    )
    last_done = (
        AccountChecklistItem.objects.filter(checklist=OuterRef("pk"))
        .order_by("-completed_at")
        .values("completed_at")[:1]
    )
    AccountChecklist.objects.filter(pk__in=ids, status=ChecklistStatus.ACTIVE).exclude(
        pk__in=open_checklist_ids
    ).update(status=ChecklistStatus.COMPLETED, completed_at=Subquery(last_done))
    reopened = AccountChecklist.objects.filter(pk__in=ids, status=ChecklistStatus.COMPLETED).filter(
        pk__in=open_checklist_ids
    )
    reopened.update(status=ChecklistStatus.ACTIVE, completed_at=None)
    checklists_changed_by_id(ids)  # no signals from update() (the account page's panel)
