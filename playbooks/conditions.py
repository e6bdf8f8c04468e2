"""Playbook conditions: which accounts a trigger may fire for (tier, segment, ARR range,
lifecycle stage, persona, account custom fields, a shared saved view as the audience). Applied
as one queryset filter, never a loop over accounts.

- `custom_fields`: [{"key", "op", "value"}], each with its type's operators
  (accounts.custom_fields.lookups); all must hold.
- `in_view`: a shared saved view's id: only accounts in that view (its conditions read as its
  owner would: "me" is the owner)."""

from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.choices import LifecycleStage, Tier

__all__ = ["CONDITION_KEYS", "conditions_apply", "conditions_describe", "conditions_validate"]

CONDITION_KEYS = ("tiers", "segments", "lifecycle_stages", "personas", "arr_min", "arr_max", "custom_fields", "in_view")


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError("must be a number") from None


def conditions_validate(conditions: dict) -> dict[str, str]:
    """{field: reason} for every bad entry (empty when valid)."""
    errors: dict[str, str] = {}
    if not isinstance(conditions, dict):
        return {"conditions": "must be an object"}
    for key in conditions:
        if key not in CONDITION_KEYS:
            errors[key] = _("unknown condition (expected one of %(keys)s)") % {"keys": ", ".join(CONDITION_KEYS)}
    for key, allowed in (("tiers", Tier.values), ("lifecycle_stages", LifecycleStage.values)):
        values = conditions.get(key) or []
        if not isinstance(values, list):
            errors[key] = "must be a list"
        elif bad := [v for v in values if v not in allowed]:
            errors[key] = _("unknown value(s): %(values)s") % {"values": ", ".join(map(str, bad))}
    segments = conditions.get("segments") or []
    if not isinstance(segments, list) or not all(isinstance(s, str) for s in segments):
        errors["segments"] = "must be a list of segment names"
    personas = conditions.get("personas") or []
    if not isinstance(personas, list) or not all(isinstance(p, int) for p in personas):
        errors["personas"] = "must be a list of persona ids"
    bounds = {}
    for key in ("arr_min", "arr_max"):
        try:
            bounds[key] = _decimal(conditions.get(key))
        except ValueError as exc:
            errors[key] = str(exc)
            continue
        if bounds[key] is not None and bounds[key] < 0:
            errors[key] = "must not be negative"
    errors.update(_custom_field_errors(conditions.get("custom_fields")))
    if conditions.get("in_view") is not None:
        from accounts.saved_views import SavedView

        view_id = conditions["in_view"]
        if not isinstance(view_id, int) or not SavedView.objects.filter(pk=view_id, shared=True).exists():
            errors["in_view"] = "must be the id of a shared saved view"
    if (
        bounds.get("arr_min") is not None
        and bounds.get("arr_max") is not None
        and bounds["arr_min"] > bounds["arr_max"]
    ):
        errors["arr_max"] = "must be at least arr_min"
    return errors


def _custom_field_errors(rows) -> dict[str, str]:
    from accounts.custom_fields import custom_field_get, custom_field_q_validate

    if rows in (None, []):
        return {}
    if not isinstance(rows, list):
        return {"custom_fields": "must be a list of {key, op, value}"}
    errors = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"custom_fields.{i}"] = _("must be an object with key, op and value")
            continue
        definition = custom_field_get(entity="account", key=str(row.get("key", "")))
        if definition is None:
            errors[f"custom_fields.{i}.key"] = _("unknown or archived account custom field")
            continue
        try:
            custom_field_q_validate(definition, row.get("op", ""), row.get("value"))
        except ValueError as exc:
            errors[f"custom_fields.{i}.value"] = str(exc)
    return errors


def _custom_fields_q(rows, prefix: str) -> Q:
    from accounts.custom_fields import custom_field_get, custom_field_q, custom_field_q_validate

    q = Q()
    for row in rows or []:
        definition = custom_field_get(entity="account", key=row.get("key", ""))
        if definition is None:  # archived since: the condition can no longer hold
            return Q(pk__in=[])
        value = custom_field_q_validate(definition, row["op"], row.get("value"))
        q &= custom_field_q(definition, row["op"], value, prefix=prefix)
    return q


