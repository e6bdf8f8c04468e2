"""The renewal sweep (nightly, and for one account when its subscriptions change).

1. Open: one renewal opportunity for every paid (non-trial) subscription term ending within
   the horizon (`RENEWALS_HORIZON_DAYS`, default 120) that has none: one INSERT per batch,
   guarded by the (subscription, term_end, kind) unique constraint, so running twice (or
   beside the signal-driven run) opens nothing twice.
2. Close: each open renewal whose term is over, or whose next term is already booked, closes
   from what the subscription did. The day that matters is the term's end, or the
   subscription's new end when it ended early (a plan change mid-term). The account's paid
   MRR that day against the day before says what happened:
   - still paid and the same: won, renewed (a following term starting on the last day counts);
   - still paid but more or less: won on a changed plan, the new amount retained, and an
     expansion or downsell record (closed won) for the difference;
   - nothing paid that day (the term ended): lost, churned, amount retained 0.
3. Reactivate: a renewal lost to churn within `RENEWALS_REACTIVATION_DAYS` whose account pays
   again (the cancellation undone, or a new term) is won back, outcome "reactivated".
4. P(renew) of every open renewal (written where it moved): 1 − the learned churn model's risk on the account's latest
   snapshot where a model is trained, else the historical renewal rate of its health band.

Every step reads and writes in sets (bulk INSERT / UPDATE, subscriptions read per chunk of
accounts): the bench runs it over 100k accounts (bench/bench_renewals.py).
"""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import Subscription
from core.db import IN_CHUNK, chunked, is_postgresql
from health.backtest import churn_risk
from health.models import HealthScore
from health.selectors import churn_inputs, churn_model_current, latest_day

from ..choices import ForecastCategory, OpportunityKind, Outcome, StageKind
from ..models import BandRenewalRate, Opportunity, PipelineStage
from .opportunities import default_stage

logger = logging.getLogger(__name__)

BATCH = 2000
ACCOUNT_CHUNK = 2000
BANDS = ("red", "yellow", "green")


@dataclass
class SweepResult:
    opened: int = 0
    renewed: int = 0
    changed: int = 0
    churned: int = 0
    reactivated: int = 0
    probabilities: int = 0
    seconds: float = 0.0
    steps: dict = field(default_factory=dict)  # seconds per step (open, close, reactivate, probabilities)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def horizon_days() -> int:
    return int(getattr(settings, "RENEWALS_HORIZON_DAYS", 120))


def reactivation_days() -> int:
    return int(getattr(settings, "RENEWALS_REACTIVATION_DAYS", 90))


def _closing_stage(kind: str) -> PipelineStage | None:
    return PipelineStage.objects.filter(kind=kind).first()


# Section: open


