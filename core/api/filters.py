"""Filters shared by every app's API FilterSets."""

from datetime import timedelta

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

__all__ = ["MAX_UTC_OFFSET", "IsoDateTimeFilter", "StrictIsoDateTimeField"]

# PostgreSQL refuses a time-zone displacement past ±15:59:59 (and Python past ±24:00).
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59, seconds=59)


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
