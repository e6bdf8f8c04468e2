"""The success plan board and the TTFV report (everyone)."""

from datetime import date, timedelta

from django.utils import timezone
from django.views.generic import TemplateView

from accounts.choices import Tier
from core.permissions import RoleRequiredMixin
from core.views import htmx_partial, partial

from ..metrics import ttfv
from ..selectors import board, board_csms, board_segments, onboarding_settings, published_maps

__all__ = ["BoardView", "TTFVView"]


class BoardView(RoleRequiredMixin, TemplateView):
    """A map's stages as columns, the accounts on each (current stage, with the target), the
    stuck ones (no stage progress for the team's `stuck_days`) highlighted. Filters by htmx:
    the `columns` partial of the page."""

    template_name = "onboarding/board.html"

    def get_template_names(self):
        return [partial(self.template_name, "columns") if htmx_partial(self.request) else self.template_name]

    def get_context_data(self, **kwargs):
        maps = list(published_maps())
        params = self.request.GET
        success_map = next((m for m in maps if str(m.pk) == params.get("map")), None) or (maps[0] if maps else None)
        owner_id = params.get("owner") if (params.get("owner") or "").isdigit() else None
        tier, segment = params.get("tier", ""), params.get("segment", "")
        stuck_days = onboarding_settings().stuck_days
        result = board(success_map=success_map, stuck_days=stuck_days, owner_id=owner_id, tier=tier, segment=segment)
        return super().get_context_data(
            maps=maps,
            success_map=success_map,
            columns=result.columns,
            plans_count=result.plans_count,
            stuck_count=result.stuck_count,
            stuck_days=stuck_days,
            csms=board_csms(),
            tiers=Tier.choices,
            segments=board_segments(),
            filters={"owner": owner_id or "", "tier": tier, "segment": segment},
            **kwargs,
        )


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class TTFVView(RoleRequiredMixin, TemplateView):
    template_name = "onboarding/ttfv.html"

    def get_context_data(self, **kwargs):
        start = _parse_date(self.request.GET.get("start"))
        end = _parse_date(self.request.GET.get("end"))
        if "start" not in self.request.GET and "end" not in self.request.GET:
            # Default: contracts started in the last 12 months (older ones predate most usage history).
            start = timezone.now().date() - timedelta(days=365)
        report = ttfv(start=start, end=end)
        tier_labels = dict(Tier.choices)
        recent = sorted(report.accounts, key=lambda r: r.contract_start, reverse=True)[:25]
        return super().get_context_data(
            report=report,
            start=start,
            end=end,
            recent=recent,
            by_tier=[(tier_labels.get(k, k), g) for k, g in report.by_tier.items()],
            cohort_labels=list(report.by_cohort.keys()),
            cohort_medians=[g.median_days for g in report.by_cohort.values()],
            **kwargs,
        )
