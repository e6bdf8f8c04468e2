"""Touch cadence per tier (admins): how often a CSM should touch an account ("touch due" in the
portfolio, and the "no CSM touch" trigger)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from core.permissions import AdminRequiredMixin
from core.views import ServiceFormView

from ..forms import CadenceForm
from ..selectors import touch_cadence_days
from ..services import touch_cadence_set

__all__ = ["CadenceView"]


class CadenceView(AdminRequiredMixin, ServiceFormView):
    template_name = "playbooks/cadence_form.html"
    form_class = CadenceForm
    success_message = gettext_lazy("Touch cadence saved.")

    def get_form_kwargs(self):
        return {"days_by_tier": touch_cadence_days()}

    def perform(self, form):
        return touch_cadence_set(days_by_tier=dict(form.cleaned_data))

    def get_success_url(self, obj) -> str:
        return reverse("playbooks:cadence")
