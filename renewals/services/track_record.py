"""The forecast's inputs from history, rebuilt nightly after the sweep:

- each health band's renewal rate (`BandRenewalRate`): paid terms that ended in the four
  quarters before this one, renewed / ended, by the account's band on the first day of the
  quarter the term ended in (what a forecast made then would have seen);
- the track record (`ForecastAccuracy`) of the last quarters: for each, what the forecast
  would have expected at its start (ARR × the band rates of the four quarters before it) beside
  what actually renewed and the naive "everything renews at last year's rate".

A term renewed when the account is still paid on its end date (the metric `renewal_rate` of
DESIGN.md). Amounts are converted to the base currency at the term's end month.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import Subscription
from health.models import HealthScore

from ..models import BandRenewalRate, ForecastAccuracy
from ..money import Converter, base_currency
from ..quarters import quarter_add, quarter_start

LOOKBACK_QUARTERS = 4
TRACK_QUARTERS = 4


@dataclass(frozen=True)
class Term:
    account_id: int
    currency: str
    end_date: date
    arr: Decimal
    renewed: bool
    band: str


def quarter_terms(*, start: date, end: date) -> list[Term]:
    """Paid terms ending in [start, end), each with renewed or not and the band on `start`."""
    renewed = Subscription.objects.paid().filter(
        Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("end_date")),
        account_id=OuterRef("account_id"),
        mrr__gt=0,
        start_date__lte=OuterRef("end_date"),
    )
    band = HealthScore.objects.filter(account_id=OuterRef("account_id"), day__lte=start).order_by("-day")
    qs = (
        Subscription.objects.paid()
        .filter(mrr__gt=0, end_date__gte=start, end_date__lt=end)
        .annotate(renewed=Exists(renewed), band_then=Subquery(band.values("band")[:1]))
        .order_by()
        .values_list("account_id", "currency", "end_date", "mrr", "renewed", "band_then")
    )
    return [Term(a, c, e, m * 12, bool(r), b or "") for a, c, e, m, r, b in qs.iterator(chunk_size=5000)]


def rates_of(terms: list[Term]) -> dict[str, tuple[int, int]]:
    """{band: (renewed, ended)}, band "" for the whole book."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for term in terms:
        for key in {term.band, ""}:
            counts[key][0] += term.renewed
            counts[key][1] += 1
    return {band: (r, n) for band, (r, n) in counts.items()}


def _rate(rates: dict[str, tuple[int, int]], band: str) -> float | None:
    renewed, ended = rates.get(band) or rates.get("") or (0, 0)
    return renewed / ended if ended else None


@transaction.atomic
def band_renewal_rates_refresh(*, today: date | None = None, terms_by_quarter=None) -> dict[str, tuple[int, int]]:
    today = today or timezone.now().date()
    current = quarter_start(today)
    terms: list[Term] = []
    for k in range(1, LOOKBACK_QUARTERS + 1):
        q = quarter_add(current, -k)
        terms += terms_by_quarter[q] if terms_by_quarter else quarter_terms(start=q, end=quarter_add(q, 1))
    rates = rates_of(terms)
    BandRenewalRate.objects.all().delete()
    BandRenewalRate.objects.bulk_create(
        BandRenewalRate(band=band, renewed=r, ended=n, computed_at=timezone.now()) for band, (r, n) in rates.items()
    )
    return rates


@transaction.atomic
def forecast_track_record_refresh(*, today: date | None = None) -> list[ForecastAccuracy]:
    """Band rates for today's forecast and the last TRACK_QUARTERS quarters' accuracy."""
    today = today or timezone.now().date()
    current = quarter_start(today)
    quarters = [quarter_add(current, -k) for k in range(TRACK_QUARTERS + LOOKBACK_QUARTERS, 0, -1)]
    terms_by_quarter = {q: quarter_terms(start=q, end=quarter_add(q, 1)) for q in quarters}
    band_renewal_rates_refresh(today=today, terms_by_quarter=terms_by_quarter)
    rows = []
    for q in quarters[LOOKBACK_QUARTERS:]:
        terms = terms_by_quarter[q]
        history = [t for k in range(1, LOOKBACK_QUARTERS + 1) for t in terms_by_quarter.get(quarter_add(q, -k), [])]
        rates = rates_of(history)
        naive_rate = _rate(rates, "")
        if not terms or naive_rate is None:
            continue
        converter = Converter().preload(t.end_date for t in terms)
        up = expected = naive = actual = Decimal(0)
        for term in terms:
            arr = converter.to_base(term.arr, term.currency, term.end_date)
            up += arr
            expected += arr * Decimal(str(_rate(rates, term.band)))
            naive += arr * Decimal(str(naive_rate))
            actual += arr if term.renewed else 0
        rows.append(
            ForecastAccuracy(
                quarter_start=q,
                up_for_renewal=up.quantize(Decimal("0.01")),
                expected=expected.quantize(Decimal("0.01")),
                naive=naive.quantize(Decimal("0.01")),
                actual=actual.quantize(Decimal("0.01")),
                terms=len(terms),
                currency=base_currency(),
                missing_rates=converter.missing_list(),
            )
        )
    ForecastAccuracy.objects.all().delete()
    return ForecastAccuracy.objects.bulk_create(rows)
