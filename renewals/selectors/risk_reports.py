"""The risk reports, in the base currency (accounts.currency):

- ARR at risk (live risks) by reason, by type and by CSM; each risk's ARR converts at the rate of
  the report day's month;
- why customers left: churn / downgrade reasons whose loss took effect in [start, end), by reason
  and by segment, tier and tenure band (the account as it was when it left); each reason's ARR
  lost converts at the rate of its month.

Each grouping is one GROUP BY over (group, currency[, month]) and the conversion happens on those
few rows, so the query count is flat and the work does not grow with the number of accounts
beyond the index scan. Money without a rate is left out of every sum and named in `missing`
(never added unconverted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, CharField, Count, DecimalField, ExpressionWrapper, F, IntegerField, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Tier
from accounts.currency import base_currency, month_start, rates_for_months
from core.models import User

from ..choices import RISK_OPEN_STATUSES, LossKind, RiskType
from ..models import ChurnReason, ReasonCode, Risk

__all__ = ["TENURE_BANDS", "ReportGroup", "arr_at_risk_report", "lost_reasons_report", "tenure_band"]

# (key, label, first day of tenure, last day + 1): the tenure bands of "why customers left".
TENURE_BANDS = (
    ("0-3m", _("Under 3 months"), 0, 91),
    ("3-12m", _("3 to 12 months"), 91, 365),
    ("1-2y", _("1 to 2 years"), 365, 730),
    ("2-3y", _("2 to 3 years"), 730, 1095),
    ("3y+", _("3 years or more"), 1095, None),
)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def tenure_band(days: int) -> str:
    for key, _label, low, high in TENURE_BANDS:
        if days >= low and (high is None or days < high):
            return key
    return TENURE_BANDS[-1][0]


def _band_case() -> Case:
    whens = [
        When(tenure_days__gte=low, tenure_days__lt=high, then=Value(key))
        for key, _label, low, high in TENURE_BANDS
        if high is not None
    ]
    return Case(*whens, default=Value(TENURE_BANDS[-1][0]), output_field=CharField())


@dataclass
class ReportGroup:
    """One bar of a report: a group's label, its count and its sum in the base currency."""

    key: str
    label: str
    count: int = 0
    amount: Decimal = Decimal("0")
    share: float = 0.0  # of the largest bar, for the bar widths
    by_reason: dict = field(default_factory=dict)  # reason key -> [count, amount]
    top_reason: str = ""  # the reason with the most ARR in the group


class _Converter:
    """Converts (currency, month) sums at one rates table; remembers what it could not."""

    def __init__(self, months):
        self.rates = rates_for_months(months)
        self.missing: set[tuple[str, date]] = set()

    def __call__(self, amount, currency: str, month: date) -> Decimal | None:
        rate = self.rates.get(month_start(month), {}).get(currency)
        if rate is None:
            self.missing.add((currency, month_start(month)))
            return None
        return Decimal(amount or 0) * rate


def _finish(groups: dict[str, ReportGroup]) -> list[ReportGroup]:
    rows = sorted(groups.values(), key=lambda g: (-g.amount, -g.count, g.label))
    top = max((g.amount for g in rows), default=Decimal("0"))
    for g in rows:
        g.amount = g.amount.quantize(Decimal("0.01"))
        g.share = float(g.amount / top) if top else 0.0
    return rows


def _reason_labels() -> dict[str, str]:
    return {str(pk): code.label_for() for pk, code in ((c.pk, c) for c in ReasonCode.objects.all())}


def _missing_list(missing) -> list[dict]:
    return [{"currency": c, "month": f"{m:%Y-%m}"} for c, m in sorted(missing)]


def arr_at_risk_report(*, owner_id: int | None = None, segment: str = "", tier: str = "", today=None) -> dict:
    """Live risks' ARR by reason, type and CSM, converted at `today`'s month (default today).
    Six queries whatever the number of risks."""
    today = today or timezone.now().date()
    risks = Risk.objects.filter(status__in=RISK_OPEN_STATUSES)
    if owner_id:
        risks = risks.filter(owner_id=owner_id)
    if segment:
        risks = risks.filter(account__segment=segment)
    if tier:
        risks = risks.filter(account__tier=tier)
    columns = {"reason": "reason_code_id", "type": "type", "owner": "owner_id"}
    # One small GROUP BY per view (group x currency): a few dozen rows each, whatever the size.
    grouped = {
        name: list(risks.order_by().values(column, "currency").annotate(n=Count("id"), total=Sum("arr_at_risk")))
        for name, column in columns.items()
    }
    convert = _Converter([today])
    reasons = _reason_labels()
    owner_ids = {r["owner_id"] for r in grouped["owner"] if r["owner_id"]}
    owners = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=owner_ids)}
    types = dict(RiskType.choices)
    labels = {
        "reason": lambda v: reasons.get(str(v), "—"),
        "type": lambda v: str(types.get(v, v)),
        "owner": lambda v: owners.get(v, str(_("Unassigned"))),
    }
    by: dict[str, dict[str, ReportGroup]] = {name: {} for name in columns}
    for name, column in columns.items():
        for r in grouped[name]:
            amount = convert(r["total"], r["currency"], today)
            key = str(r[column] or "")
            group = by[name].setdefault(key, ReportGroup(key=key, label=labels[name](r[column])))
            group.count += r["n"]
            if amount is not None:
                group.amount += amount
    total = sum((g.amount for g in by["type"].values()), Decimal("0"))
    count = sum(g.count for g in by["type"].values())
    return {
        "currency": base_currency(),
        "as_of": today,
        "total": total.quantize(Decimal("0.01")),
        "count": count,
        "by_reason": _finish(by["reason"]),
        "by_type": _finish(by["type"]),
        "by_owner": _finish(by["owner"]),
        "missing": _missing_list(convert.missing),
    }


