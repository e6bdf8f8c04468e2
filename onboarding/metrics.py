"""Time to first value (TTFV): days from an account's contract start (its first paid
subscription's start) to its first *value event* on or after that day.

The value event is the one named by the account's latest checklist (copied from its template
when it started), else the team setting `OnboardingSettings.value_event`. Accounts that have
not reached value yet have `days = None`: they are counted (`pending`) but left out of the
medians. Cohorts are the contract start's month ("2026-03"). One query for any number of
accounts; the medians are taken in Python over the returned rows.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import median

from django.db.models import CharField, Count, DateField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.choices import Tier
from accounts.models import Account, Subscription
from health.registry import Measure
from usage.models import UsageEvent
from usage.rollups import account_filter

from .models import AccountChecklist, AccountChecklistItem, OnboardingSettings


@dataclass(frozen=True)
class AccountTTFV:
    account_id: int
    name: str
    tier: str
    contract_start: date
    value_event: str
    first_value_at: datetime | None
    days: int | None

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label if self.tier in Tier.values else self.tier

    @property
    def cohort(self) -> str:
        return self.contract_start.strftime("%Y-%m")


@dataclass(frozen=True)
class TTFVGroup:
    accounts: int
    reached: int
    median_days: float | None

    @property
    def pending(self) -> int:
        return self.accounts - self.reached


@dataclass
class TTFVReport:
    accounts: list[AccountTTFV]
    overall: TTFVGroup
    by_tier: dict[str, TTFVGroup] = field(default_factory=dict)
    by_cohort: dict[str, TTFVGroup] = field(default_factory=dict)
    by_tier_cohort: dict[tuple[str, str], TTFVGroup] = field(default_factory=dict)

    def for_account(self, account_id: int) -> AccountTTFV | None:
        return next((row for row in self.accounts if row.account_id == account_id), None)


def _group(rows: list[AccountTTFV]) -> TTFVGroup:
    days = [r.days for r in rows if r.days is not None]
    return TTFVGroup(accounts=len(rows), reached=len(days), median_days=float(median(days)) if days else None)


def ttfv(*, account_ids=None, start: date | None = None, end: date | None = None) -> TTFVReport:
    """TTFV per account whose contract started in [start, end) (each bound optional), with the
    median overall, per tier, per start-month cohort and per (tier, cohort)."""
    default_event = OnboardingSettings.load().value_event
    contract_start = (
        Subscription.objects.filter(account=OuterRef("pk"), is_trial=False)
        .order_by("start_date")
        .values("start_date")[:1]
    )
    checklist_event = (
        AccountChecklist.objects.filter(account=OuterRef("pk"))
        .exclude(value_event="")
        .order_by("-started_at")
        .values("value_event")[:1]
    )
    first_value = (
        UsageEvent.objects.filter(
            account=OuterRef("pk"),
            event=OuterRef("ttfv_event"),
            occurred_at__date__gte=OuterRef("ttfv_start"),
        )
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    accounts = Account.objects.all()
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    accounts = accounts.annotate(
        ttfv_start=Subquery(contract_start, output_field=DateField()),
        ttfv_event=Coalesce(Subquery(checklist_event), Value(default_event), output_field=CharField()),
    ).filter(ttfv_start__isnull=False)
    if start is not None:
        accounts = accounts.filter(ttfv_start__gte=start)
    if end is not None:
        accounts = accounts.filter(ttfv_start__lt=end)
    rows = (
        accounts.annotate(ttfv_first=Subquery(first_value))
        .values_list("pk", "name", "tier", "ttfv_start", "ttfv_event", "ttfv_first")
        .order_by("ttfv_start", "pk")
    )

    result: list[AccountTTFV] = []
    for pk, name, tier, started, event, first in rows:
        if isinstance(started, datetime):  # SQLite hands back a datetime for some subqueries
            started = started.date()
        days = (first.date() - started).days if first is not None and event else None
        result.append(AccountTTFV(pk, name, tier, started, event or "", first if event else None, days))

    report = TTFVReport(accounts=result, overall=_group(result))
    groups: dict[str, dict] = {"tier": {}, "cohort": {}, "both": {}}
    for row in result:
        groups["tier"].setdefault(row.tier, []).append(row)
        groups["cohort"].setdefault(row.cohort, []).append(row)
        groups["both"].setdefault((row.tier, row.cohort), []).append(row)
    report.by_tier = {k: _group(v) for k, v in groups["tier"].items()}
    report.by_cohort = {k: _group(v) for k, v in sorted(groups["cohort"].items())}
    report.by_tier_cohort = {k: _group(v) for k, v in sorted(groups["both"].items())}
    return report


def onboarding_progress(*, as_of: date, account_ids=None) -> dict[int, float]:
    """Health measure "onboarding_progress": share (0..100) of the items of each account's
    latest checklist started by `as_of` that were completed by the end of that day."""
    end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
    checklists = AccountChecklist.objects.filter(started_at__lt=end)
    if account_ids is not None:
        # A whole id range (a recompute chunk) is filtered by range, not by thousands of ids.
        checklists = account_filter(checklists, account_ids if isinstance(account_ids, list) else list(account_ids))
    newer = AccountChecklist.objects.filter(
        account_id=OuterRef("account_id"), started_at__lt=end, started_at__gt=OuterRef("started_at")
    )
    rows = (
        checklists.filter(~Exists(newer))
        .annotate(
            total=Count("items"),
            done=Count("items", filter=Q(items__completed_at__lt=end)),
        )
        .values_list("account_id", "total", "done")
    )
    return {acc: round(100.0 * done / total, 1) for acc, total, done in rows if total}


def _onboarding_progress_measure(as_of: date, account_ids) -> dict[int, float]:
    return onboarding_progress(as_of=as_of, account_ids=account_ids)


def onboarding_progress_days(days, account_ids):
    """`onboarding_progress` for many days at once (health.history): days x accounts, NaN =
    no data, from two queries (checklists are few). Of two checklists started at the very
    same instant the one with the higher id counts (onboarding_progress takes either)."""
    import numpy as np

    from health.measures_days import columns

    out = np.full((len(days), len(account_ids)), np.nan)
    ends = [datetime.combine(d + timedelta(days=1), time.min, tzinfo=UTC) for d in days]
    checklists = list(
        account_filter(AccountChecklist.objects.filter(started_at__lt=ends[-1]), account_ids).values_list(
            "id", "account_id", "started_at"
        )
    )
    if not checklists:
        return out
    items: dict[int, list] = {c[0]: [] for c in checklists}
    for checklist_id, completed_at in AccountChecklistItem.objects.filter(checklist_id__in=list(items)).values_list(
        "checklist_id", "completed_at"
    ):
        items[checklist_id].append(completed_at)
    by_account: dict[int, list] = {}
    for checklist_id, account_id, started_at in checklists:
        by_account.setdefault(account_id, []).append((started_at, checklist_id))
    cols, there = columns(account_ids, list(by_account))
    for started, col, ok in zip(by_account.values(), cols.tolist(), there.tolist(), strict=True):
        if not ok:
            continue
        started.sort()
        for i, end in enumerate(ends):
            latest = None
            for started_at, checklist_id in started:  # ascending: the last one started by then
                if started_at >= end:
                    break
                latest = checklist_id
            if latest is None or not items[latest]:
                continue
            done = sum(1 for completed_at in items[latest] if completed_at is not None and completed_at < end)
            out[i, col] = round(100.0 * done / len(items[latest]), 1)
    return out


ONBOARDING_PROGRESS_MEASURE = Measure(
    key="onboarding_progress",
    label="Onboarding progress",
    compute=_onboarding_progress_measure,
    compute_days=onboarding_progress_days,
    unit="%",
    description="Share of the latest onboarding checklist's items completed by the day.",
    default_points=((0, 0), (50, 50), (100, 100)),
)

__all__ = ["ONBOARDING_PROGRESS_MEASURE", "AccountTTFV", "TTFVGroup", "TTFVReport", "onboarding_progress", "ttfv"]
