"""`get_FOO_display()` without translating every label of the field (issue 22's page CPU).

Django's `Model._get_FIELD_display` builds `dict(make_hashable(field.flatchoices))` on every call:
hashing the (value, label) pairs hashes each label, and a lazy label (`gettext_lazy`, which every
choice has since issue 22) is translated to be hashed. A table of 25 accounts with three choice
columns translated ~400 labels a page to show 75. `ChoiceLabelsMixin` keeps {value: label} per
field, built once (hashing the values only), and translates the one label asked for: the same
text as Django's.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

__all__ = ["ChoiceLabelsMixin"]


@lru_cache(maxsize=512)
def _labels(field) -> dict:
    return {make_hashable(value): label for value, label in field.flatchoices}


class ChoiceLabelsMixin:
    """For a model whose choice fields are shown in long tables (`get_FOO_display()` per row)."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
