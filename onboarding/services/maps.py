"""Success maps: personas, maps and their versions (draft, publish), and a draft's stages,
milestones and success vehicles. Published versions never change."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Persona

from ..choices import MapVersionStatus, MetricOp, MilestoneKind
from ..conditions import METRICS
from ..models import Milestone, Stage, SuccessMap, SuccessMapVersion, SuccessVehicle
from ..panel_cache import plans_changed

__all__ = [
    "milestone_create",
    "milestone_delete",
    "persona_create",
    "stage_create",
    "stage_delete",
    "stage_move",
    "stage_update",
    "success_map_create",
    "success_map_draft",
    "success_map_publish",
    "vehicle_create",
    "vehicle_delete",
]


def persona_create(*, name: str, description: str = "") -> Persona:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A persona needs a name.")})
    if Persona.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A persona called “%(name)s” exists already.") % {"name": name}})
    return Persona.objects.create(name=name, description=description)


@transaction.atomic
def success_map_create(*, persona: Persona, name: str, description: str = "", user=None) -> SuccessMap:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A map needs a name.")})
    if SuccessMap.objects.filter(persona=persona, name__iexact=name).exists():
        raise ValidationError(
            {"name": _("%(persona)s already has a map called “%(name)s”.") % {"persona": persona, "name": name}}
        )
    success_map = SuccessMap.objects.create(persona=persona, name=name, description=description)
    SuccessMapVersion.objects.create(success_map=success_map, number=1, created_by=user)
    return success_map


@transaction.atomic
def success_map_draft(*, success_map: SuccessMap, user=None) -> SuccessMapVersion:
    """The version to edit: the open draft, else a new draft copied from the newest version.
    Published versions are never edited, so plans on them keep what they started with."""
    locked = SuccessMap.objects.select_for_update().get(pk=success_map.pk)
    draft = locked.versions.filter(status=MapVersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    source = locked.versions.order_by("-number").prefetch_related("stages__milestones", "stages__vehicles").first()
    draft = SuccessMapVersion.objects.create(
        success_map=locked, number=(source.number + 1) if source else 1, created_by=user
    )
    if source is None:
        return draft
    for stage in source.stages.all():
        new_stage = Stage.objects.create(
            version=draft,
            key=stage.key,
            position=stage.position,
            name=stage.name,
            description=stage.description,
            translations=stage.translations,
        )
        Milestone.objects.bulk_create(
            Milestone(
                stage=new_stage,
                key=m.key,
                position=m.position,
                title=m.title,
                kind=m.kind,
                event_name=m.event_name,
                metric_key=m.metric_key,
                metric_op=m.metric_op,
                metric_threshold=m.metric_threshold,
                translations=m.translations,
            )
            for m in stage.milestones.all()
        )
        SuccessVehicle.objects.bulk_create(
            SuccessVehicle(
                stage=new_stage,
                key=v.key,
                position=v.position,
                title=v.title,
                kind=v.kind,
                url=v.url,
                translations=v.translations,
            )
            for v in stage.vehicles.all()
        )
    return draft


def _require_draft(version: SuccessMapVersion) -> None:
    if version.status != MapVersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)s is %(status)s: edit a new draft instead.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )


@transaction.atomic
def success_map_publish(*, version: SuccessMapVersion, note: str = "") -> SuccessMapVersion:
    _require_draft(version)
    stages = list(version.stages.all())
    if not stages:
        raise ValidationError(_("A map needs at least one stage before it is published."))
    now = timezone.now()
    SuccessMapVersion.objects.filter(success_map_id=version.success_map_id, status=MapVersionStatus.PUBLISHED).update(
        status=MapVersionStatus.RETIRED
    )
    version.status = MapVersionStatus.PUBLISHED
    version.published_at = now
    version.note = note or version.note
    version.save(update_fields=["status", "published_at", "note"])
    return version


def stage_create(*, version: SuccessMapVersion, name: str, description: str = "") -> Stage:
    _require_draft(version)
    if not name.strip():
        raise ValidationError({"name": _("A stage needs a name.")})
    last = version.stages.aggregate(m=Max("position"))["m"]
    return Stage.objects.create(
        version=version, name=name.strip(), description=description, position=0 if last is None else last + 1
    )


def stage_update(*, stage: Stage, name: str, description: str = "") -> Stage:
    _require_draft(stage.version)
    if not name.strip():
        raise ValidationError({"name": _("A stage needs a name.")})
    stage.name, stage.description = name.strip(), description
    stage.save(update_fields=["name", "description"])
    return stage


def stage_delete(*, stage: Stage) -> None:
    _require_draft(stage.version)
    stage.delete()


@transaction.atomic
def stage_move(*, stage: Stage, offset: int) -> None:
    """Move a stage up (-1) or down (+1) among its version's stages."""
    _require_draft(stage.version)
    stages = list(stage.version.stages.all())
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    target = index + offset
    if not 0 <= target < len(stages):
        return
    stages[index], stages[target] = stages[target], stages[index]
    for position, s in enumerate(stages):
        s.position = position
    Stage.objects.bulk_update(stages, ["position"])
    plans_changed(None)  # the stage track of the account page's plan panel


def milestone_create(
    *,
    stage: Stage,
    title: str,
    kind: str = MilestoneKind.MANUAL,
    event_name: str = "",
    metric_key: str = "",
    metric_op: str = MetricOp.GTE,
    metric_threshold: float | None = None,
) -> Milestone:
    _require_draft(stage.version)
    if kind == MilestoneKind.METRIC and metric_key not in METRICS:
        raise ValidationError({"metric_key": _("Unknown metric “%(key)s”.") % {"key": metric_key}})
    last = stage.milestones.aggregate(m=Max("position"))["m"]
    milestone = Milestone(
        stage=stage,
        title=title.strip(),
        kind=kind,
        event_name=event_name.strip() if kind == MilestoneKind.EVENT else "",
        metric_key=metric_key if kind == MilestoneKind.METRIC else "",
        metric_op=metric_op,
        metric_threshold=metric_threshold if kind == MilestoneKind.METRIC else None,
        position=0 if last is None else last + 1,
    )
    milestone.full_clean(exclude=["stage", "key"])
    milestone.save()
    return milestone


def milestone_delete(*, milestone: Milestone) -> None:
    _require_draft(milestone.stage.version)
    milestone.delete()


def vehicle_create(*, stage: Stage, title: str, kind: str, url: str = "") -> SuccessVehicle:
    _require_draft(stage.version)
    last = stage.vehicles.aggregate(m=Max("position"))["m"]
    vehicle = SuccessVehicle(
        stage=stage, title=title.strip(), kind=kind, url=url, position=0 if last is None else last + 1
    )
    vehicle.full_clean(exclude=["stage", "key"])
    vehicle.save()
    return vehicle


def vehicle_delete(*, vehicle: SuccessVehicle) -> None:
    _require_draft(vehicle.stage.version)
    vehicle.delete()
