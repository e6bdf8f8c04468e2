"""The success map editor (admins): the list of maps and personas, a map's versions, and one
URL per change of a draft (stages, milestones, vehicles) or of the map (draft, publish)."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.permissions import AdminRequiredMixin
from core.views import ServiceFormView

from .. import services
from ..choices import MapVersionStatus, MilestoneKind
from ..forms import MilestoneForm, PersonaForm, StageForm, SuccessMapForm, VehicleForm
from ..models import Milestone, Stage, SuccessMap, SuccessMapVersion, SuccessVehicle
from ..selectors import map_draft, map_version_detail, map_versions, persona_list, success_map_list
from .base import PageActionView
from .translations import language_tabs, map_translation_objects

__all__ = [
    "MapCreateView",
    "MapDraftView",
    "MapEditView",
    "MapListView",
    "MapPublishView",
    "MilestoneCreateView",
    "MilestoneDeleteView",
    "PersonaCreateView",
    "StageCreateView",
    "StageDeleteView",
    "StageMoveView",
    "StageUpdateView",
    "VehicleCreateView",
    "VehicleDeleteView",
]


def _map_edit_url(success_map_id: int, version_number: int | None = None) -> str:
    url = reverse("onboarding:map_edit", args=[success_map_id])
    return f"{url}?version={version_number}" if version_number is not None else url


def _map_with_persona(pk) -> SuccessMap:
    return get_object_or_404(SuccessMap.objects.select_related("persona"), pk=pk)


# Section: the list of maps and personas


def map_list_context(**forms) -> dict:
    return {
        "maps": success_map_list(),
        "personas": persona_list(),
        "persona_form": forms.get("persona_form") or PersonaForm(),
        "map_form": forms.get("map_form") or SuccessMapForm(),
    }


class MapListView(AdminRequiredMixin, TemplateView):
    template_name = "onboarding/successmap_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**map_list_context(), **kwargs)


class PersonaCreateView(AdminRequiredMixin, ServiceFormView):
    http_method_names = ["post"]  # the form is on the page
    form_class = PersonaForm
    template_name = "onboarding/successmap_list.html"

    def get_context_data(self, **kwargs):
        return {**map_list_context(persona_form=kwargs["form"]), **super().get_context_data(**kwargs)}

    def perform(self, form):
        return services.persona_create(**form.cleaned_data)

    def get_success_message(self, obj) -> str:
        return _("Persona %(name)s added.") % {"name": obj}

    def get_success_url(self, obj) -> str:
        return reverse("onboarding:map_list")


class MapCreateView(AdminRequiredMixin, ServiceFormView):
    http_method_names = ["post"]  # the form is on the page
    form_class = SuccessMapForm
    template_name = "onboarding/successmap_list.html"

    def get_context_data(self, **kwargs):
        return {**map_list_context(map_form=kwargs["form"]), **super().get_context_data(**kwargs)}

    def perform(self, form):
        return services.success_map_create(**form.cleaned_data, user=self.request.user)

    def get_success_url(self, obj) -> str:
        return _map_edit_url(obj.pk)


# Section: one map's versions


def map_edit_context(success_map: SuccessMap, wanted_version=None, *, lang=None, translation_form=None) -> dict:
    """The editor of `success_map` showing version number `wanted_version` (default: the newest),
    with its texts in language `lang` when that is not the default (onboarding.views.translations)."""
    versions = map_versions(success_map=success_map)
    chosen = next((v for v in versions if str(v.number) == str(wanted_version)), None) or (
        versions[0] if versions else None
    )
    version = map_version_detail(version_id=chosen.pk) if chosen else None
    tabs = language_tabs(
        map_translation_objects(version) if version else [],
        lang,
        translation_form,
        query=f"version={version.number}&" if version else "",
    )
    return {
        **tabs,
        "success_map": success_map,
        "versions": versions,
        "version": version,
        "has_draft": any(v.status == MapVersionStatus.DRAFT for v in versions),
        "stage_form": StageForm(),
        "milestone_form": MilestoneForm(),
        "vehicle_form": VehicleForm(),
        "milestone_kinds": MilestoneKind,
    }


class MapEditView(AdminRequiredMixin, TemplateView):
    template_name = "onboarding/successmap_edit.html"

    def get_context_data(self, **kwargs):
        success_map = _map_with_persona(self.kwargs["pk"])
        context = map_edit_context(success_map, self.request.GET.get("version"), lang=self.request.GET.get("lang"))
        return super().get_context_data(**context, **kwargs)


class MapDraftView(AdminRequiredMixin, PageActionView):
    """Start editing: a draft copied from the newest version."""

    def get_object(self):
        return _map_with_persona(self.kwargs["pk"])

    def act(self, success_map):
        self.draft = services.success_map_draft(success_map=success_map, user=self.request.user)
        self.success_message = _(
            "Editing version %(number)s (a draft). Plans stay on the versions they started on."
        ) % {"number": self.draft.number}

    def get_success_url(self, success_map) -> str:
        draft = getattr(self, "draft", None)
        return _map_edit_url(success_map.pk, draft.number if draft else None)


class MapPublishView(AdminRequiredMixin, PageActionView):
    """Publish the map's draft: new plans start on it."""

    def get_object(self):
        return _map_with_persona(self.kwargs["pk"])

    def act(self, success_map):
        self.draft = map_draft(success_map=success_map)
        if self.draft is None:
            raise ValidationError(_("There is no draft to publish."))
        services.success_map_publish(version=self.draft, note=self.request.POST.get("note", ""))
        self.success_message = _("Version %(number)s published: new plans start on it.") % {"number": self.draft.number}

    def get_success_url(self, success_map) -> str:
        draft = getattr(self, "draft", None)
        return _map_edit_url(success_map.pk, draft.number if draft else None)


