"""The renewal forecast page: this and the next quarters by CSM and team, and the track record
of past quarters (expected against what renewed, beside the naive rate)."""

from datetime import date

from django.utils import timezone
from django.views.generic import TemplateView

from accounts.filters import segment_choices
from core.permissions import RoleRequiredMixin
from core.views import htmx_partial

from ..charts import accuracy_chart, quarters_chart
from ..forms import ForecastFilterForm
from ..quarters import quarter_add, quarter_label, quarter_start
from ..selectors import ForecastFilters, forecast_accuracy, forecast_quarters, forecast_rows, forecast_summary

TEMPLATE = "renewals/forecast/forecast.html"
QUARTERS = 4


class ForecastView(RoleRequiredMixin, TemplateView):
    template_name = TEMPLATE

    def get_template_names(self):
        return [f"{TEMPLATE}#body"] if htmx_partial(self.request) else [TEMPLATE]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first = quarter_start(timezone.now().date())
        quarter_choices = [
            {"quarter": quarter_add(first, k), "label": quarter_label(quarter_add(first, k))} for k in range(QUARTERS)
        ]
        form = ForecastFilterForm(
            self.request.GET or None, quarters=quarter_choices, segments=[s for s, _ in segment_choices()]
        )
        data = form.cleaned_data if form.is_valid() else {}
        chosen: date = data.get("quarter") or first
        chosen = quarter_start(chosen)
        filters = ForecastFilters(
            csm=data.get("csm"), team=data.get("team"), segment=data.get("segment") or "", tier=data.get("tier") or ""
        )
        rows = forecast_rows(first=first, count=QUARTERS, filters=filters)  # the one read
        quarters = forecast_quarters(first=first, count=QUARTERS, filters=filters, rows=rows)
        summary = forecast_summary(start=chosen, end=quarter_add(chosen, 1), filters=filters, rows=rows)
        accuracy = forecast_accuracy()
        context.update(
            form=form,
            chosen=chosen,
            chosen_label=quarter_label(chosen),
            selected_quarter=chosen.isoformat(),
            summary=summary,
            quarters=quarters,
            accuracy=accuracy,
            chart_quarters=quarters_chart(quarters),
            chart_accuracy=accuracy_chart(accuracy),
        )
        return context
