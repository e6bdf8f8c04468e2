"""The feed page's filters: kind, and unread only."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import NotificationKind
from .models import Notification

STATES = (("unread", _("Unread")), ("read", _("Read")))


class NotificationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices, empty_label=_("Every kind"), label=_("Kind"))
    state = django_filters.ChoiceFilter(
        choices=STATES, method="filter_state", empty_label=_("Read and unread"), label=_("State")
    )

    class Meta:
        model = Notification
        fields = ["kind", "state"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(read_at__isnull=(value == "unread"))