# Section: a draft's stages, milestones and vehicles


class DraftFormView(AdminRequiredMixin, ServiceFormView):
    """A form of the map editor: errors re-render the editor on the version edited."""

    http_method_names = ["post"]  # the form is on the page
    template_name = "onboarding/successmap_edit.html"

    def get_version(self) -> SuccessMapVersion:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        version = self.get_version()
        context = map_edit_context(_map_with_persona(version.success_map_id), version.number)
        return {**context, **super().get_context_data(**kwargs)}

    def get_success_url(self, obj) -> str:
        version = self.get_version()
        return _map_edit_url(version.success_map_id, version.number)


class StageCreateView(DraftFormView):
    form_class = StageForm

    def get_object(self):
        return get_object_or_404(SuccessMapVersion, success_map_id=self.kwargs["pk"], status=MapVersionStatus.DRAFT)

    def get_version(self) -> SuccessMapVersion:
        return self.object

    def perform(self, form):
        return services.stage_create(version=self.object, **form.cleaned_data)


class StageFormView(DraftFormView):
    """A form about one stage (`pk` in the URL)."""

    def get_object(self):
        return get_object_or_404(Stage.objects.select_related("version"), pk=self.kwargs["pk"])

    def get_version(self) -> SuccessMapVersion:
        return self.object.version


class StageUpdateView(StageFormView):
    form_class = StageForm

    def perform(self, form):
        return services.stage_update(stage=self.object, **form.cleaned_data)


class MilestoneCreateView(StageFormView):
    form_class = MilestoneForm

    def perform(self, form):
        data = form.cleaned_data
        return services.milestone_create(
            stage=self.object,
            title=data["title"],
            kind=data["kind"],
            event_name=data["event_name"],
            metric_key=data["metric_key"],
            metric_op=data["metric_op"] or "gte",
            metric_threshold=data["metric_threshold"],
        )


class VehicleCreateView(StageFormView):
    form_class = VehicleForm

    def perform(self, form):
        return services.vehicle_create(stage=self.object, **form.cleaned_data)


class DraftActionView(AdminRequiredMixin, PageActionView):
    """A button of the map editor about one row of a draft; back to that version."""

    model = Stage
    related = "version"

    def get_object(self):
        return get_object_or_404(self.model.objects.select_related(self.related), pk=self.kwargs["pk"])

    def get_version(self, obj) -> SuccessMapVersion:
        return obj.version

    def get_success_url(self, obj) -> str:
        version = self.get_version(obj)
        return _map_edit_url(version.success_map_id, version.number)


class StageDeleteView(DraftActionView):
    def act(self, stage):
        services.stage_delete(stage=stage)


class StageMoveView(DraftActionView):
    """Move a stage one place up or down (`direction`)."""

    def act(self, stage):
        services.stage_move(stage=stage, offset=-1 if self.request.POST.get("direction") == "up" else 1)


class MilestoneDeleteView(DraftActionView):
    model = Milestone
    related = "stage__version"

    def get_version(self, milestone) -> SuccessMapVersion:
        return milestone.stage.version

    def act(self, milestone):
        services.milestone_delete(milestone=milestone)


class VehicleDeleteView(DraftActionView):
    model = SuccessVehicle
    related = "stage__version"

    def get_version(self, vehicle) -> SuccessMapVersion:
        return vehicle.stage.version

    def act(self, vehicle):
        services.vehicle_delete(vehicle=vehicle)
