"""Writes of the admin-configured pipeline: stages with order, probability and kind."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..choices import StageKind
from ..models import Opportunity, PipelineStage


@transaction.atomic
def pipeline_stage_save(
    *, stage: PipelineStage | None = None, name: str, order: int, probability: int, kind: str
) -> PipelineStage:
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("This field is required.")]
    elif PipelineStage.objects.filter(name__iexact=name).exclude(pk=stage.pk if stage else 0).exists():
        errors["name"] = [_("A stage with this name exists.")]
    if not 0 <= int(probability) <= 100:
        errors["probability"] = [_("Enter a percentage from 0 to 100.")]
    if kind not in StageKind.values:
        errors["kind"] = [_("Choose open, won or lost.")]
    if stage is not None and stage.pk and kind != stage.kind and stage.kind == StageKind.OPEN:
        others = PipelineStage.objects.open().exclude(pk=stage.pk)
        if not others.exists():
            errors["kind"] = [_("The pipeline needs at least one open stage.")]
    if errors:
        raise ValidationError(errors)
    stage = stage or PipelineStage()
    kind_changed = stage.pk is not None and stage.kind != kind
    stage.name, stage.order, stage.probability, stage.kind = name, int(order), int(probability), kind
    stage.save()
    if kind_changed:
        Opportunity.objects.filter(stage=stage).update(status=kind)
    return stage


@transaction.atomic
def pipeline_stage_delete(*, stage: PipelineStage) -> None:
    """Delete an unused stage; a stage with opportunities, or the last open one, stays."""
    if Opportunity.objects.filter(stage=stage).exists():
        raise ValidationError(_("Opportunities are at this stage: move them first."))
    if stage.kind == StageKind.OPEN and not PipelineStage.objects.open().exclude(pk=stage.pk).exists():
        raise ValidationError(_("The pipeline needs at least one open stage."))
    stage.delete()
