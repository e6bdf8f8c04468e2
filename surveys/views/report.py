"""The survey report: NPS, CSAT and CES over time and by segment, tier and CSM, response rate,
score distribution, and verbatims with search and theme tags (one page; htmx gets the
verbatims partial)."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.choices import Tier
from core.choices import Role
from core.permissions import RoleRequiredMixin, require_role
from core.views import htmx_partial, partial

from ..choices import SurveyKind, score_category
from ..forms import ReportFilterForm
from ..metrics import distribution_from_counts, scores_from_counts
from ..models import SCORE_COLUMNS
from ..selectors import REPORT_GROUPS, report_owner_names, report_verbatims, survey_report_counts
from ..services import themes_recompute_queue
from .themes import themes_context


class SurveyReportView(RoleRequiredMixin, TemplateView):
    template_name = "surveys/survey_report.html"

    def get_template_names(self):
        if htmx_partial(self.request):
            return [partial(self.template_name, "verbatims")]
        return [self.template_name]

    def post(self, request, *args, **kwargs):
        """Recompute the theme tags (managers and admins), in the background (a form posted
        without htmx; the themes card posts to surveys:report_themes)."""
        require_role(request.user, Role.MANAGER)
        themes_recompute_queue()
        messages.success(request, _("Theme tags are being recomputed in the background."))
        return redirect(request.get_full_path())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.now().date()
        default_end = today + timedelta(days=1)
        default_start = (default_end - timedelta(days=365)).replace(day=1)
        form = ReportFilterForm(self.request.GET or None, initial={"start": default_start, "end": default_end})
        data = form.cleaned_data if form.is_valid() else {}
        end = data.get("end") or default_end
        start = data.get("start") or default_start
        owner_id = data["owner"].pk if data.get("owner") else None
        narrowing = {"segment": data.get("segment") or "", "tier": data.get("tier") or "", "owner_id": owner_id}
        searching = bool(data.get("q") or data.get("theme"))
        fragment = htmx_partial(self.request)
        counts = None
        if not (fragment and searching):  # the fragment needs only the number of comments
            groups = () if fragment else REPORT_GROUPS
            counts = survey_report_counts(start=start, end=end, groups=groups, **narrowing)
        verbatims = self._verbatims(start, end, narrowing, data, counts)
        context.update(form=form, start=start, end=end, verbatims=verbatims, querystring=self._querystring())
        if fragment:
            return context

        totals = counts["totals"]
        months = [{"key": key, **scores_from_counts(c)} for key, c in counts["month"] if _answered(c)]
        segments = [{"key": key, **scores_from_counts(c)} for key, c in counts["segment"] if _answered(c)]
        tiers = [{"key": key, **scores_from_counts(c)} for key, c in counts["tier"] if _answered(c)]
        owners = [{"key": key, **scores_from_counts(c)} for key, c in counts["owner_id"] if _answered(c)]
        names = report_owner_names(owner_ids=[r["key"] for r in owners if r["key"]])
        for row in owners:
            row["label"] = names.get(row["key"], _("No owner"))
        tier_labels = dict(Tier.choices)
        for row in tiers:
            row["label"] = tier_labels.get(row["key"], row["key"])
        distributions = {kind: distribution_from_counts(totals, kind) for kind in SurveyKind.values}
        chart = {
            "months": [r["key"].strftime("%Y-%m") for r in months],
            "nps": [r["nps"] for r in months],
            "csat": [None if r["csat"] is None else round(100 * r["csat"], 1) for r in months],
            "ces": [r["ces"] for r in months],
            "distribution": {
                kind: {
                    "labels": list(dist.keys()),
                    "counts": list(dist.values()),
                    "groups": [score_category(kind, s) for s in dist],
                }
                for kind, dist in distributions.items()
            },
        }
        sent, answered = totals["sent"], totals["answered"]
        context.update(
            scores=scores_from_counts(totals),
            rate={"sent": sent, "answered": answered, "rate": round(answered / sent, 4) if sent else None},
            by_segment=segments,
            by_tier=tiers,
            by_owner=owners,
            chart_json=chart,
            **themes_context(self.request),
        )
        context["querystring"] = self._querystring()
        return context

    def _verbatims(self, start, end, narrowing: dict, data: dict, counts: dict | None):
        """The newest comments first, 25 a page. Without a search or theme, the number of
        comments (the paginator's count) comes from the report's counts instead of a scan."""
        qs = report_verbatims(
            start=_as_datetime(start),
            end=_as_datetime(end),
            narrowing=narrowing,
            kind=data.get("kind") or "",
            q=data.get("q") or "",
            theme=data.get("theme"),
        )
        paginator = Paginator(qs, 25)
        if counts is not None and not (data.get("q") or data.get("theme")):
            kinds = [data["kind"]] if data.get("kind") else SurveyKind.values
            paginator.count = sum(counts["totals"][f"comments_{kind}"] for kind in kinds)
        return paginator.get_page(self.request.GET.get("page"))

    def _querystring(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        return query.urlencode()


def _answered(counts: dict) -> bool:
    """A group appears in a breakdown when it has answers in the period (as a GROUP BY would)."""
    return any(counts[name] for _, _, name in SCORE_COLUMNS)


def _as_datetime(day):
    from ..metrics import as_datetime

    return as_datetime(day)
