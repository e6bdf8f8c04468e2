"""After a history's snapshots: every day's parents roll-up, and for today what
health_recompute does after scoring."""

from collections.abc import Sequence
from datetime import date

from django.db.models import Exists, OuterRef

from accounts.models import Account

from .. import signals, sql
from ..models import HealthScore, Scorecard, ScoreSource
from ..recompute.current import health_current_update
from ..recompute.inputs import account_ranges, today

__all__ = ["history_finish", "parents_rollup_days"]


def parents_rollup_days(days: Sequence[date], rows: dict | None = None) -> int:
    """health_parents_rollup of every day at once: parents' score = the ARR-weighted mean of
    their children's scores and their own computed score (equal weights when nobody pays),
    their override still winning. Reads the snapshots' figures without their JSON and
    updates the changed ones in one statement on PostgreSQL; with `rows` (the parents' and
    children's snapshots as health_history_compute captured them) it reads nothing back.
    Returns the rows updated."""
    # weights: ARR in the base currency (as health_parents_rollup; no rate this month = weight 0)
    parents = {
        pk: mrr or 0
        for pk, mrr in Account.objects.filter(Exists(Account.objects.filter(parent_id=OuterRef("pk")))).values_list(
            "id", "mrr_base"
        )
    }
    if not parents or not days:
        return 0
    children = [
        (pk, parent_id, mrr or 0)
        for pk, parent_id, mrr in Account.objects.filter(parent_id__in=list(parents)).values_list(
            "id", "parent_id", "mrr_base"
        )
    ]
    kids: dict[int, list[tuple[int, float]]] = {}
    for child_id, parent_id, mrr in children:  # in the query's order, as health_parents_rollup sums them
        kids.setdefault(parent_id, []).append((child_id, mrr))
    snaps: dict[tuple[int, date], tuple] = rows if rows is not None else {}
    if rows is None:
        for row in HealthScore.objects.filter(
            day__in=list(days), account_id__in=list(parents) + [c[0] for c in children]
        ).values_list("account_id", "day", "id", "score", "computed_score", "source", "scorecard_id", "band"):
            snaps[(row[0], row[1])] = row
    bands = {sc.id: sc for sc in Scorecard.objects.all()}
    changed: list[tuple[int, int, str]] = []
    for day in days:
        for parent_id, mrr in parents.items():
            own = snaps.get((parent_id, day))
            if own is None or own[5] == ScoreSource.OVERRIDE:
                continue
            items = [(own[4], float(mrr))] if own[4] is not None else []
            for child_id, child_mrr in kids.get(parent_id, ()):
                snap = snaps.get((child_id, day))
                if snap is not None:
                    items.append((snap[3], float(child_mrr)))
            if not items:
                continue
            total_w = sum(w for _, w in items)
            score = sum(s * w for s, w in items) / total_w if total_w > 0 else sum(s for s, _ in items) / len(items)
            score = int(round(score))
            scorecard = bands.get(own[6])
            changed.append((own[2], score, scorecard.band_for(score) if scorecard else own[7], parent_id, day))
    if not changed:
        return 0
    # No ids when the rows came from health_history_compute: by (account, day), the unique index.
    sql.rollup_scores_update(changed, by_id=rows is None)
    return len(changed)


def history_finish(*, days: Sequence[date], scored: dict[date, list[int]], family: dict | None = None) -> None:
    """After the snapshots: every day's parents roll-up; for today, the Account columns and
    the scores_recomputed signal, as health_recompute does."""
    parents_rollup_days(days, rows=None if family is None else family["rows"])
    for day in sorted(days):
        if day >= today():
            done = set(scored.get(day, ()))
            for chunk in account_ranges():
                health_current_update(as_of=day, account_ids=chunk, scored=done)
            signals.scores_recomputed.send(sender=HealthScore, account_ids=scored.get(day, []), day=day)
