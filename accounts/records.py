"""Writes for imported records: accounts, contacts, subscriptions, tickets and cost entries
coming from the REST API, the CSV import and Stripe.

Every function takes already-validated values (model instances for foreign keys) and writes a
whole list in a few statements (bulk create + bulk update), so 10,000 items cost the same
handful of queries as one. Upsert rule (docs/api.md): an item whose external id already
exists updates that record, others are created; only the fields that differ are written, so
sending the same data twice changes nothing (`unchanged`). Subscriptions without an external id
are matched on (account, plan, start date).

Subscription writes refresh the accounts' denormalised revenue, send
`accounts.signals.subscription_changed` with the kind of change, and when an account's last
paid subscription ends, set its lifecycle stage to Churned (with a timeline entry) and emit the
"account.churned" webhook. Ticket writes send `ticket_changed`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import models, transaction
from django.utils import timezone

from core.db import lookup_by
from core.webhooks import webhook_emit

from .changelog import changes_log
from .choices import LifecycleStage
from .models import Account, Contact, CostEntry, Subscription, SupportTicket
from .services import account_revenue_refresh, accounts_stage_set
from .signals import subscription_changed, ticket_changed

__all__ = [
    "UpsertResult",
    "account_delete",
    "accounts_upsert",
    "contact_delete",
    "contacts_upsert",
    "costs_upsert",
    "record_update",
    "subscription_change_kind",
    "subscription_delete",
    "subscriptions_after_write",
    "subscriptions_upsert",
    "ticket_delete",
    "tickets_upsert",
]


@dataclass
class UpsertResult:
    objects: list = field(default_factory=list)  # in the order of the items
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    before: dict = field(default_factory=dict)  # pk -> {field: old value} for updated rows
    new: list = field(default_factory=list)  # the created objects

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _value(instance: models.Model, name: str):
    f = instance._meta.get_field(name)
    return getattr(instance, f.attname)


def _upsert(
    model: type[models.Model], items: Sequence[dict], existing: dict[object, models.Model], key
) -> UpsertResult:
    """Create the items whose key is not in `existing`, update the others where they differ."""
    result = UpsertResult()
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    changed_fields: set[str] = set()
    for item in items:
        current = existing.get(key(item))
        if current is None:
            obj = model(**item)
            to_create.append(obj)
            result.objects.append(obj)
            continue
        old = {}
        for name, value in item.items():
            f = model._meta.get_field(name)
            new_raw = value.pk if isinstance(f, models.ForeignKey) and value is not None else value
            if _value(current, name) != new_raw:
                old[name] = _value(current, name)
                setattr(current, name, value)
        if old:
            to_update.append(current)
            changed_fields.update(old)
            result.before[current.pk] = old
        else:
            result.unchanged += 1
        result.objects.append(current)
    if to_create:
        model.objects.bulk_create(to_create, batch_size=1000)
        result.new = to_create
    if to_update:
        if any(f.name == "updated_at" for f in model._meta.fields):
            now = timezone.now()
            for obj in to_update:
                obj.updated_at = now
            changed_fields.add("updated_at")
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=1000)
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _by_external_id(model, items: Iterable[dict]) -> dict:
    return lookup_by(model.objects.all(), "external_id", (i["external_id"] for i in items if i.get("external_id")))


# Section: accounts and contacts


@transaction.atomic
def accounts_upsert(*, items: Sequence[dict], author=None, source: str = "api") -> UpsertResult:
    """Upsert accounts by external id. `parent` may name an account created in the same list.
    Each updated account gets one "change" entry on its timeline (accounts.changelog)."""
    parents = {}
    plain = []
    for item in items:
        item = dict(item)
        if "parent" in item and isinstance(item["parent"], str):
            parents[item["external_id"]] = item.pop("parent")
        plain.append(item)
    result = _upsert(Account, plain, _by_external_id(Account, plain), key=lambda i: i["external_id"])
    if parents:
        known = {a.external_id: a for a in result.objects}
        missing = [p for p in parents.values() if p not in known]
        known.update(lookup_by(Account.objects.all(), "external_id", missing))
        changed = []
        new_ids = {a.pk for a in result.new}
        for account in result.objects:
            if account.external_id in parents:
                parent = known.get(parents[account.external_id])
                if parent is None:
                    raise ValueError(f"unknown parent account {parents[account.external_id]!r}")
                if account.parent_id != parent.pk:
                    if account.pk not in new_ids:
                        result.before.setdefault(account.pk, {})["parent"] = account.parent_id
                    account.parent = parent
                    changed.append(account)
        Account.objects.bulk_update(changed, ["parent"], batch_size=1000)
    changes_log(objects=result.objects, before=result.before, author=author, source=source)
    return result


@transaction.atomic
def contacts_upsert(*, items: Sequence[dict], author=None, source: str = "api") -> UpsertResult:
    result = _upsert(Contact, items, _by_external_id(Contact, items), key=lambda i: i["external_id"])
    changes_log(objects=result.objects, before=result.before, author=author, source=source)
    return result


@transaction.atomic
def account_delete(*, account: Account) -> None:
    """Delete an account and everything that hangs from it (contacts, events, tickets...)."""
    account.delete()


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    contact.delete()


# Section: subscriptions


def subscription_change_kind(*, old: dict | None, sub: Subscription, today: date | None = None) -> str:
    """What a write did to a subscription, for `subscription_changed` receivers (playbooks):
    created, cancelled, upgrade, downgrade, renewed or updated."""
    today = today or timezone.now().date()
    if old is None:
        return "created"
    old_end = old.get("end_date", sub.end_date)
    if ("canceled_at" in old and old["canceled_at"] is None and sub.canceled_at is not None) or (
        "end_date" in old and sub.end_date is not None and (old_end is None or sub.end_date < old_end)
    ):
        return "cancelled"
    if "mrr" in old and sub.mrr > old["mrr"]:
        return "upgrade"
    if "mrr" in old and sub.mrr < old["mrr"]:
        return "downgrade"
    if "end_date" in old and old_end is not None and (sub.end_date is None or sub.end_date > old_end):
        return "renewed"
    return "updated"


CHURNED_BY_BILLING = "Billing: the last paid subscription ended, none is active today."


def subscriptions_after_write(
    *, changes: list[tuple[Subscription, str]], account_ids: set[int], before: dict | None = None
) -> None:
    """What follows any subscription write: revenue refresh; accounts that paid before and have
    no active paid subscription today (a cancelled one still runs to its end date) churn: stage
    Churned with a timeline entry; then the signals (playbooks cancel a churned account's open
    tasks when they handle them) and the churn webhook. `before` ({subscription id: {field: old
    value}}) goes with the signal as `previous` (JSON-safe strings), e.g. the MRR a downgrade
    left behind."""
    paying_before = set(Account.objects.filter(pk__in=account_ids, mrr__gt=0).values_list("pk", flat=True))
    account_revenue_refresh(account_ids=account_ids)
    churned: list[Account] = []
    today = timezone.now().date()
    if paying_before:
        still_paying = set(
            Subscription.objects.active_on(today)
            .paid()
            .filter(account_id__in=paying_before, mrr__gt=0)
            .values_list("account_id", flat=True)
        )
        churned = list(Account.objects.filter(pk__in=paying_before - still_paying).order_by("pk"))
        # Before the signals, so their receivers (and what they queue) see the new stage.
        accounts_stage_set(
            accounts=churned,
            stage=LifecycleStage.CHURNED,
            body=CHURNED_BY_BILLING,
            metadata={"source": "billing", "churned_on": today.isoformat()},
        )
    before = before or {}
    for sub, change in changes:
        previous = {name: None if v is None else str(v) for name, v in before.get(sub.pk, {}).items()}
        subscription_changed.send(
            sender=Subscription, account_id=sub.account_id, subscription_id=sub.pk, change=change, previous=previous
        )
    for account in churned:
        webhook_emit(
            event="account.churned",
            payload={"account": account.external_id, "name": account.name, "churned_on": today},
        )


def _subscription_key(item: dict):
    if item.get("external_id"):
        return ("ext", item["external_id"])
    return ("nat", item["account"].pk, item["plan"], item["start_date"])


@transaction.atomic
def subscriptions_upsert(*, items: Sequence[dict]) -> UpsertResult:
    existing: dict = {("ext", k): v for k, v in _by_external_id(Subscription, items).items()}
    natural = [i for i in items if not i.get("external_id")]
    if natural:
        account_ids = {i["account"].pk for i in natural}
        for sub in Subscription.objects.filter(account_id__in=account_ids, external_id__isnull=True):
            existing.setdefault(("nat", sub.account_id, sub.plan, sub.start_date), sub)
    result = _upsert(Subscription, items, existing, key=_subscription_key)
    changes = [(s, "created") for s in result.new]
    changes += [
        (s, subscription_change_kind(old=result.before[s.pk], sub=s)) for s in result.objects if s.pk in result.before
    ]
    if changes:
        subscriptions_after_write(changes=changes, account_ids={s.account_id for s, _ in changes}, before=result.before)
    return result


@transaction.atomic
def subscription_delete(*, subscription: Subscription) -> None:
    account_id, pk = subscription.account_id, subscription.pk
    subscription.delete()
    subscription.pk = pk
    subscriptions_after_write(changes=[(subscription, "deleted")], account_ids={account_id})


# Section: tickets and costs


@transaction.atomic
def tickets_upsert(*, items: Sequence[dict]) -> UpsertResult:
    result = _upsert(SupportTicket, items, _by_external_id(SupportTicket, items), key=lambda i: i["external_id"])
    for ticket in result.new:
        ticket_changed.send(sender=SupportTicket, account_id=ticket.account_id, ticket_id=ticket.pk, created=True)
    for ticket in result.objects:
        if ticket.pk in result.before:
            ticket_changed.send(sender=SupportTicket, account_id=ticket.account_id, ticket_id=ticket.pk, created=False)
    return result


@transaction.atomic
def ticket_delete(*, ticket: SupportTicket) -> None:
    ticket.delete()


@transaction.atomic
def costs_upsert(*, items: Sequence[dict]) -> UpsertResult:
    """Cost entries have no external id: (period_start, period_end, category, note) names one,
    so re-sending the same entry updates its amount instead of counting it twice."""
    starts = {i["period_start"] for i in items}
    existing = {
        (c.period_start, c.period_end, c.category, c.note): c for c in CostEntry.objects.filter(period_start__in=starts)
    }
    return _upsert(
        CostEntry,
        items,
        existing,
        key=lambda i: (i["period_start"], i["period_end"], i.get("category", "other"), i.get("note", "")),
    )


# Section: single-record updates (PUT / PATCH)


@transaction.atomic
def record_update(*, instance: models.Model, values: dict, author=None, source: str = "api") -> models.Model:
    """Update one imported record with validated values; same side effects as an upsert (an
    account's or a contact's change goes on the timeline)."""
    old = {}
    for name, value in values.items():
        f = instance._meta.get_field(name)
        new_raw = value.pk if isinstance(f, models.ForeignKey) and value is not None else value
        if _value(instance, name) != new_raw:
            old[name] = _value(instance, name)
            setattr(instance, name, value)
    if not old:
        return instance
    fields = sorted(old)
    if any(f.name == "updated_at" for f in instance._meta.fields):
        fields.append("updated_at")
    if isinstance(instance, Account) and "parent" in values:
        _check_no_cycle(instance)
    instance.save(update_fields=fields)
    if isinstance(instance, Account | Contact):
        changes_log(objects=[instance], before={instance.pk: old}, author=author, source=source)
    if isinstance(instance, Subscription):
        accounts = {instance.account_id, old.get("account", instance.account_id)}
        subscriptions_after_write(
            changes=[(instance, subscription_change_kind(old=old, sub=instance))], account_ids=accounts
        )
    elif isinstance(instance, SupportTicket):
        ticket_changed.send(sender=SupportTicket, account_id=instance.account_id, ticket_id=instance.pk, created=False)
    return instance


def _check_no_cycle(account: Account) -> None:
    seen = {account.pk}
    parent = account.parent
    while parent is not None:
        if parent.pk in seen:
            raise ValueError("parent: this would make the account its own ancestor")
        seen.add(parent.pk)
        parent = parent.parent
