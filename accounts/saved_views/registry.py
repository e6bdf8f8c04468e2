"""The view filter registry: the vocabulary of saved views' conditions (issue 17, item 5).

accounts owns it and registers the account's own fields (accounts.saved_views.filters); the
floors above register theirs in their AppConfig.ready(): health (each measure's latest score),
surveys (last NPS / CSAT answer, a detractor this quarter), playbooks (open tasks). A filter
never loops over accounts: `apply(op, value, user=)` returns a `Q` over accounts (plain
lookups, `Exists`, or a lookup on a `Subquery`), so a view is one query for a page and one for
its count whatever the number of conditions.

Filters whose list depends on data (a filter per custom field, per health measure) come from a
*source*: `register_view_filter_source(fn)`, `fn()` returning ViewFilters, read on each use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "KIND_OPERATORS",
    "ViewFilter",
    "register_view_filter",
    "register_view_filter_source",
    "view_filter_get",
    "view_filters",
]

# Each kind's operators (a filter may narrow them) and how its value is read.
KIND_OPERATORS: dict[str, tuple[str, ...]] = {
    "choice": ("in", "not_in"),
    "number": ("gte", "lte", "between"),
    "days": ("within", "more_than"),
    "boolean": ("is_true", "is_false"),
    "text": ("eq", "contains"),
}

OPERATOR_LABELS = {
    "in": gettext_lazy("is any of"),
    "not_in": gettext_lazy("is none of"),
    "gte": gettext_lazy("at least"),
    "lte": gettext_lazy("at most"),
    "between": gettext_lazy("between"),
    "within": gettext_lazy("within N days"),
    "more_than": gettext_lazy("more than N days"),
    "is_true": gettext_lazy("yes"),
    "is_false": gettext_lazy("no"),
    "eq": gettext_lazy("is"),
    "contains": gettext_lazy("contains"),
}

ApplyFn = Callable[..., Q]


@dataclass(frozen=True)
class ViewFilter:
    """One condition a view may hold. `apply(op, value, user=)` gets a value already checked
    by `clean(op, value)` (the default reads it by `kind`) and returns a Q over accounts."""

    key: str
    label: Any
    kind: str
    apply: ApplyFn
    operators: tuple[str, ...] = ()
    choices: Callable[[], list[tuple[str, str]]] | None = None
    group: Any = ""
    clean: Callable[[str, Any], Any] | None = None
    operator_labels: dict[str, Any] = field(default_factory=dict)
    input_type: str = ""  # the builder's input: "date" for a date custom field; else by kind

    @property
    def ops(self) -> tuple[str, ...]:
        return self.operators or KIND_OPERATORS[self.kind]

    def op_label(self, op: str) -> str:
        return str(self.operator_labels.get(op) or OPERATOR_LABELS.get(op, op))

    def clean_value(self, op: str, value):
        """The value in the form `apply` takes; ValueError with the reason."""
        if op not in self.ops:
            raise ValueError(_("operator must be one of: %(ops)s") % {"ops": ", ".join(self.ops)})
        if self.clean is not None:
            return self.clean(op, value)
        return _clean_by_kind(self, op, value)


def _number(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("must be a number"))
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(_("must be a number")) from None
    if not number.is_finite():
        raise ValueError(_("must be a number"))
    return number


def _clean_by_kind(view_filter: ViewFilter, op: str, value):
    kind = view_filter.kind
    if kind == "boolean":
        return None
    if kind == "choice":
        values = value if isinstance(value, list) else [value]
        values = [str(v) for v in values if v not in (None, "")]
        if not values:
            raise ValueError(_("pick at least one value"))
        if view_filter.choices is not None:
            allowed = {code for code, _label in view_filter.choices()}
            if bad := [v for v in values if v not in allowed]:
                raise ValueError(_("unknown value(s): %(values)s") % {"values": ", ".join(bad)})
        return values
    if kind == "number":
        if op == "between":
            if not isinstance(value, list) or len(value) != 2:
                raise ValueError(_("between takes two numbers [low, high]"))
            low, high = _number(value[0]), _number(value[1])
            if low > high:
                raise ValueError(_("the low end must not be above the high end"))
            return [low, high]
        return _number(value)
    if kind == "days":
        try:
            days = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValueError(_("must be a whole number of days")) from None
        if not 0 <= days <= 36500:
            raise ValueError(_("must be between 0 and 36500 days"))
        return days
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise ValueError(_("must be some text"))
        return value.strip()[:200]
    raise ValueError(_("unknown filter kind"))


_FILTERS: dict[str, ViewFilter] = {}
_SOURCES: list[Callable[[], Iterable[ViewFilter]]] = []


def register_view_filter(
    key: str,
    label,
    kind: str,
    *,
    apply: ApplyFn,
    operators: tuple[str, ...] = (),
    choices: Callable[[], list[tuple[str, str]]] | None = None,
    group="",
    clean: Callable[[str, Any], Any] | None = None,
    operator_labels: dict | None = None,
) -> ViewFilter:
    """Add a filter (an app calls it in its AppConfig.ready())."""
    if kind not in KIND_OPERATORS:
        raise ValueError(f"view filter kind must be one of {', '.join(KIND_OPERATORS)}")
    view_filter = ViewFilter(
        key=key,
        label=label,
        kind=kind,
        apply=apply,
        operators=operators,
        choices=choices,
        group=group,
        clean=clean,
        operator_labels=operator_labels or {},
    )
    existing = _FILTERS.get(key)
    if existing is not None and existing.apply is not apply:
        raise ValueError(f"View filter {key!r} is registered twice.")
    _FILTERS[key] = view_filter
    return view_filter


def register_view_filter_source(source: Callable[[], Iterable[ViewFilter]]) -> None:
    """Add filters that depend on data (one per custom field, per health measure)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def view_filters() -> list[ViewFilter]:
    """Every filter: the registered ones, then each source's."""
    filters = list(_FILTERS.values())
    for source in _SOURCES:
        filters.extend(source())
    return filters


def view_filter_get(key: str) -> ViewFilter | None:
    if key in _FILTERS:
        return _FILTERS[key]
    for source in _SOURCES:
        for view_filter in source():
            if view_filter.key == key:
                return view_filter
    return None
