"""Reads for the accounts floor's pages. Each function runs a fixed number of queries,
whatever the number of accounts or rows (the pages assert it in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from .choices import HealthBand, LifecycleStage
from .filters import touch_overdue_q
from .models import Account, AccountTeamMember, Activity, Contact, Subscription, SupportTicket, TouchCadence

if TYPE_CHECKING:
    from .timeline import TimelineFilter

__all__ = [
    "TouchStatus",
    "account_children",
    "account_contacts",
    "account_detail_get",
    "account_search",
    "account_subscriptions",
    "account_team",
    "account_support_summary",
    "account_rollup",
    "account_timeline",
    "contact_detail_get",
    "contact_tickets",
    "contact_timeline",
    "portfolio_accounts",
    "portfolio_members",
    "portfolio_rollup",
    "portfolio_summary",
    "touch_status",
]


# Section: portfolio


def portfolio_accounts(*, user) -> QuerySet[Account]:
    return Account.objects.visible_to(user).select_related("owner")


def portfolio_rollup(queryset: QuerySet[Account]) -> QuerySet[Account]:
    """Roll-up view: one row per top parent (accounts without a parent, after the filters), with
    `children_n` and `rollup_mrr_base` = own + direct subsidiaries' MRR in the base currency
    (a member without a rate adds nothing; `portfolio_summary` counts it)."""
    money = DecimalField(max_digits=16, decimal_places=2)
    kids = Account.objects.filter(parent_id=OuterRef("pk")).order_by().values("parent_id")
    rolled = queryset.filter(parent__isnull=True).annotate(
        children_n=Coalesce(Subquery(kids.annotate(n=Count("id")).values("n"), output_field=IntegerField()), 0),
        rollup_mrr_base=Coalesce("mrr_base", Value(Decimal(0)), output_field=money)
        + Coalesce(
            Subquery(kids.annotate(s=Sum("mrr_base")).values("s"), output_field=money),
            Value(Decimal(0)),
            output_field=money,
        ),
    )
    return rolled.annotate(rollup_arr_base=ExpressionWrapper(F("rollup_mrr_base") * 12, output_field=money))


def portfolio_members(parents: QuerySet[Account]) -> QuerySet[Account]:
    """The top parents of a roll-up and their direct subsidiaries (what the KPIs add up)."""
    ids = parents.order_by().values("id")
    return Account.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids))


def portfolio_summary(queryset: QuerySet[Account], *, today: date | None = None) -> dict:
    """KPIs over the (filtered) portfolio in one aggregate query. Money is in the base currency
    (`Account.mrr_base`); `unconverted` counts paying accounts left out for want of a rate."""
    today = today or timezone.now().date()
    summary = queryset.order_by().aggregate(
        accounts=Count("id"),
        total_mrr=Sum("mrr_base"),
        red=Count("id", filter=Q(health_band=HealthBand.RED)),
        renewals_90d=Count("id", filter=Q(renewal_date__gte=today, renewal_date__lt=today + timedelta(days=90))),
        renewals_mrr=Sum("mrr_base", filter=Q(renewal_date__gte=today, renewal_date__lt=today + timedelta(days=90))),
        overdue=Count("id", filter=touch_overdue_q()),
        paying=Count("id", filter=Q(mrr__gt=0)),
        unconverted=Count("id", filter=Q(mrr__gt=0, mrr_base__isnull=True)),
    )
    summary["mrr"] = summary.pop("total_mrr") or 0
    summary["arr"] = summary["mrr"] * 12
    summary["renewals_90d_arr"] = (summary.pop("renewals_mrr") or 0) * 12
    return summary


@dataclass(frozen=True)
class TouchStatus:
    due_on: date | None
    days: int | None  # > 0: due in N days, <= 0: overdue by -N days
    state: str  # "ok" | "soon" | "overdue" | "never" (no touch yet: due now) | "none" (churned)

    @property
    def overdue_days(self) -> int:
        return -self.days if self.days is not None else 0


def touch_status(account: Account, cadence: dict[str, int], *, now: datetime | None = None) -> TouchStatus:
    """When the next CSM touch is due for the account's tier (no query: pass TouchCadence.days_by_tier())."""
    if account.lifecycle_stage == LifecycleStage.CHURNED:
        return TouchStatus(None, None, "none")
    now = now or timezone.now()
    every = cadence.get(account.tier, 30)
    if account.last_touch_at is None:
        return TouchStatus(now.date(), None, "never")
    due_on = (account.last_touch_at + timedelta(days=every)).date()
    days = (due_on - now.date()).days
    state = "overdue" if days < 0 else "soon" if days <= max(1, every // 7) else "ok"
    return TouchStatus(due_on, days, state)


def account_search(*, user, q: str = "", limit: int = 8) -> list[Account]:
    """Accounts for a picker: by name or domain (contains) or external id (exact), the user's own
    first, then by name; with no query, the user's own accounts. One query."""
    q = q.strip()[:100]
    accounts = Account.objects.visible_to(user)
    if q:
        accounts = accounts.filter(Q(name__icontains=q) | Q(domain__icontains=q) | Q(external_id__iexact=q))
    else:
        accounts = accounts.filter(owner=user)
    mine_first = Case(When(owner_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
    return list(accounts.select_related("owner").order_by(mine_first, "name", "id")[:limit])


# Section: account 360


def account_detail_get(*, pk: int, user) -> Account:
    return (
        Account.objects.visible_to(user)
        .select_related("owner", "owner__manager", "parent")
        .annotate(children_count=Count("children"))
        .get(pk=pk)
    )


def account_children(*, account: Account, limit: int = 50) -> list[Account]:
    """A parent's subsidiaries, largest ARR (base currency) first. One query."""
    return list(
        Account.objects.filter(parent=account)
        .select_related("owner")
        .order_by(F("mrr_base").desc(nulls_last=True), "name", "id")[:limit]
    )


def account_rollup(*, account: Account) -> dict:
    """A parent's figures with its subsidiaries (one level, as the health roll-up): `children`,
    `arr_base` (own + children's ARR in the base currency; unconverted money never added),
    `unconverted` (paying members without a rate), `health` (members' health scores weighted
    by base ARR, equal weights when nobody pays; None without scores). One query."""
    money = DecimalField(max_digits=18, decimal_places=2)
    members = Account.objects.filter(Q(pk=account.pk) | Q(parent=account))
    scored = Q(health_score__isnull=False)
    row = members.aggregate(
        members=Count("id"),
        total_base=Sum("mrr_base"),
        unconverted=Count("id", filter=Q(mrr__gt=0, mrr_base__isnull=True)),
        weighted=Sum(ExpressionWrapper(F("health_score") * F("mrr_base"), output_field=money), filter=scored),
        weight=Sum("mrr_base", filter=scored),
        plain=Avg("health_score"),
    )
    health = None
    if row["weight"]:
        health = round(float(row["weighted"]) / float(row["weight"]))
    elif row["plain"] is not None:
        health = round(float(row["plain"]))
    return {
        "children": row["members"] - 1,
        "arr_base": (row["total_base"] or 0) * 12,
        "unconverted": row["unconverted"],
        "health": health,
    }


def account_contacts(*, account: Account, limit: int = 12) -> tuple[list[Contact], int]:
    """The most recently active contacts first, and how many there are in all (one query: the
    count is a window over the account's contacts, computed before the LIMIT)."""
    rows = list(
        Contact.objects.filter(account=account)
        .select_related("persona")
        .annotate(contact_total=Window(Count("id")))
        .order_by(F("last_seen_at").desc(nulls_last=True), "name")[:limit]
    )
    contacts: list[Contact] = list(rows)
    return contacts, int(rows[0].contact_total) if rows else 0


SUBSCRIPTION_STATUS_LABELS = {
    "upcoming": pgettext_lazy("subscription status", "Upcoming"),
    "trial": pgettext_lazy("subscription status", "Trial"),
    "active": pgettext_lazy("subscription status", "Active"),
    "ended": pgettext_lazy("subscription status", "Ended"),
}


def account_subscriptions(*, account: Account, today: date | None = None) -> list[Subscription]:
    """Newest first, each with `status`: active, trial, upcoming or ended."""
    today = today or timezone.now().date()
    subs = list(Subscription.objects.filter(account=account).order_by("-start_date", "-id"))
    for sub in subs:
        if sub.start_date > today:
            status = "upcoming"
        elif sub.is_active_on(today):
            status = "trial" if sub.is_trial else "active"
        else:
            status = "ended"
        sub.status = status  # type: ignore[attr-defined]  # a display attribute, not a field
        sub.status_label = SUBSCRIPTION_STATUS_LABELS[status]  # type: ignore[attr-defined]
    return subs


def account_timeline(
    *, account: Account, before_id: int | None = None, limit: int = 20, filters: TimelineFilter | None = None
) -> tuple[list[Activity], bool]:
    """A page of the timeline, newest first (filtered: accounts.timeline); True when older entries
    remain. Two queries with `before_id` (its anchor, then the page), else one."""
    qs = Activity.objects.filter(account=account).select_related("author", "contact")
    if filters is not None and not filters.is_empty:
        qs = qs.filter(filters.q())
    if before_id is not None:
        anchor = Activity.objects.filter(account=account, pk=before_id).values("occurred_at").first()
        if anchor is None:
            return [], False
        qs = qs.filter(
            Q(occurred_at__lt=anchor["occurred_at"]) | Q(occurred_at=anchor["occurred_at"], pk__lt=before_id)
        )
    rows = list(qs.order_by("-occurred_at", "-id")[: limit + 1])
    return rows[:limit], len(rows) > limit


def account_support_summary(*, account: Account) -> dict:
    since = timezone.now() - timedelta(days=90)
    return SupportTicket.objects.filter(account=account).aggregate(
        open=Count("id", filter=Q(resolved_at__isnull=True)),
        last_90d=Count("id", filter=Q(opened_at__gte=since)),
        escalated_90d=Count("id", filter=Q(opened_at__gte=since, escalated=True)),
    )


def cadence_by_tier() -> dict[str, int]:
    return TouchCadence.days_by_tier()


def account_team(*, account_id: int) -> list[AccountTeamMember]:
    """The account team (the owner is Account.owner; these are the others), one query."""
    return list(AccountTeamMember.objects.filter(account_id=account_id).select_related("user").order_by("role", "id"))


# Section: the person page (contact 360)


def contact_detail_get(*, pk: int, user) -> Contact:
    """A contact of an account the user may see (a contact without an account too), with its
    account, the account's owner and its persona in the same query."""
    return (
        Contact.objects.filter(Q(account__isnull=True) | Q(account__in=Account.objects.visible_to(user)))
        .select_related("account", "account__owner", "persona")
        .get(pk=pk)
    )


def contact_tickets(*, contact: Contact, limit: int = 10) -> tuple[list[SupportTicket], dict]:
    """Their newest tickets, and counts: open and in all (two queries)."""
    tickets = list(SupportTicket.objects.filter(contact=contact).order_by("-opened_at", "-id")[:limit])
    counts = SupportTicket.objects.filter(contact=contact).aggregate(
        total=Count("id"), open=Count("id", filter=Q(resolved_at__isnull=True))
    )
    return tickets, counts


def contact_timeline(*, contact: Contact, before_id: int | None = None, limit: int = 10) -> tuple[list[Activity], bool]:
    """A page of the timeline entries with this contact, newest first; True when older ones remain."""
    qs = Activity.objects.filter(contact=contact).select_related("author", "contact")
    if before_id is not None:
        anchor = Activity.objects.filter(contact=contact, pk=before_id).values("occurred_at").first()
        if anchor is None:
            return [], False
        qs = qs.filter(
            Q(occurred_at__lt=anchor["occurred_at"]) | Q(occurred_at=anchor["occurred_at"], pk__lt=before_id)
        )
    rows = list(qs.order_by("-occurred_at", "-id")[: limit + 1])
    return rows[:limit], len(rows) > limit