def conditions_apply(queryset: QuerySet, conditions: dict, *, account_path: str = "") -> QuerySet:
    """Filter `queryset` (of accounts, or of rows with an `account` FK at `account_path`)."""
    prefix = f"{account_path}__" if account_path else ""
    conditions = conditions or {}
    q = Q()
    if conditions.get("tiers"):
        q &= Q(**{f"{prefix}tier__in": conditions["tiers"]})
    if conditions.get("segments"):
        q &= Q(**{f"{prefix}segment__in": conditions["segments"]})
    if conditions.get("lifecycle_stages"):
        q &= Q(**{f"{prefix}lifecycle_stage__in": conditions["lifecycle_stages"]})
    # ARR = 12 x MRR; compare on the indexed MRR column.
    if (arr_min := _decimal(conditions.get("arr_min"))) is not None:
        q &= Q(**{f"{prefix}mrr__gte": arr_min / 12})
    if (arr_max := _decimal(conditions.get("arr_max"))) is not None:
        q &= Q(**{f"{prefix}mrr__lte": arr_max / 12})
    if conditions.get("custom_fields"):
        q &= _custom_fields_q(conditions["custom_fields"], prefix)
    queryset = queryset.filter(q)
    if conditions.get("in_view") is not None:
        from accounts.saved_views import SavedView, saved_view_accounts

        view = SavedView.objects.select_related("owner").filter(pk=conditions["in_view"], shared=True).first()
        if view is None:
            return queryset.none()
        in_view = saved_view_accounts(definition=view.definition, user=view.owner).values("pk")
        queryset = queryset.filter(**{f"{prefix}pk__in" if prefix else "pk__in": in_view})
    if conditions.get("personas"):
        from accounts.models import Contact

        account_ref = OuterRef(f"{account_path}_id" if account_path else "pk")
        queryset = queryset.filter(
            Exists(Contact.objects.filter(account_id=account_ref, persona_id__in=conditions["personas"]))
        )
    return queryset


def conditions_describe(conditions: dict, persona_names: dict[int, str] | None = None) -> list[str]:
    """Human-readable lines for the builder and the run log."""
    conditions = conditions or {}
    lines = []

    def either(values) -> str:
        return _(" or ").join(str(v) for v in values)

    if conditions.get("tiers"):
        lines.append(_("Tier is %(values)s") % {"values": either(Tier(t).label for t in conditions["tiers"])})
    if conditions.get("segments"):
        lines.append(_("Segment is %(values)s") % {"values": either(conditions["segments"])})
    if conditions.get("lifecycle_stages"):
        stages = either(LifecycleStage(s).label for s in conditions["lifecycle_stages"])
        lines.append(_("Stage is %(values)s") % {"values": stages})
    if conditions.get("personas"):
        names = persona_names or {}
        personas = either(names.get(p, _("persona #%(id)s") % {"id": p}) for p in conditions["personas"])
        lines.append(_("Has a contact who is %(values)s") % {"values": personas})
    for row in conditions.get("custom_fields") or []:
        lines.append(_custom_field_line(row))
    if conditions.get("in_view") is not None:
        from accounts.saved_views import SavedView

        name = SavedView.objects.filter(pk=conditions["in_view"]).values_list("name", flat=True).first()
        lines.append(_("In the view “%(name)s”") % {"name": name} if name else _("In a saved view that was deleted"))
    lo, hi = conditions.get("arr_min"), conditions.get("arr_max")

    def money(value) -> str:
        return f"{Decimal(str(value)):,.0f}"

    if lo not in (None, "") and hi not in (None, ""):
        lines.append(_("ARR between %(low)s and %(high)s") % {"low": money(lo), "high": money(hi)})
    elif lo not in (None, ""):
        lines.append(_("ARR at least %(amount)s") % {"amount": money(lo)})
    elif hi not in (None, ""):
        lines.append(_("ARR at most %(amount)s") % {"amount": money(hi)})
    return lines


def _custom_field_line(row: dict) -> str:
    from accounts.custom_fields import custom_field_get
    from accounts.custom_fields.lookups import OPERATOR_LABELS

    definition = custom_field_get(entity="account", key=row.get("key", ""), include_archived=True)
    label = definition.label if definition else row.get("key", "")
    value = row.get("value")
    shown = ", ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else str(value))
    return f"{label} {OPERATOR_LABELS.get(row.get('op'), row.get('op'))} {shown}".strip()
