"""Filters shared by every app's API FilterSets."""

from datetime import timedelta

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError as APIValidationError

__all__ = ["MAX_UTC_OFFSET", "FilterBackend", "IsoDateTimeFilter", "StrictIsoDateTimeField"]

# PostgreSQL refuses a time-zone displacement past ±15:59:59 (and Python past ±24:00).
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59, seconds=59)
BOOLEANS = {"true", "false", "1", "0"}


class StrictIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time whose UTC offset a database can store: within ±15:59."""

    default_error_messages = {"offset": _("The UTC offset must be within ±15:59 (ISO 8601, e.g. +02:00).")}

    def to_python(self, value):
        moment = super().to_python(value)
        offset = moment.utcoffset() if moment is not None else None
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise ValidationError(self.error_messages["offset"], code="offset")
        return moment


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """django-filter's IsoDateTimeFilter, refusing offsets PostgreSQL cannot store (400, not 500)."""

    field_class = StrictIsoDateTimeField


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend (REST_FRAMEWORK DEFAULT_FILTER_BACKENDS), except that a typed
    filter sent empty (`?updated_after=`, `?tier=`) is a 400 instead of being ignored: the
    schema says it takes a date, a number or one of the choices, and "" is none of those. Only
    free-text filters may be empty. A boolean filter takes true or false (django-filter would
    silently ignore `?open=maybe`)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            empty = [
                name
                for name, flt in filterset_class.base_filters.items()
                if request.query_params.get(name) == "" and not isinstance(flt, django_filters.CharFilter)
            ]
            if empty:
                raise APIValidationError({name: [_("must not be empty")] for name in empty})
            not_boolean = [
                name
                for name, flt in filterset_class.base_filters.items()
                if isinstance(flt, django_filters.BooleanFilter)
                and any(v.lower() not in BOOLEANS for v in request.query_params.getlist(name))
            ]
            if not_boolean:
                raise APIValidationError({name: [_("must be true or false")] for name in not_boolean})
        return super().filter_queryset(request, queryset, view)
