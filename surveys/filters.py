import django_filters

from core.api.filters import IsoDateTimeFilter

from .choices import Channel, SurveyKind
from .models import SurveyResponse


class SurveyResponseFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SurveyKind.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    account = django_filters.CharFilter(field_name="account__external_id", help_text="Account external id.")
    submitted_after = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = SurveyResponse
        fields = ["kind", "channel", "account", "submitted_after", "submitted_before"]
