"""The risks list's filters (browser UI and API)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import Tier
from core.choices import Role
from core.models import User

from .choices import RISK_CLOSED_STATUSES, RISK_OPEN_STATUSES, RiskSeverity, RiskStatus, RiskType
from .models import ReasonCode, Risk

STATE_CHOICES = [("live", _("Open or mitigating")), ("closed", _("Saved or lost")), *RiskStatus.choices]


class RiskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    state = django_filters.ChoiceFilter(method="filter_state", choices=STATE_CHOICES, empty_label=_("Any status"))
    type = django_filters.ChoiceFilter(choices=RiskType.choices, empty_label=_("Any type"))
    severity = django_filters.ChoiceFilter(choices=RiskSeverity.choices, empty_label=_("Any severity"))
    reason = django_filters.ModelChoiceFilter(
        field_name="reason_code", queryset=ReasonCode.objects.all(), empty_label=_("Any reason")
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(role__in=[Role.CSM, Role.MANAGER, Role.ADMIN]).order_by("username"),
        empty_label=_("Any owner"),
    )
    tier = django_filters.ChoiceFilter(field_name="account__tier", choices=Tier.choices, empty_label=_("Any tier"))

    class Meta:
        model = Risk
        fields = ["q", "state", "type", "severity", "reason", "owner", "tier"]

    def filter_search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(account__name__icontains=value) | Q(account__external_id=value))

    def filter_state(self, queryset, name, value):
        if value == "live":
            return queryset.filter(status__in=RISK_OPEN_STATUSES)
        if value == "closed":
            return queryset.filter(status__in=RISK_CLOSED_STATUSES)
        return queryset.filter(status=value) if value else queryset
