"""A saved view's definition: checked (`saved_view_definition_clean`), turned into one `Q`
over accounts (`saved_view_q`), and the reads built on it (the accounts of a view, its count,
the views a user sees)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ..models import Account
from .models import SavedView
from .registry import view_filter_get

__all__ = [
    "MAX_CONDITIONS",
    "saved_view_accounts",
    "saved_view_count",
    "saved_view_definition_clean",
    "saved_view_get",
    "saved_view_q",
    "saved_views_visible",
]

MAX_CONDITIONS = 30
MATCHES = ("all", "any")
COUNT_TTL = 60


def _groups(definition) -> list:
    """`groups`, or a flat `conditions` list read as one group with the top-level match."""
    if "groups" in definition:
        return definition["groups"]
    return [{"match": definition.get("match", "all"), "conditions": definition.get("conditions", [])}]


def saved_view_definition_clean(definition, *, user=None) -> dict:
    """The definition in its stored form: {"match", "groups": [{"match", "conditions": [{"field",
    "op", "value"}]}]}. Raises ValidationError({"definition.groups.0.conditions.1.value": [reason]})."""
    if not isinstance(definition, dict):
        raise ValidationError({"definition": [_("must be an object with match and groups")]})
    errors: dict[str, list[str]] = {}
    match = definition.get("match", "all")
    if match not in MATCHES:
        errors["definition.match"] = [_("must be all or any")]
    groups = _groups(definition)
    if not isinstance(groups, list):
        raise ValidationError({"definition.groups": [_("must be a list")]})
    out_groups = []
    total = 0
    for g, group in enumerate(groups):
        where = f"definition.groups.{g}"
        if not isinstance(group, dict) or not isinstance(group.get("conditions", []), list):
            errors[where] = [_("must be an object with match and conditions")]
            continue
        group_match = group.get("match", "all")
        if group_match not in MATCHES:
            errors[f"{where}.match"] = [_("must be all or any")]
        conditions = []
        for c, condition in enumerate(group.get("conditions", [])):
            here = f"{where}.conditions.{c}"
            total += 1
            if not isinstance(condition, dict):
                errors[here] = [_("must be an object with field, op and value")]
                continue
            view_filter = view_filter_get(str(condition.get("field", "")))
            if view_filter is None:
                errors[f"{here}.field"] = [_("unknown field")]
                continue
            op = condition.get("op", "")
            try:
                value = view_filter.clean_value(op, condition.get("value"))
            except ValueError as exc:
                errors[f"{here}.value" if op in view_filter.ops else f"{here}.op"] = [str(exc)]
                continue
            conditions.append({"field": view_filter.key, "op": op, "value": _jsonable(value)})
        if conditions:
            out_groups.append({"match": group_match, "conditions": conditions})
    if total > MAX_CONDITIONS:
        errors["definition"] = [_("at most %(max)d conditions") % {"max": MAX_CONDITIONS}]
    if errors:
        raise ValidationError(errors)
    return {"match": match, "groups": out_groups}


def _jsonable(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def saved_view_q(definition: dict, *, user) -> Q:
    """One Q over accounts for a cleaned definition (an empty one matches every account). A
    condition whose filter went away (an archived custom field) matches nothing."""
    combined_groups: list[Q] = []
    for group in _groups(definition):
        parts = []
        for condition in group.get("conditions", []):
            view_filter = view_filter_get(condition["field"])
            if view_filter is None:
                parts.append(Q(pk__in=[]))
                continue
            try:
                value = view_filter.clean_value(condition["op"], condition.get("value"))
            except ValueError:
                parts.append(Q(pk__in=[]))
                continue
            parts.append(view_filter.apply(condition["op"], value, user=user))
        if parts:
            combined_groups.append(_combine(parts, group.get("match", "all")))
    if not combined_groups:
        return Q()
    return _combine(combined_groups, definition.get("match", "all"))


def _combine(parts: list[Q], match: str) -> Q:
    result = parts[0]
    for part in parts[1:]:
        result = (result | part) if match == "any" else (result & part)
    return result


def saved_view_accounts(*, definition: dict, user, queryset: QuerySet[Account] | None = None) -> QuerySet[Account]:
    """The accounts the definition selects among those the user may see (one query)."""
    queryset = Account.objects.visible_to(user) if queryset is None else queryset
    return queryset.filter(saved_view_q(definition, user=user))


def saved_views_visible(*, user) -> QuerySet[SavedView]:
    """The user's own views and every shared one."""
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


def saved_view_get(*, user, pk) -> SavedView:
    """A view the user may see; SavedView.DoesNotExist otherwise."""
    return saved_views_visible(user=user).get(pk=pk)


def saved_view_count(*, view: SavedView, user) -> int:
    """How many accounts the view holds (cached a minute per view version and user: "me" and
    the user's read scope make counts personal)."""
    key = f"accounts:savedview:count:{view.pk}:{view.updated_at.timestamp():.0f}:{user.pk}"
    count = cache.get(key)
    if count is None:
        count = saved_view_accounts(definition=view.definition, user=user).count()
        cache.set(key, count, COUNT_TTL)
    return count
