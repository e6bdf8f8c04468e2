"""Writes for playbooks: create or edit (a new version and its snapshot each time), enable or
disable."""

from __future__ import annotations

from django.db import transaction

from ..models import Playbook, PlaybookVersion

__all__ = [
    "PLAYBOOK_FIELDS",
    "playbook_save",
    "playbook_set_enabled",
]

PLAYBOOK_FIELDS = (
    "name",
    "description",
    "trigger_type",
    "trigger_params",
    "conditions",
    "actions",
    "enabled",
    "cooldown_days",
    "max_enrolments",
)


@transaction.atomic
def playbook_save(*, playbook: Playbook | None = None, user=None, note: str = "", **fields) -> Playbook:
    """Create (playbook=None) or update a playbook; validates it, bumps `version` and stores a
    PlaybookVersion snapshot. Raises ValidationError with per-field messages."""
    unknown = set(fields) - set(PLAYBOOK_FIELDS)
    if unknown:
        raise ValueError(f"unknown playbook fields: {', '.join(sorted(unknown))}")
    if playbook is None:
        playbook = Playbook(created_by=user if getattr(user, "pk", None) else None)
    else:
        playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    for name, value in fields.items():
        setattr(playbook, name, value)
    playbook.full_clean()
    playbook.version += 1
    playbook.save()
    PlaybookVersion.objects.create(
        playbook=playbook,
        version=playbook.version,
        snapshot=playbook.snapshot(),
        changed_by=user if getattr(user, "pk", None) else None,
        note=note[:255],
    )
    return playbook


def playbook_set_enabled(*, playbook: Playbook, enabled: bool, user=None) -> Playbook:
    if playbook.enabled == enabled:
        return playbook
    return playbook_save(playbook=playbook, user=user, enabled=enabled, note="enabled" if enabled else "disabled")
