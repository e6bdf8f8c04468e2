"""FilterSets of the REST API. Accounts are named by external id (`?account=acme`)."""

import django_filters as filters
from django.db.models import Exists, OuterRef, Q

from core.api.filters import IsoDateTimeFilter

from ..models import Account, AccountTeamMember, Activity, Contact, CostEntry, Subscription, SupportTicket


class AccountFilter(filters.FilterSet):
    external_id = filters.CharFilter()
    name = filters.CharFilter(lookup_expr="icontains")
    updated_after = IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    mrr_min = filters.NumberFilter(field_name="mrr", lookup_expr="gte")
    mrr_max = filters.NumberFilter(field_name="mrr", lookup_expr="lte")
    owner = filters.CharFilter(field_name="owner__username", help_text="The owner's username.")
    team = filters.CharFilter(
        method="filter_team", help_text="A username: the accounts that user owns or is on the account team of."
    )
    parent = filters.CharFilter(field_name="parent__external_id")

    class Meta:
        model = Account
        fields = ["tier", "segment", "lifecycle_stage", "health_band", "stripe_customer_id"]

    def filter_team(self, queryset, name, value):
        member = AccountTeamMember.objects.filter(account=OuterRef("pk"), user__username=value)
        return queryset.filter(Q(owner__username=value) | Q(Exists(member)))


class ContactFilter(filters.FilterSet):
    account = filters.CharFilter(field_name="account__external_id")
    email = filters.CharFilter(lookup_expr="iexact")
    external_id = filters.CharFilter()
    updated_after = IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Contact
        fields = ["language"]


class SubscriptionFilter(filters.FilterSet):
    account = filters.CharFilter(field_name="account__external_id")
    external_id = filters.CharFilter()
    active_on = filters.DateFilter(method="filter_active_on", help_text="Subscriptions active on this day.")
    start_after = filters.DateFilter(field_name="start_date", lookup_expr="gte")
    start_before = filters.DateFilter(field_name="start_date", lookup_expr="lt")

    class Meta:
        model = Subscription
        fields = ["is_trial", "plan"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class TicketFilter(filters.FilterSet):
    account = filters.CharFilter(field_name="account__external_id")
    external_id = filters.CharFilter()
    opened_after = IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")
    open = filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", help_text="Not resolved yet.")

    class Meta:
        model = SupportTicket
        fields = ["status", "priority", "escalated"]


class ActivityFilter(filters.FilterSet):
    account = filters.CharFilter(field_name="account__external_id")
    occurred_after = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Activity
        fields = ["kind"]


class CostEntryFilter(filters.FilterSet):
    start_after = filters.DateFilter(field_name="period_start", lookup_expr="gte")
    start_before = filters.DateFilter(field_name="period_start", lookup_expr="lt")

    class Meta:
        model = CostEntry
        fields = ["category"]
