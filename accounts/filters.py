"""FilterSets for the browser UI's account lists (the API keeps its own in accounts/api/filters.py)."""

from datetime import timedelta

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.models import User

from .access import accounts_in_book
from .choices import HealthBand, LifecycleStage, Tier
from .models import Account, TouchCadence

SEGMENTS_CACHE_KEY = "accounts:segments:v1"


def segment_choices() -> list[tuple[str, str]]:
    """The segments in use (free text from imports), cached for five minutes."""
    segments = cache.get(SEGMENTS_CACHE_KEY)
    if segments is None:
        segments = sorted(s for s in Account.objects.order_by().values_list("segment", flat=True).distinct() if s)
        cache.set(SEGMENTS_CACHE_KEY, segments, 300)
    return [(s, s) for s in segments]


def touch_overdue_q(*, now=None, cadence: dict[str, int] | None = None) -> Q:
    """Accounts whose last CSM touch is older than their tier's cadence (or that were never touched)."""
    now = now or timezone.now()
    cadence = cadence or TouchCadence.days_by_tier()
    q = Q()
    for tier, days in cadence.items():
        q |= Q(tier=tier) & (Q(last_touch_at__isnull=True) | Q(last_touch_at__lt=now - timedelta(days=days)))
    return q & ~Q(lifecycle_stage=LifecycleStage.CHURNED)


class PortfolioFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    owner = django_filters.ChoiceFilter(method="filter_owner", label=_("CSM"), empty_label=_("All CSMs"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, empty_label=_("All tiers"))
    segment = django_filters.ChoiceFilter(choices=[], empty_label=_("All segments"))
    stage = django_filters.ChoiceFilter(
        field_name="lifecycle_stage", choices=LifecycleStage.choices, empty_label=_("All stages")
    )
    health = django_filters.ChoiceFilter(
        method="filter_health", choices=[*HealthBand.choices, ("none", _("No score"))], empty_label=_("Any health")
    )
    touch = django_filters.ChoiceFilter(
        method="filter_touch", choices=[("overdue", _("Touch overdue"))], empty_label=_("Any touch")
    )
    # Subsidiaries as their own rows (default) or rolled up: one row per top parent (the view
    # reads it; accounts.selectors.portfolio_rollup).
    rollup = django_filters.ChoiceFilter(
        method="filter_rollup",
        choices=[("parents", _("Roll up to parents"))],
        empty_label=_("Include subsidiaries"),
    )

    class Meta:
        model = Account
        fields = ["q", "owner", "tier", "segment", "stage", "health", "touch", "rollup"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["segment"].extra["choices"] = segment_choices()
        owners = User.objects.filter(is_active=True, role__in=[Role.CSM, Role.MANAGER]).order_by("first_name")
        owner_choices = [
            ("me", _("My accounts")),
            ("book", _("My book (owned or on the team)")),
            ("none", _("Unassigned")),
        ]
        owner_choices += [(str(u.pk), u.get_full_name() or u.username) for u in owners]
        self.filters["owner"].extra["choices"] = owner_choices
        for name, label in (
            ("owner", _("CSM")),
            ("tier", _("Tier")),
            ("segment", _("Segment")),
            ("stage", _("Stage")),
            ("health", _("Health band")),
            ("touch", _("Touch")),
            ("rollup", _("Subsidiaries")),
        ):
            self.filters[name].extra["widget"] = forms.Select(attrs={"aria-label": label})

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value) | Q(external_id__iexact=value))

    def filter_owner(self, queryset, name, value):
        if value == "me":
            return queryset.filter(owner=self.request.user) if self.request else queryset.none()
        if value == "book":  # owned, or on the account team (accounts.access)
            return accounts_in_book(self.request.user, queryset) if self.request else queryset.none()
        if value == "none":
            return queryset.filter(owner__isnull=True)
        return queryset.filter(owner_id=value)

    def filter_health(self, queryset, name, value):
        if value == "none":
            return queryset.filter(health_score__isnull=True)
        return queryset.filter(health_band=value)

    def filter_rollup(self, queryset, name, value):
        return queryset  # the shape of the rows, not a filter: PortfolioView applies it

    def filter_touch(self, queryset, name, value):
        return queryset.filter(touch_overdue_q()) if value == "overdue" else queryset
