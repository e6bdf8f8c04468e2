"""The audit log page's filters: who, what kind of change, which kind of record, when, and a
search over the record's name."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditEvent
from .registry import audited_models


def object_type_choices() -> list[tuple[str, str]]:
    from django.apps import apps

    choices = []
    for label in sorted(audited_models()):
        model = apps.get_model(label)
        choices.append((label, f"{model._meta.app_config.verbose_name} · {model._meta.verbose_name}"))
    return [*choices, ("csv", _("CSV export"))]


class AuditFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, empty_label=_("Every action"))
    object_type = django_filters.ChoiceFilter(choices=[], empty_label=_("Every kind of record"))
    actor = django_filters.CharFilter(method="filter_actor", label=_("Who"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AuditEvent
        fields = ["q", "action", "object_type", "actor", "since", "until"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["object_type"].extra["choices"] = object_type_choices()
        labels = {
            "action": _("Action"),
            "object_type": _("Kind of record"),
            "since": _("From"),
            "until": _("To"),
        }
        for name, label in labels.items():
            widget = forms.DateInput(attrs={"type": "date"}) if name in ("since", "until") else forms.Select()
            widget.attrs["aria-label"] = label
            self.filters[name].extra["widget"] = widget
        actor_attrs = {"placeholder": _("User or API key"), "aria-label": _("Who")}
        self.filters["actor"].extra["widget"] = forms.TextInput(attrs=actor_attrs)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(object_repr__icontains=value) | Q(object_id=value)) if value else queryset

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(actor_label__icontains=value) if value else queryset
