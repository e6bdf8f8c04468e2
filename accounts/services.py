"""Writes for the accounts floor: revenue denormalisation, lifecycle stages and the timeline.

Other floors call these rather than writing the models themselves (contracts A):
`account_revenue_refresh` after any subscription write, `accounts_stage_set` to move accounts
to a lifecycle stage with a timeline entry, `activity_create` for anything that goes on an
account's timeline.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import override

from core.mentions import mention_usernames
from core.models import User

from .choices import TOUCH_KINDS, ActivityKind, LifecycleStage
from .currency.services import base_mrr_expression
from .models import Account, Activity, Contact, Subscription
from .signals import note_created

__all__ = ["account_revenue_refresh", "accounts_stage_set", "activity_create", "activity_delete"]


# Section: revenue


def account_revenue_refresh(*, account_ids: Iterable[int] | None = None, today: date | None = None) -> int:
    """Recompute the denormalised `Account.mrr` and `Account.renewal_date` from subscriptions.

    MRR = the sum of the paid (non-trial) subscriptions active `today` (start <= today < end);
    renewal date = the nearest end date among those subscriptions (None when all are open-ended
    or the account pays nothing); `mrr_base` = the same MRR in the base currency
    (accounts.currency.services.base_mrr_expression). One read of the month's exchange rates,
    then one UPDATE with correlated subqueries, so it costs the same number of queries for one
    account or 100,000. Returns the number of accounts updated.
    """
    today = today or timezone.now().date()
    active_paid = Subscription.objects.active_on(today).paid().filter(account_id=OuterRef("pk"))
    mrr_sum = active_paid.order_by().values("account_id").annotate(total=Sum("mrr")).values("total")
    nearest_end = active_paid.filter(end_date__isnull=False).order_by("end_date").values("end_date")[:1]
    accounts = Account.objects.all()
    if account_ids is not None:
        ids = list(account_ids)
        if not ids:
            return 0
        accounts = accounts.filter(pk__in=ids)
    money = DecimalField(max_digits=14, decimal_places=2)
    return accounts.update(
        mrr=Coalesce(Subquery(mrr_sum, output_field=money), Value(Decimal("0"), output_field=money)),
        renewal_date=Subquery(nearest_end),
        mrr_base=base_mrr_expression(today=today),
    )


# Section: lifecycle


@transaction.atomic
def accounts_stage_set(
    *,
    accounts: Iterable[Account],
    stage: str,
    body: str | Callable[[Account], str],
    metadata: dict | Callable[[Account], dict] | None = None,
) -> dict[int, str]:
    """Move the accounts to lifecycle `stage`: one UPDATE for those not there yet, and on each of
    their timelines a system entry "Lifecycle stage <old> → <new>" with `body` (why) and
    `metadata`, either the same for all or a function of the account. Accounts already at
    `stage` are left alone. Returns {account id: old stage label} of those that moved (their
    `lifecycle_stage` set in memory too). Billing churn (records) and playbooks' lifecycle
    action both write stages through here."""
    if stage not in LifecycleStage.values:
        raise ValueError(f"stage must be one of: {', '.join(LifecycleStage.values)}")
    with override(settings.LANGUAGE_CODE):  # the timeline stores the source language's stage names
        label = str(LifecycleStage(stage).label)
        names = {value: str(name) for value, name in LifecycleStage.choices}
    changing = list({a.pk: a for a in accounts if a.lifecycle_stage != stage}.values())
    if not changing:
        return {}
    Account.objects.filter(pk__in=[a.pk for a in changing]).update(lifecycle_stage=stage)
    moved = {}
    entries = []
    now = timezone.now()
    for account in changing:
        moved[account.pk] = names.get(account.lifecycle_stage, account.lifecycle_stage)
        account.lifecycle_stage = stage
        entries.append(
            Activity(
                account=account,
                kind=ActivityKind.SYSTEM,  # not a touch: nothing else to update (activity_create)
                subject=f"Lifecycle stage {moved[account.pk]} → {label}",
                body=(body(account) if callable(body) else body).strip(),
                occurred_at=now,
                metadata=(metadata(account) if callable(metadata) else metadata) or {},
            )
        )
    Activity.objects.bulk_create(entries, batch_size=500)  # one INSERT, not one per account
    return moved


# Section: timeline


@transaction.atomic
def activity_create(
    *,
    account: Account,
    kind: str,
    author=None,
    subject: str = "",
    body: str = "",
    occurred_at: datetime | None = None,
    contact: Contact | None = None,
    metadata: dict | None = None,
) -> Activity:
    """Put one entry on the account's timeline.

    Touch kinds (note, call, meeting, email) also move `Account.last_touch_at` forward (never
    back: an imported old call does not hide a newer one), which drives "touch due".
    """
    if kind not in ActivityKind.values:
        raise ValueError(f"kind must be one of: {', '.join(ActivityKind.values)}")
    if not (subject.strip() or body.strip()):
        raise ValueError("an activity needs a subject or a body")
    if occurred_at is None:
        occurred_at = timezone.now()
    elif timezone.is_naive(occurred_at):
        raise ValueError("occurred_at must be timezone-aware")
    if contact is not None and contact.account_id != account.pk:
        raise ValueError("the contact belongs to another account")
    metadata = dict(metadata or {})
    mentions = _mentions_resolve(body) if author is not None else []
    if mentions:
        metadata["mentions"] = mentions
    activity = Activity.objects.create(
        account=account,
        kind=kind,
        author=author,
        contact=contact,
        subject=subject.strip()[:255],
        body=body.strip(),
        occurred_at=occurred_at,
        metadata=metadata,
    )
    if author is not None:
        # a person wrote it: the floors above hear of it after commit (notifications: @mentions)
        transaction.on_commit(
            lambda: note_created.send(
                sender=Activity,
                activity_id=activity.pk,
                account_id=account.pk,
                author_id=author.pk,
                mentioned_user_ids=[m["id"] for m in mentions],
            )
        )
    if kind in TOUCH_KINDS:
        bumped = (
            Account.objects.filter(pk=account.pk)
            .filter(Q(last_touch_at__isnull=True) | Q(last_touch_at__lt=occurred_at))
            .update(last_touch_at=occurred_at)
        )
        if bumped:
            account.last_touch_at = occurred_at
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity) -> None:
    """Take an entry off the timeline (a synced meeting that was cancelled). A touch kind puts
    `Account.last_touch_at` back to the newest touch left, so a meeting that never happened does
    not hold the "no touch" trigger off."""
    account_id, was_touch = activity.account_id, activity.kind in TOUCH_KINDS
    activity.delete()
    if was_touch:
        newest = (
            Activity.objects.filter(account_id=account_id, kind__in=TOUCH_KINDS)
            .order_by("-occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        Account.objects.filter(pk=account_id).update(last_touch_at=newest)


def _mentions_resolve(body: str) -> list[dict]:
    """The active team members named `@username` in a note, as [{"id", "username"}] (one query,
    none without an "@"). Stored on the entry so the timeline links them without a lookup."""
    names = mention_usernames(body) if "@" in (body or "") else []
    if not names:
        return []
    found = dict(User.objects.filter(username__in=names, is_active=True).values_list("username", "pk"))
    return [{"id": found[name], "username": name} for name in names if name in found]
