"""FilterSets of the usage API. Accounts and contacts are named by external id (`?account=acme`)."""

import django_filters as filters

from core.api.filters import IsoDateTimeFilter

from ..models import UsageEvent


class UsageEventFilter(filters.FilterSet):
    account = filters.CharFilter(field_name="account__external_id")
    contact = filters.CharFilter(field_name="contact__external_id")
    occurred_after = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")
    message_id = filters.CharFilter()

    class Meta:
        model = UsageEvent
        fields = ["event"]
