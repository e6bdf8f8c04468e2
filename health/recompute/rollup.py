"""Parents' roll-up of one day: their children's ARR-weighted score."""

from collections.abc import Iterable
from datetime import date

from django.db.models import Exists, OuterRef

from accounts.models import Account

from ..models import HealthScore, Scorecard, ScoreSource

__all__ = ["health_parents_rollup"]


def health_parents_rollup(*, as_of: date, account_ids: Iterable[int] | None = None) -> list[int]:
    """Parents' score = their children's scores (and their own computed score) weighted by
    ARR in the base currency (`Account.mrr_base`: euros and dollars weigh what they are worth;
    an account without this month's rate weighs 0 rather than its unconverted amount); equal
    weights when nobody pays. One level. An override on the parent wins.
    With `account_ids`, only the parents among them or of them. Returns the parent ids."""
    if account_ids is None:
        parents_qs = Account.objects.filter(children__isnull=False).distinct()
    else:
        # Accounts among these that have children, or whose child is among them: two
        # index lookups (one query with an OR joined every account's children).
        ids = set(account_ids)
        ids |= set(Account.objects.filter(id__in=list(ids), parent__isnull=False).values_list("parent_id", flat=True))
        parents_qs = Account.objects.filter(id__in=sorted(ids)).filter(
            Exists(Account.objects.filter(parent_id=OuterRef("pk")))
        )
    parents = {pk: mrr or 0 for pk, mrr in parents_qs.values_list("id", "mrr_base")}
    if not parents:
        return []
    children = [
        (pk, parent_id, mrr or 0)
        for pk, parent_id, mrr in Account.objects.filter(parent_id__in=list(parents)).values_list(
            "id", "parent_id", "mrr_base"
        )
    ]
    snaps = {
        s.account_id: s
        for s in HealthScore.objects.filter(day=as_of, account_id__in=list(parents) + [c[0] for c in children])
    }
    bands = {sc.id: sc for sc in Scorecard.objects.all()}
    members: dict[int, list[tuple[float, float]]] = {p: [] for p in parents}
    for parent_id, mrr in parents.items():
        own = snaps.get(parent_id)
        if own is not None and own.computed_score is not None:
            members[parent_id].append((own.computed_score, float(mrr)))
    for child_id, parent_id, mrr in children:
        snap = snaps.get(child_id)
        if snap is not None:
            members[parent_id].append((snap.score, float(mrr)))
    changed = []
    for parent_id, items in members.items():
        snap = snaps.get(parent_id)
        if snap is None or snap.source == ScoreSource.OVERRIDE or not items:
            continue
        total_w = sum(w for _, w in items)
        score = sum(s * w for s, w in items) / total_w if total_w > 0 else sum(s for s, _ in items) / len(items)
        scorecard = bands.get(snap.scorecard_id)
        snap.score = int(round(score))
        snap.band = scorecard.band_for(snap.score) if scorecard else snap.band
        snap.source = ScoreSource.ROLLUP
        changed.append(snap)
    HealthScore.objects.bulk_update(changed, ["score", "band", "source"])
    return list(parents)
