"""The survey report's pre-aggregate (surveys.models.SurveyDay): answers per kind and score,
comments, and deliveries sent / answered, per UTC day and group of accounts (segment, tier,
owner), plus one row per whole month and group (the sum of its days).

Days before `SurveyDayState.complete_until` are stored; later days (normally just today) are
read live by the report (`day_rows` over the raw tables, the same rows a build would store), so
a figure never waits for a refresh. What keeps the stored days true:
- the answer follow-up sweep (surveys.services.responses_followup) rebuilds the stored days its
  answers touch (an answer changed after midnight, an email answered days after it was sent)
  and tops the store up to yesterday (`survey_days_top_up`): the first sweep of a day stores
  the day before;
- imports rebuild the stored days of the answers they bring (`survey_days_refresh_task`);
- every night a full rebuild (`survey_days_rebuild`, beat "nightly-survey-days") copies the
  accounts' current segment, tier and owner again (an account moved to another CSM shows under
  the new one in the report's stored days from then on) and drops what deleted accounts took.
Every write holds the SurveyDayState row lock, so two workers never interleave.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import COMMENT_COLUMNS, SCORE_COLUMNS, SurveyDay, SurveyDayState, SurveyDelivery, SurveyResponse

__all__ = [
    "COUNT_COLUMNS",
    "GROUP_KEYS",
    "day_rows",
    "survey_days_build",
    "survey_days_rebuild",
    "survey_days_refresh",
    "survey_days_top_up",
]

GROUP_KEYS = ("segment", "tier", "owner_id")
ANSWER_COLUMNS = tuple(name for _, _, name in SCORE_COLUMNS) + tuple(name for _, name in COMMENT_COLUMNS)
COUNT_COLUMNS = (*ANSWER_COLUMNS, "sent", "answered")
BATCH = 2000
KINDS = sorted({kind for kind, _, _ in SCORE_COLUMNS})


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


# Section: the rows, from the raw tables


def _answer_aggregates() -> dict:
    aggregates = {name: Count("id", filter=Q(kind=kind, score=score)) for kind, score, name in SCORE_COLUMNS}
    for kind, name in COMMENT_COLUMNS:
        aggregates[name] = Count("id", filter=Q(kind=kind) & ~Q(comment=""))
    return aggregates


def _groups(prefix: str = "account__") -> dict:
    return {key: F(f"{prefix}{key}") for key in GROUP_KEYS}


def day_rows(*, start: date, end: date, narrow: Q | None = None) -> list[dict]:
    """SurveyDay-shaped dicts (day, segment, tier, owner_id and every count) for [start, end),
    computed from the answers and deliveries themselves: two grouped queries. `narrow` filters
    the accounts (a Q on the account's fields, prefixed "account__")."""
    lo, hi = _midnight(start), _midnight(end)
    # Every column is per kind, so naming the kinds changes nothing but lets PostgreSQL range-scan
    # response_kind_time (kind, submitted_at) for each kind instead of reading the whole index.
    answers = SurveyResponse.objects.filter(kind__in=KINDS, submitted_at__gte=lo, submitted_at__lt=hi)
    deliveries = SurveyDelivery.objects.filter(sent_at__gte=lo, sent_at__lt=hi)
    if narrow is not None:
        answers, deliveries = answers.filter(narrow), deliveries.filter(narrow)
    rows: dict[tuple, dict] = {}

    def row_for(values: dict) -> dict:
        key = (values["d"], *(values[k] for k in GROUP_KEYS))
        row = rows.get(key)
        if row is None:
            row = rows[key] = {
                "day": values["d"],
                **{k: values[k] for k in GROUP_KEYS},
                **dict.fromkeys(COUNT_COLUMNS, 0),
            }
        return row

    for values in (
        answers.annotate(d=TruncDate("submitted_at", tzinfo=UTC))
        .values("d", **_groups())
        .annotate(**_answer_aggregates())
        .order_by()
    ):
        row_for(values).update({name: values[name] for name in ANSWER_COLUMNS})
    for values in (
        deliveries.annotate(d=TruncDate("sent_at", tzinfo=UTC))
        .values("d", **_groups())
        .annotate(sent=Count("id"), answered=Count("id", filter=Q(response__isnull=False)))
        .order_by()
    ):
        row_for(values).update(sent=values["sent"], answered=values["answered"])
    return list(rows.values())


# Section: writes


def _state_locked() -> SurveyDayState:
    SurveyDayState.objects.get_or_create(pk=1)
    return SurveyDayState.objects.select_for_update().get(pk=1)


def _store_days(start: date, end: date) -> int:
    """Replace the day rows of [start, end) and the month rows of the months they fall in."""
    SurveyDay.objects.filter(grain=SurveyDay.Grain.DAY, day__gte=start, day__lt=end).delete()
    rows = [
        SurveyDay(grain=SurveyDay.Grain.DAY, month=_month(r["day"]), **r)
        for r in day_rows(start=start, end=end)
        if any(r[c] for c in COUNT_COLUMNS)
    ]
    SurveyDay.objects.bulk_create(rows, batch_size=BATCH)
    months = []
    month = _month(start)
    while month < end:
        months.append(month)
        month = _next_month(month)
    SurveyDay.objects.filter(grain=SurveyDay.Grain.MONTH, day__in=months).delete()
    sums = (
        SurveyDay.objects.filter(grain=SurveyDay.Grain.DAY, month__in=months)
        .values("month", *GROUP_KEYS)
        .annotate(**{f"sum_{c}": Sum(c) for c in COUNT_COLUMNS})
        .order_by()
    )
    SurveyDay.objects.bulk_create(
        [
            SurveyDay(
                grain=SurveyDay.Grain.MONTH,
                day=s["month"],
                month=s["month"],
                **{k: s[k] for k in GROUP_KEYS},
                **{c: s[f"sum_{c}"] or 0 for c in COUNT_COLUMNS},
            )
            for s in sums
        ],
        batch_size=BATCH,
    )
    return len(rows)


def survey_days_build(*, start: date, end: date) -> int:
    """Store the days of [start, end) (which must lie before `complete_until`, or start at it:
    then `complete_until` moves to `end`). Returns the day rows written."""
    with transaction.atomic():
        state = _state_locked()
        if state.complete_until is None or start > state.complete_until:
            raise ValueError(f"survey days are stored up to {state.complete_until}; {start} would leave a gap")
        written = _store_days(start, end)
        if end > state.complete_until:
            state.complete_until = end
            state.save(update_fields=["complete_until"])
    return written


def survey_days_rebuild(*, today: date | None = None) -> int:
    """Store every day from the first answer or delivery to yesterday again, with the accounts'
    current segment, tier and owner. Nightly, and the first time. Returns the day rows written."""
    today = today or timezone.now().date()
    with transaction.atomic():
        state = _state_locked()
        firsts = [
            SurveyResponse.objects.order_by("submitted_at").values_list("submitted_at", flat=True).first(),
            SurveyDelivery.objects.order_by("sent_at").values_list("sent_at", flat=True).first(),
        ]
        first = min((f.astimezone(UTC).date() for f in firsts if f is not None), default=today)
        SurveyDay.objects.all().delete()
        written = _store_days(min(first, today), today)
        state.complete_until = today
        state.rebuilt_at = timezone.now()
        state.save(update_fields=["complete_until", "rebuilt_at"])
    return written


def survey_days_top_up(*, today: date | None = None) -> int:
    """Store the days between `complete_until` and yesterday (a full rebuild the first time).
    Cheap when there is nothing to do (one query)."""
    today = today or timezone.now().date()
    state = SurveyDayState.objects.filter(pk=1).first()
    if state is None or state.complete_until is None:
        return survey_days_rebuild(today=today)
    if state.complete_until >= today:
        return 0
    return survey_days_build(start=state.complete_until, end=today)


def survey_days_refresh(*, days: Iterable[date]) -> int:
    """Store again those of `days` that are already stored (an answer or a delivery of that day
    changed), one range per run of consecutive days. Later days are read live: nothing to do."""
    wanted = sorted(set(days))
    if not wanted:
        return 0
    written = 0
    with transaction.atomic():
        state = _state_locked()
        if state.complete_until is None:
            return 0
        stored = [d for d in wanted if d < state.complete_until]
        runs: list[list[date]] = []
        for day in stored:
            if runs and day == runs[-1][1]:
                runs[-1][1] = day + timedelta(days=1)
            else:
                runs.append([day, day + timedelta(days=1)])
        for start, end in runs:
            written += _store_days(start, end)
    return written