def lost_reasons_report(*, start: date, end: date, kind: str = "") -> dict:
    """Why customers left over [start, end): ARR lost and counts by reason, and by segment, tier
    and tenure band with each group's split by reason. Six queries."""
    reasons_qs = ChurnReason.objects.filter(occurred_on__gte=start, occurred_on__lt=end)
    if kind in LossKind.values:
        reasons_qs = reasons_qs.filter(kind=kind)
    reasons_qs = reasons_qs.order_by().annotate(month=TruncMonth("occurred_on"), band=_band_case())
    # The (currency, month) pairs in the period (a few dozen), their rates, and which lack one.
    pairs = {(c, m) for c, m in reasons_qs.values_list("currency", "month").distinct()}
    rates = rates_for_months({m for _c, m in pairs} or {start})
    known = {(c, m): rates[month_start(m)][c] for c, m in pairs if c in rates.get(month_start(m), {})}
    missing = {(c, month_start(m)) for c, m in pairs if (c, m) not in known}
    # ARR lost converted in the database: each row times its (currency, month) rate; NULL (left
    # out of the SUM) where the rate is missing. Each grouping returns a few dozen rows.
    rate = Case(
        *(
            When(currency=c, occurred_on__gte=m, occurred_on__lt=_next_month(m), then=Value(r))
            for (c, m), r in sorted(known.items())
        ),
        default=Value(None),
        output_field=DecimalField(max_digits=20, decimal_places=10),
    )
    converted = Sum(
        ExpressionWrapper(F("arr_lost") * rate, output_field=DecimalField(max_digits=30, decimal_places=10))
    )
    dimensions = {"segment": "segment", "tier": "tier", "tenure": "band"}
    grouped = {
        name: list(
            reasons_qs.values(column, "reason_code_id").annotate(
                n=Count("id", output_field=IntegerField()), total=converted
            )
        )
        for name, column in dimensions.items()
    }
    reason_labels = _reason_labels()
    tiers = dict(Tier.choices)
    bands = {key: str(label) for key, label, _low, _high in TENURE_BANDS}
    labels = {
        "segment": lambda v: str(v or _("No segment")),
        "tier": lambda v: str(tiers.get(v, v or _("No tier"))),
        "tenure": lambda v: str(bands.get(v, v)),
    }
    out: dict = {}
    by_reason: dict[str, ReportGroup] = {}
    for name, column in dimensions.items():
        groups: dict[str, ReportGroup] = {}
        for r in grouped[name]:
            amount = Decimal(r["total"]) if r["total"] is not None else None
            key = r[column] or ""
            group = groups.setdefault(key, ReportGroup(key=key, label=labels[name](key)))
            reason_key = str(r["reason_code_id"])
            cell = group.by_reason.setdefault(reason_key, [0, Decimal("0")])
            group.count += r["n"]
            cell[0] += r["n"]
            if amount is not None:
                group.amount += amount
                cell[1] += amount
            if name == "segment":  # each reason row appears once per segment: the reason totals
                total = by_reason.setdefault(
                    reason_key, ReportGroup(key=reason_key, label=reason_labels.get(reason_key, "—"))
                )
                total.count += r["n"]
                if amount is not None:
                    total.amount += amount
        for group in groups.values():
            if group.by_reason:
                top = max(group.by_reason.items(), key=lambda item: (item[1][1], item[1][0]))[0]
                group.top_reason = reason_labels.get(top, "—")
        out[name] = _finish(groups)
        if name == "tenure":
            order = [key for key, *_rest in TENURE_BANDS]
            out[name].sort(key=lambda g: order.index(g.key) if g.key in order else len(order))
    reasons = _finish(by_reason)
    return {
        "currency": base_currency(),
        "start": start,
        "end": end,
        "by_reason": reasons,
        "by_segment": out["segment"],
        "by_tier": out["tier"],
        "by_tenure": out["tenure"],
        "reason_labels": reason_labels,
        "total": sum((g.amount for g in reasons), Decimal("0")).quantize(Decimal("0.01")),
        "count": sum(g.count for g in reasons),
        "missing": _missing_list(missing),
    }
