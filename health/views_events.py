"""The event-measure editor (admin, beside the scorecards): list, create, edit, delete the
measures an admin defines over event names (health.models.EventMeasure)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from core.permissions import AdminRequiredMixin
from core.views import ActionView, ServiceFormView

from .forms import EventMeasureForm
from .models import EventMeasure
from .selectors import event_measure_rows, events_seen
from .services import event_measure_delete, event_measure_save

__all__ = ["EventMeasureDeleteView", "EventMeasureEditView"]


class EventMeasureEditView(AdminRequiredMixin, ServiceFormView):
    """GET/POST /health/event-measures/ (new) and /health/event-measures/<pk>/ (edit): the
    list of event measures beside the form, with the event names seen as suggestions."""

    template_name = "health/event_measures.html"
    partial_name = "form"
    form_class = EventMeasureForm

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(EventMeasure, pk=pk) if pk is not None else None

    def get_context_data(self, **kwargs):
        return super().get_context_data(rows=event_measure_rows(), seen=events_seen(), **kwargs)

    def perform(self, form):
        return event_measure_save(measure=form.save(commit=False))

    def get_success_message(self, obj) -> str:
        return _("Saved “%(label)s”: add it to a scorecard to use it.") % {"label": obj.label}

    def get_success_url(self, obj) -> str:
        return reverse("health:event_measures")


class EventMeasureDeleteView(AdminRequiredMixin, ActionView):
    """POST /health/event-measures/<pk>/delete/: gone from every scorecard too."""

    def get_object(self):
        return get_object_or_404(EventMeasure, pk=self.kwargs["pk"])

    def perform(self, obj):
        event_measure_delete(measure=obj)

    def get_success_url(self, obj) -> str:
        return reverse("health:event_measures")

    @property
    def success_message(self) -> str:  # type: ignore[override]
        return _("Event measure deleted.")
