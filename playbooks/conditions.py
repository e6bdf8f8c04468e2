"""Playbook conditions: which accounts a trigger may fire for (tier, segment, ARR range,
lifecycle stage, persona). Applied as one queryset filter, never a loop over accounts."""

from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.choices import LifecycleStage, Tier

__all__ = ["CONDITION_KEYS", "conditions_apply", "conditions_describe", "conditions_validate"]

CONDITION_KEYS = ("tiers", "segments", "lifecycle_stages", "personas", "arr_min", "arr_max")


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
            errors[key] = f"unknown condition (expected one of {', '.join(CONDITION_KEYS)})"
    for key, allowed in (("tiers", Tier.values), ("lifecycle_stages", LifecycleStage.values)):
        values = conditions.get(key) or []
        if not isinstance(values, list):
            errors[key] = "must be a list"
        elif bad := [v for v in values if v not in allowed]:
            errors[key] = f"unknown value(s): {', '.join(map(str, bad))}"
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
    if (
        bounds.get("arr_min") is not None
        and bounds.get("arr_max") is not None
        and bounds["arr_min"] > bounds["arr_max"]
    ):
        errors["arr_max"] = "must be at least arr_min"
    return errors


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
    queryset = queryset.filter(q)
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
    if conditions.get("tiers"):
        lines.append("Tier is " + " or ".join(Tier(t).label for t in conditions["tiers"]))
    if conditions.get("segments"):
        lines.append("Segment is " + " or ".join(conditions["segments"]))
    if conditions.get("lifecycle_stages"):
        lines.append("Stage is " + " or ".join(LifecycleStage(s).label for s in conditions["lifecycle_stages"]))
    if conditions.get("personas"):
        names = persona_names or {}
        lines.append(
            "Has a contact who is " + " or ".join(names.get(p, f"persona #{p}") for p in conditions["personas"])
        )
    lo, hi = conditions.get("arr_min"), conditions.get("arr_max")
    if lo not in (None, "") and hi not in (None, ""):
        lines.append(f"ARR between {Decimal(str(lo)):,.0f} and {Decimal(str(hi)):,.0f}")
    elif lo not in (None, ""):
        lines.append(f"ARR at least {Decimal(str(lo)):,.0f}")
    elif hi not in (None, ""):
        lines.append(f"ARR at most {Decimal(str(hi)):,.0f}")
    return lines
