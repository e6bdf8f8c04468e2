"""Which models are audited: each app registers its configuration models (and the records whose
deletion must be traced) in its `AppConfig.ready()`:

    register_audited_model("health.Scorecard")
    register_audited_model("core.User", exclude={"last_login"}, redact={"password"})
    register_audited_model("accounts.Account", actions={"delete"})

A save becomes a "create" or an "update" row with {field: [before, after]} (one read of the
stored row before the save), a delete a "delete" row with the values it had. Bulk writes
(`QuerySet.update`, `bulk_create`) send no model signals and are not audited: configuration
pages save one object at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save, pre_save

from .recorder import field_values, record_change, record_delete

__all__ = ["AuditedModel", "audited_models", "register_audited_model"]

ACTIONS = frozenset({"create", "update", "delete"})


@dataclass(frozen=True)
class AuditedModel:
    label: str
    exclude: frozenset[str]
    redact: frozenset[str]
    actions: frozenset[str]


_REGISTRY: dict[str, AuditedModel] = {}


def audited_models() -> dict[str, AuditedModel]:
    return dict(_REGISTRY)


def register_audited_model(
    label: str,
    *,
    exclude: set[str] | frozenset[str] = frozenset(),
    redact: set[str] | frozenset[str] = frozenset(),
    actions: set[str] | frozenset[str] = ACTIONS,
) -> None:
    """Audit the model "app_label.ModelName" (resolved lazily, so an app registers its own
    models in `ready()` without importing them first)."""
    unknown = set(actions) - ACTIONS
    if unknown:
        raise ValueError(f"Unknown audit actions for {label}: {sorted(unknown)}")
    spec = AuditedModel(label, frozenset(exclude), frozenset(redact), frozenset(actions))
    _REGISTRY[label.lower()] = spec
    uid = f"audit:{label.lower()}"
    if spec.actions & {"create", "update"}:
        pre_save.connect(_remember_before(spec), sender=label, weak=False, dispatch_uid=f"{uid}:pre")
        post_save.connect(_after_save(spec), sender=label, weak=False, dispatch_uid=f"{uid}:post")
    if "delete" in spec.actions:
        post_delete.connect(_after_delete(spec), sender=label, weak=False, dispatch_uid=f"{uid}:delete")


def _values(spec: AuditedModel, instance) -> dict:
    return field_values(instance, exclude=spec.exclude)


def _remember_before(spec: AuditedModel):
    def handler(sender, instance, raw=False, update_fields=None, **kwargs):
        if raw or instance.pk is None or instance._state.adding:
            instance._audit_before = None
            return
        if update_fields is not None and not (set(update_fields) - spec.exclude):
            instance._audit_before = "skip"  # only excluded fields (e.g. last_login) change
            return
        stored = sender._default_manager.filter(pk=instance.pk).first()
        instance._audit_before = _values(spec, stored) if stored is not None else None

    return handler


def _after_save(spec: AuditedModel):
    def handler(sender, instance, created, raw=False, **kwargs):
        before = getattr(instance, "_audit_before", None)
        instance.__dict__.pop("_audit_before", None)
        if raw or before == "skip":
            return
        created = created or before is None
        if created and "create" not in spec.actions or not created and "update" not in spec.actions:
            return
        record_change(instance, created=created, before=before, after=_values(spec, instance), redact=spec.redact)

    return handler


def _after_delete(spec: AuditedModel):
    def handler(sender, instance, **kwargs):
        record_delete(instance, before=_values(spec, instance), redact=spec.redact)

    return handler