def renewal_opportunities_open(*, today: date, horizon: int, account_ids=None) -> int:
    """A subscription whose end moved earlier (a plan change mid-term) keeps the renewal it
    has: that one closes from what followed, so no second one opens for the shorter term."""
    try:
        stage = default_stage()
    except ValidationError:  # an admin left no open stage: nothing can open (the page says so)
        logger.warning("renewal sweep: the pipeline has no open stage, no renewal opened")
        return 0
    subs = Subscription.objects.paid().filter(mrr__gt=0, end_date__gte=today, end_date__lte=today + timedelta(horizon))
    renewals = Opportunity.objects.filter(kind=OpportunityKind.RENEWAL, subscription__isnull=False, term_end__gte=today)
    if account_ids is not None:
        subs = subs.filter(account_id__in=list(account_ids))
        renewals = renewals.filter(account_id__in=list(account_ids))
    # The latest term with a renewal, per subscription: one indexed read, then an anti-join in
    # Python (a NOT EXISTS planned on the statistics of an empty table, before autovacuum has
    # analysed the night's inserts, runs a nested loop over every pair).
    latest = dict(
        renewals.order_by()
        .values("subscription_id")
        .annotate(last=Max("term_end"))
        .values_list("subscription_id", "last")
    )
    subs = subs.order_by()
    now = timezone.now()
    opened = 0
    batch: list[Opportunity] = []
    rows = subs.values_list("pk", "account_id", "end_date", "mrr", "currency", "account__owner_id")
    for pk, account_id, end_date, mrr, currency, owner_id in rows.iterator(chunk_size=5000):
        if pk in latest and latest[pk] >= end_date:
            continue
        batch.append(
            Opportunity(
                kind=OpportunityKind.RENEWAL,
                account_id=account_id,
                subscription_id=pk,
                term_end=end_date,
                amount=mrr * 12,
                currency=currency,
                close_date=end_date,
                stage=stage,
                status=StageKind.OPEN,
                category=ForecastCategory.PIPELINE,
                owner_id=owner_id,
                created_at=now,
                updated_at=now,
            )
        )
        if len(batch) >= BATCH:
            opened += len(Opportunity.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        opened += len(Opportunity.objects.bulk_create(batch, ignore_conflicts=True))
    return opened


# Section: close from what the subscription did


def _paid_subscriptions(account_ids) -> dict[int, list[tuple[date, date | None, Decimal]]]:
    by_account: dict[int, list] = defaultdict(list)
    for part in chunked(sorted(set(account_ids)), ACCOUNT_CHUNK):
        rows = Subscription.objects.paid().filter(account_id__in=list(part), mrr__gt=0).order_by()
        for account_id, start, end, mrr in rows.values_list("account_id", "start_date", "end_date", "mrr"):
            by_account[account_id].append((start, end, mrr))
    return by_account


def _mrr_on(subs, day: date) -> Decimal:
    return sum((mrr for start, end, mrr in subs if start <= day and (end is None or end > day)), Decimal(0))


def _outcome_day(term_end: date | None, subscription_end: date | None) -> date:
    """The term's end, or the subscription's end when it ended earlier (changed mid-term)."""
    assert term_end is not None  # the sweep reads renewals with a term only
    return subscription_end if subscription_end is not None and subscription_end < term_end else term_end


def renewal_opportunities_close(*, today: date, account_ids=None) -> dict[str, int]:
    counts = {"renewed": 0, "changed": 0, "churned": 0}
    won, lost = _closing_stage(StageKind.WON), _closing_stage(StageKind.LOST)
    if won is None or lost is None:
        return counts
    qs = Opportunity.objects.filter(kind=OpportunityKind.RENEWAL, status=StageKind.OPEN, term_end__isnull=False)
    if account_ids is not None:
        qs = qs.filter(account_id__in=list(account_ids))
    rows = list(
        qs.order_by().values_list(
            "pk",
            "account_id",
            "term_end",
            "amount",
            "subscription_id",
            "subscription__end_date",
            "currency",
            "owner_id",
        )
    )
    if not rows:
        return counts
    subs = _paid_subscriptions(r[1] for r in rows)
    now = timezone.now()
    closing: list[Opportunity] = []
    changes: list[Opportunity] = []
    for pk, account_id, term_end, amount, sub_id, sub_end, currency, owner_id in rows:
        day = _outcome_day(term_end, sub_end)
        mine = subs.get(account_id, [])
        after, before = _mrr_on(mine, day), _mrr_on(mine, day - timedelta(days=1))
        retained = max(Decimal(0), amount + (after - before) * 12) if after > 0 else Decimal(0)
        if retained <= 0 and day > today:
            continue  # the term is running and no renewal is booked yet
        if retained <= 0:
            outcome, stage = Outcome.CHURNED, lost
            counts["churned"] += 1
        else:
            outcome, stage = (Outcome.RENEWED, won) if retained == amount else (Outcome.CHANGED, won)
            counts["renewed" if outcome == Outcome.RENEWED else "changed"] += 1
        closing.append(
            Opportunity(
                pk=pk,
                stage=stage,
                status=stage.kind,
                outcome=outcome,
                amount_retained=retained,
                closed_at=now,
                updated_at=now,
            )
        )
        if outcome == Outcome.CHANGED and sub_id is not None:
            changes.append(
                Opportunity(
                    kind=OpportunityKind.EXPANSION if retained > amount else OpportunityKind.DOWNSELL,
                    account_id=account_id,
                    subscription_id=sub_id,
                    term_end=term_end,
                    amount=abs(retained - amount),
                    amount_retained=abs(retained - amount),
                    currency=currency,
                    close_date=day,
                    stage=won,
                    status=StageKind.WON,
                    category=ForecastCategory.COMMIT,
                    outcome=Outcome.CHANGED,
                    owner_id=owner_id,
                    closed_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
    # Renewed keep their amount and churned keep nothing: one UPDATE per group and id chunk;
    # only plan changes carry their own amount (a CASE per row, few of them).
    by_outcome: dict[str, list[int]] = defaultdict(list)
    for o in closing:
        by_outcome[o.outcome].append(o.pk)
    size = 10_000 if is_postgresql() else IN_CHUNK
    with transaction.atomic():
        for outcome, stage in ((Outcome.RENEWED, won), (Outcome.CHURNED, lost)):
            kept: F | Decimal = F("amount") if outcome == Outcome.RENEWED else Decimal(0)
            for part in chunked(by_outcome[outcome], size):
                Opportunity.objects.filter(pk__in=list(part)).update(
                    stage=stage,
                    status=stage.kind,
                    outcome=outcome,
                    amount_retained=kept,
                    closed_at=now,
                    updated_at=now,
                )
        Opportunity.objects.bulk_update(
            [o for o in closing if o.outcome == Outcome.CHANGED],
            ["stage", "status", "outcome", "amount_retained", "closed_at", "updated_at"],
            batch_size=500,
        )
        Opportunity.objects.bulk_create(changes, batch_size=BATCH, ignore_conflicts=True)
    return counts


def renewal_opportunities_reactivate(*, today: date, window: int, account_ids=None) -> int:
    """Renewals lost to churn whose account pays again: on the term's end (the cancellation
    was undone) or from a new term starting within `window` days after it."""
    won = _closing_stage(StageKind.WON)
    if won is None:
        return 0
    qs = Opportunity.objects.filter(
        kind=OpportunityKind.RENEWAL,
        status=StageKind.LOST,
        outcome=Outcome.CHURNED,
        term_end__gte=today - timedelta(days=window),
    )
    if account_ids is not None:
        qs = qs.filter(account_id__in=list(account_ids))
    rows = list(qs.order_by().values_list("pk", "account_id", "term_end", "subscription__end_date"))
    if not rows:
        return 0
    subs = _paid_subscriptions(r[1] for r in rows)
    now = timezone.now()
    back: list[Opportunity] = []
    for pk, account_id, term_end, sub_end in rows:
        day = _outcome_day(term_end, sub_end)
        mine = subs.get(account_id, [])
        outcome, retained = None, _mrr_on(mine, day)
        if retained > 0:
            outcome = Outcome.RENEWED
        else:
            starts = sorted(s for s, _e, _m in mine if day < s <= min(today, day + timedelta(days=window)))
            if starts:
                outcome, retained = Outcome.REACTIVATED, _mrr_on(mine, starts[0])
        if outcome is not None and retained > 0:
            back.append(
                Opportunity(
                    pk=pk,
                    stage=won,
                    status=StageKind.WON,
                    outcome=outcome,
                    amount_retained=retained * 12,
                    closed_at=now,
                    updated_at=now,
                )
            )
    Opportunity.objects.bulk_update(
        back, ["stage", "status", "outcome", "amount_retained", "closed_at", "updated_at"], batch_size=BATCH
    )
    return len(back)


# Section: P(renew)


def band_rates() -> dict[str, float | None]:
    return {r.band: r.rate for r in BandRenewalRate.objects.all()}


def renew_probabilities_refresh(*, account_ids=None) -> int:
    """P(renew) of every open renewal: the churn model where trained, else the band's rate."""
    qs = Opportunity.objects.filter(kind=OpportunityKind.RENEWAL, status=StageKind.OPEN)
    if account_ids is not None:
        qs = qs.filter(account_id__in=list(account_ids))
    rates = band_rates()
    overall = rates.get("")
    model = churn_model_current()
    day = latest_day() if model is not None else None
    rows = list(qs.order_by().values_list("pk", "account_id", "account__health_band", "renew_probability"))
    # Only rows whose estimate moved are written: rewriting every open renewal each night would
    # leave as many dead rows for autovacuum as there are renewals.
    if model is None or day is None:
        # one UPDATE per rate and chunk of ids (a join in the UPDATE's filter plans badly)
        by_rate: dict[float | None, list[int]] = defaultdict(list)
        for pk, _account_id, band, current in rows:
            rate = rates.get(band or "", overall) if band in BANDS else overall
            if not _same(current, rate):
                by_rate[rate].append(pk)
        for rate, pks in by_rate.items():
            for chunk in chunked(pks, 10_000 if is_postgresql() else IN_CHUNK):
                Opportunity.objects.filter(pk__in=list(chunk)).update(renew_probability=rate)
        return sum(len(pks) for pks in by_rate.values())
    changed: list[Opportunity] = []
    for part in chunked(rows, ACCOUNT_CHUNK):
        ids = [r[1] for r in part]
        snaps = list(HealthScore.objects.filter(day=day, account_id__in=ids).only("account_id", "day", "measures"))
        measures = {snap.account_id: m for snap, m in zip(snaps, churn_inputs(model, snaps), strict=True)}
        for pk, account_id, band, current in part:
            snapshot = measures.get(account_id)
            probability: float | None
            if snapshot is not None:
                probability = 1.0 - churn_risk(model, snapshot)[0]
            else:
                probability = rates.get(band or "", overall)
            if not _same(current, probability):
                changed.append(Opportunity(pk=pk, renew_probability=probability))
    Opportunity.objects.bulk_update(changed, ["renew_probability"], batch_size=BATCH)
    return len(changed)


def _same(a: float | None, b: float | None) -> bool:
    return a == b if a is None or b is None else abs(a - b) < 1e-9


# Section: the sweep


def renewals_sweep(*, today: date | None = None, horizon: int | None = None, account_ids=None) -> SweepResult:
    """Open, close, reactivate and estimate; `account_ids` limits it to those accounts (the
    run a subscription change queues)."""
    started = time.perf_counter()
    today = today or timezone.now().date()
    result = SweepResult()
    mark = started

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        result.steps[name] = round(now - mark, 3)
        mark = now

    result.opened = renewal_opportunities_open(
        today=today, horizon=horizon_days() if horizon is None else horizon, account_ids=account_ids
    )
    lap("open")
    closed = renewal_opportunities_close(today=today, account_ids=account_ids)
    result.renewed, result.changed, result.churned = closed["renewed"], closed["changed"], closed["churned"]
    lap("close")
    result.reactivated = renewal_opportunities_reactivate(
        today=today, window=reactivation_days(), account_ids=account_ids
    )
    lap("reactivate")
    result.probabilities = renew_probabilities_refresh(account_ids=account_ids)
    lap("probabilities")
    result.seconds = time.perf_counter() - started
    return result
