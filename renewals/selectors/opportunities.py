"""Reads of opportunities: the list, the board's columns, an account's panel."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from ..choices import StageKind
from ..models import Opportunity, PipelineStage
from ..money import Converter

BOARD_CARDS = 20
CLOSED_DAYS = 30


def pipeline_stages() -> list[PipelineStage]:
    return list(PipelineStage.objects.all())


def opportunity_list(*, user=None):
    """Every opportunity with what a row shows (account, owner, stage) in the same query."""
    return Opportunity.objects.select_related("account", "owner", "stage")


def board_columns(*, queryset, today: date | None = None, cards: int = BOARD_CARDS) -> tuple[list[dict], list[dict]]:
    """(columns, missing exchange rates). One column per stage: its count and ARR (base
    currency) and its first `cards` cards by close date. Open stages show every open
    opportunity of `queryset`; won and lost stages those closed in the last 30 days.
    Queries: one aggregate + one per stage (the pipeline's length, not the data's)."""
    today = today or timezone.now().date()
    stages = pipeline_stages()
    recent = today - timedelta(days=CLOSED_DAYS)
    visible = queryset.filter(Q(status=StageKind.OPEN) | Q(close_date__gte=recent))
    totals: dict[int, dict] = defaultdict(lambda: {"count": 0, "arr": Decimal(0)})
    converter = Converter().preload([today])
    # The pipeline as it stands: every amount at this month's rate (no month grouping needed).
    grouped = visible.order_by().values("stage_id", "currency").annotate(n=Count("id"), arr=Sum("amount"))
    for row in grouped:
        total = totals[row["stage_id"]]
        total["count"] += row["n"]
        total["arr"] += converter.to_base(row["arr"], row["currency"], today)
    columns = []
    for index, stage in enumerate(stages):
        cards_qs = queryset.filter(stage=stage)
        cards_qs = cards_qs if stage.kind == StageKind.OPEN else cards_qs.filter(close_date__gte=recent)
        items = list(cards_qs.order_by("close_date", "id")[:cards])
        columns.append(
            {
                "stage": stage,
                "previous": stages[index - 1] if index > 0 else None,
                "next": stages[index + 1] if index + 1 < len(stages) else None,
                "count": totals[stage.pk]["count"],
                "arr": totals[stage.pk]["arr"],
                "cards": items,
                "more": max(0, totals[stage.pk]["count"] - len(items)),
            }
        )
    return columns, converter.missing_list()


def account_opportunities(account, *, limit: int = 8) -> list[Opportunity]:
    """An account's opportunities, open first (soonest close first), then the latest closed,
    `limit` in all. One plain query for all of them (an account has a few a year: one renewal
    per term, the odd expansion), split here: cheaper on the account page than two queries or a
    window (docs/perf/pages.md)."""
    rows = list(
        Opportunity.objects.filter(account=account).select_related("stage", "owner").order_by("close_date", "id")
    )
    open_ = [o for o in rows if o.status == StageKind.OPEN][:limit]
    closed = [o for o in reversed(rows) if o.status != StageKind.OPEN]  # "-close_date", "-id"
    return open_ + closed[: max(0, limit - len(open_))]
