"""Health's filters for saved views (accounts.saved_views.registry), registered in
HealthConfig.ready(): each measure's score (0-100) in the account's latest snapshot, key
`measure.<key>`. One correlated subquery on the unique (account, day) index per condition,
no loop over accounts."""

from __future__ import annotations

from django.db.models import FloatField, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.saved_views import ViewFilter, register_view_filter_source

from .custom_measures import custom_field_measures_sync
from .models import HealthScore
from .registry import MEASURES

__all__ = ["measure_score_q", "register_health_view_filters"]

GROUP = gettext_lazy("Health")


def _latest_score(key: str):
    return Subquery(
        HealthScore.objects.filter(account_id=OuterRef("pk"))
        .order_by("-day")
        .values(s=Cast(KT(f"measures__{key}__score"), FloatField()))[:1],
        output_field=FloatField(),
    )


def measure_score_q(key: str, op: str, value) -> Q:
    """Accounts whose latest snapshot scores measure `key` at least / at most / between."""
    score = _latest_score(key)
    if op == "between":
        return Q(GreaterThanOrEqual(score, float(value[0]))) & Q(LessThanOrEqual(_latest_score(key), float(value[1])))
    lookup = GreaterThanOrEqual if op == "gte" else LessThanOrEqual
    return Q(lookup(score, float(value)))


def _measure_filters() -> list[ViewFilter]:
    custom_field_measures_sync()
    out = []
    for key, measure in MEASURES.items():

        def apply(op, value, *, user, key=key):
            return measure_score_q(key, op, value)

        out.append(
            ViewFilter(
                key=f"measure.{key}",
                label=_("%(measure)s score") % {"measure": measure.label},
                kind="number",
                apply=apply,
                group=GROUP,
            )
        )
    return out


def register_health_view_filters() -> None:
    register_view_filter_source(_measure_filters)
