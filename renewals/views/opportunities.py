"""Opportunity pages: the board by stage (htmx drag-and-drop, buttons for keyboard and phone),
the filtered list, create / edit forms, and the admin's pipeline page."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.choices import Role
from core.permissions import AdminRequiredMixin, RoleRequiredMixin
from core.views import ActionView, ObjectListView, ServiceFormView

from ..choices import ForecastCategory, OpportunityKind
from ..forms import OpportunityFilterSet, OpportunityForm, PipelineStageForm, csm_choices
from ..models import Opportunity, PipelineStage
from ..permissions import opportunity_can_edit
from ..selectors import board_columns, opportunity_list, pipeline_stages
from ..services import opportunity_create, opportunity_move, opportunity_update
from ..services.pipeline import pipeline_stage_delete, pipeline_stage_save

BOARD_TEMPLATE = "renewals/opportunities/board.html"


def _board_queryset(request):
    qs = opportunity_list(user=request.user)
    owner = request.GET.get("owner") or request.POST.get("board_owner") or ""
    kind = request.GET.get("kind") or request.POST.get("board_kind") or ""
    if owner == "me":
        qs = qs.filter(owner=request.user)
    elif owner.isdigit():
        qs = qs.filter(owner_id=int(owner))
    if kind in OpportunityKind.values:
        qs = qs.filter(kind=kind)
    return qs, {"owner": owner, "kind": kind}


def board_context(request) -> dict:
    qs, filters = _board_queryset(request)
    columns, missing = board_columns(queryset=qs)
    kinds = {k: str(label) for k, label in OpportunityKind.choices}
    categories = {k: str(label) for k, label in ForecastCategory.choices}
    for column in columns:
        # labels once per column, not per card (the board renders up to 25 cards a column)
        for side in ("previous", "next"):
            stage = column[side]
            column[f"{side}_label"] = _("Move to %(stage)s") % {"stage": stage.name} if stage else ""
        for card in column["cards"]:
            card.can_edit = opportunity_can_edit(request.user, card)
            card.kind_label, card.category_label = kinds[card.kind], categories[card.category]
    return {
        "columns": columns,
        "missing_rates": missing,
        "filters": filters,
        "csms": csm_choices(),
        "kinds": OpportunityKind.choices,
        "can_edit": request.user.has_role(Role.CSM),
    }


class OpportunityBoardView(RoleRequiredMixin, TemplateView):
    """Open opportunities by stage (and the last 30 days' won and lost)."""

    template_name = BOARD_TEMPLATE

    def get_template_names(self):
        if getattr(self.request, "htmx", None) and not self.request.htmx.boosted:
            return [f"{BOARD_TEMPLATE}#board"]
        return [BOARD_TEMPLATE]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **board_context(self.request)}


class OpportunityMoveView(ActionView):
    """POST stage=<id>: move the card (drag-and-drop, or the ← / → buttons); answers the board."""

    template_name = f"{BOARD_TEMPLATE}#board"
    success_message = ""

    def get_object(self):
        return get_object_or_404(Opportunity.objects.select_related("account"), pk=self.kwargs["pk"])

    def perform(self, obj):
        stage_id = self.request.POST.get("stage", "")
        stage = PipelineStage.objects.filter(pk=int(stage_id)).first() if stage_id.isdigit() else None
        if stage is None:
            raise ValidationError(_("Choose a stage of the pipeline."))
        try:
            opportunity_move(opportunity=obj, stage=stage, user=self.request.user)
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc
        return

    def get_context_data(self, obj, **kwargs):
        return {"object": obj, **board_context(self.request), **kwargs}

    def get_success_url(self, obj):
        return reverse("renewals:board")


class OpportunityListView(ObjectListView):
    filterset_class = OpportunityFilterSet
    template_name = "renewals/opportunities/list.html"
    partial_name = "results"
    paginate_by = 50
    default_ordering = "close"
    ordering_options = {
        "close": ["close_date", "id"],
        "amount": [F("amount").desc(), "id"],
        "account": ["account__name", "id"],
    }

    def get_queryset(self):
        return opportunity_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active_filters"] = sum(1 for k, v in self.request.GET.items() if v and k not in ("sort", "page"))
        return context


class OpportunityCreateView(ServiceFormView):
    form_class = OpportunityForm
    template_name = "renewals/opportunities/form.html"

    def get_form(self, data=None, files=None):
        initial = {}
        if data is None and self.request.GET.get("account"):
            initial["account"] = self.request.GET["account"]
        return OpportunityForm(data, initial=initial) if data is not None else OpportunityForm(initial=initial)

    def perform(self, form):
        return opportunity_create(user=self.request.user, **form.service_values())

    def get_success_url(self, obj):
        return reverse("accounts:detail", args=[obj.account_id])

    def get_success_message(self, obj):
        return _("Opportunity saved.")


class OpportunityEditView(ServiceFormView):
    form_class = OpportunityForm
    template_name = "renewals/opportunities/form.html"

    def get_object(self):
        opportunity = get_object_or_404(Opportunity.objects.select_related("account"), pk=self.kwargs["pk"])
        if self.request.method == "POST" and not opportunity_can_edit(self.request.user, opportunity):
            raise PermissionDenied(_("You can change only the opportunities of your own book."))
        return opportunity

    def get_form(self, data=None, files=None):
        return (
            OpportunityForm(data, instance=self.object) if data is not None else OpportunityForm(instance=self.object)
        )

    def perform(self, form):
        return opportunity_update(opportunity=self.object, user=self.request.user, **form.service_values())

    def get_success_url(self, obj):
        return reverse("renewals:list")

    def get_success_message(self, obj):
        return _("Opportunity saved.")


# Section: the pipeline (admins)


class PipelineView(AdminRequiredMixin, TemplateView):
    template_name = "renewals/opportunities/pipeline.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "stages": pipeline_stages(), "form": PipelineStageForm()}


class PipelineStageSaveView(AdminRequiredMixin, ServiceFormView):
    form_class = PipelineStageForm
    template_name = "renewals/opportunities/stage_form.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(PipelineStage, pk=pk) if pk else None

    def perform(self, form):
        data = form.cleaned_data
        return pipeline_stage_save(
            stage=self.object,
            name=data["name"],
            order=data["order"],
            probability=data["probability"],
            kind=data["kind"],
        )

    def get_success_url(self, obj):
        return reverse("renewals:pipeline")

    def get_success_message(self, obj):
        return _("Stage saved.")


class PipelineStageDeleteView(AdminRequiredMixin, ActionView):
    def get_object(self):
        return get_object_or_404(PipelineStage, pk=self.kwargs["pk"])

    def perform(self, obj):
        pipeline_stage_delete(stage=obj)

    def get_success_url(self, obj):
        return reverse("renewals:pipeline")
