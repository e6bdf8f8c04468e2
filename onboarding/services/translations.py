"""What admins write for customers, in other languages: a map version's stage names and
descriptions, milestone and vehicle titles, and a checklist template's items
(core.content_translations: the default-language text is the field itself, the others are in
`translations`, and a missing one shows the default).

A translation is wording, not a change of the road: it may be written on a published version too,
so the plans already on it read in the customer's language without a new version
(docs/decisions.md "Content per language").
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.content_translations import translations_merge

from ..models import ChecklistTemplate, ChecklistTemplateItem, Milestone, Stage, SuccessMapVersion, SuccessVehicle
from ..panel_cache import plans_changed

__all__ = ["checklist_template_translations_set", "map_version_translations_set"]


def _apply(objects: list, texts: Mapping[int, Mapping[str, str]], *, language: str, what: str) -> list:
    """Merge `texts` ({pk: {field: text}}) into each object's translations; the changed objects."""
    by_pk = {obj.pk: obj for obj in objects}
    unknown = sorted(set(texts) - set(by_pk))
    if unknown:
        raise ValidationError(
            {what: _("Not part of this page: %(ids)s") % {"ids": ", ".join(str(pk) for pk in unknown)}}
        )
    changed = []
    for pk, values in texts.items():
        obj = by_pk[pk]
        try:
            merged = translations_merge(
                obj.translations,
                language=language,
                values=dict(values),
                fields=obj.TRANSLATED_FIELDS,
                max_lengths=obj.max_lengths(),
            )
        except ValidationError as exc:
            raise ValidationError({f"{what}-{pk}-{k}": v for k, v in exc.message_dict.items()}) from exc
        if merged != (obj.translations or {}):
            obj.translations = merged
            changed.append(obj)
    return changed


@transaction.atomic
def map_version_translations_set(
    *,
    version: SuccessMapVersion,
    language: str,
    stages: Mapping[int, Mapping[str, str]] | None = None,
    milestones: Mapping[int, Mapping[str, str]] | None = None,
    vehicles: Mapping[int, Mapping[str, str]] | None = None,
) -> int:
    """Write `language`'s texts for a version's stages, milestones and vehicles (each {pk: {field:
    text}}; an empty text removes that translation). All or nothing; returns how many rows changed."""
    stage_rows = list(Stage.objects.filter(version=version))
    milestone_rows = list(Milestone.objects.filter(stage__version=version))
    vehicle_rows = list(SuccessVehicle.objects.filter(stage__version=version))
    changed = 0
    for model, rows, texts, what in (
        (Stage, stage_rows, stages, "stage"),
        (Milestone, milestone_rows, milestones, "milestone"),
        (SuccessVehicle, vehicle_rows, vehicles, "vehicle"),
    ):
        updated = _apply(rows, texts or {}, language=language, what=what)
        if updated:
            model.objects.bulk_update(updated, ["translations"])
        changed += len(updated)
    plans_changed(None)  # stage names and goal titles on the account page's plan panel
    return changed


@transaction.atomic
def checklist_template_translations_set(
    *, template: ChecklistTemplate, language: str, items: Mapping[int, Mapping[str, str]]
) -> int:
    """Write `language`'s titles and descriptions of a template's items. Checklists already started
    keep the texts they were copied with; returns how many items changed."""
    rows = list(ChecklistTemplateItem.objects.filter(template=template))
    updated = _apply(rows, items, language=language, what="item")
    if updated:
        ChecklistTemplateItem.objects.bulk_update(updated, ["translations"])
    return len(updated)
