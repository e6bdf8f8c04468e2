"""Playbooks' filter for saved views (accounts.saved_views.registry), registered in
PlaybooksConfig.ready(): how many open (or snoozed) tasks the account has. One correlated
count subquery, no loop."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from accounts.saved_views import register_view_filter

from .choices import OPEN_STATUSES
from .models import Task

__all__ = ["register_playbook_view_filters"]


def _open_tasks():
    counts = (
        Task.objects.filter(account_id=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("account_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _apply(op, value, *, user):
    if op == "between":
        return Q(GreaterThanOrEqual(_open_tasks(), int(value[0]))) & Q(LessThanOrEqual(_open_tasks(), int(value[1])))
    lookup = GreaterThanOrEqual if op == "gte" else LessThanOrEqual
    return Q(lookup(_open_tasks(), int(value)))


def register_playbook_view_filters() -> None:
    register_view_filter("open_tasks", _("Open tasks"), "number", apply=_apply, group=_("Tasks"))
