"""The survey report: NPS, CSAT and CES over time and by segment, tier and CSM, response rate,
score distribution, and verbatims with search and theme tags (one page; htmx gets the
verbatims partial)."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.choices import Tier
from accounts.models import Account
from core.choices import Role
from core.permissions import RoleRequiredMixin, require_role
from core.views import htmx_partial

from ..choices import SurveyKind, score_category
from ..metrics import response_rate, score_distribution, survey_scores, survey_scores_grouped
from ..models import ResponseTheme, SurveyResponse

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportFilterForm(forms.Form):
    start = forms.DateField(required=False, widget=DATE_INPUT)
    end = forms.DateField(required=False, widget=DATE_INPUT, help_text="exclusive")
    segment = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": "Segment"}))
    tier = forms.ChoiceField(required=False, choices=[("", "All tiers"), *Tier.choices])
    owner = forms.ModelChoiceField(required=False, queryset=None, empty_label="All CSMs")
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *SurveyKind.choices])
    q = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search comments…"})
    )
    theme = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from core.models import User

        self.fields["owner"].queryset = User.objects.filter(is_active=True, accounts__isnull=False).distinct()


class SurveyReportView(RoleRequiredMixin, TemplateView):
    template_name = "surveys/survey_report.html"
    partial_template_name = "surveys/partials/verbatims.html"

    def get_template_names(self):
        if htmx_partial(self.request):
            return [self.partial_template_name]
        return [self.template_name]

    def post(self, request, *args, **kwargs):
        """Recompute the theme tags (managers and admins), in Celery."""
        require_role(request.user, Role.MANAGER)
        from ..tasks import themes_compute_task

        transaction.on_commit(themes_compute_task.delay)
        messages.success(request, "Theme tags are being recomputed; refresh in a moment.")
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
        accounts = Account.objects.all()
        if data.get("segment"):
            accounts = accounts.filter(segment=data["segment"])
        if data.get("tier"):
            accounts = accounts.filter(tier=data["tier"])
        if data.get("owner"):
            accounts = accounts.filter(owner=data["owner"])
        narrowed = accounts if (data.get("segment") or data.get("tier") or data.get("owner")) else None

        verbatims = self._verbatims(start, end, narrowed, data)
        context.update(form=form, start=start, end=end, verbatims=verbatims, querystring=self._querystring())
        if htmx_partial(self.request):
            return context

        scores = survey_scores(start=start, end=end) if narrowed is None else self._scores(start, end, narrowed)
        months = survey_scores_grouped(start=start, end=end, by="month", accounts=narrowed)
        owners = survey_scores_grouped(start=start, end=end, by="owner", accounts=narrowed)
        from core.models import User

        names = {u.id: str(u) for u in User.objects.filter(id__in=[r["key"] for r in owners if r["key"]])}
        for row in owners:
            row["label"] = names.get(row["key"], "No owner")
        tier_labels = dict(Tier.choices)
        tiers = survey_scores_grouped(start=start, end=end, by="tier", accounts=narrowed)
        for row in tiers:
            row["label"] = tier_labels.get(row["key"], row["key"])
        distributions = {
            kind: score_distribution(start=start, end=end, kind=kind, accounts=narrowed) for kind in SurveyKind.values
        }
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
        context.update(
            scores=scores,
            rate=response_rate(start=start, end=end, accounts=narrowed),
            by_segment=survey_scores_grouped(start=start, end=end, by="segment", accounts=narrowed),
            by_tier=tiers,
            by_owner=owners,
            chart_json=chart,
            themes=list(ResponseTheme.objects.all()[:30]),
            can_recompute=self.request.user.has_role(Role.MANAGER),
        )
        return context

    def _scores(self, start, end, accounts):
        from ..metrics import score_aggregates, scores_from_row

        row = (
            SurveyResponse.objects.submitted_between(*_bounds(start, end))
            .filter(account__in=accounts)
            .aggregate(**score_aggregates())
        )
        return scores_from_row(row)

    def _verbatims(self, start, end, accounts, data):
        qs = (
            SurveyResponse.objects.submitted_between(*_bounds(start, end))
            .exclude(comment="")
            .select_related("account", "contact", "theme")
        )
        if accounts is not None:
            qs = qs.filter(account__in=accounts)
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("q"):
            qs = qs.filter(comment__icontains=data["q"])
        if data.get("theme"):
            qs = qs.filter(theme_id=data["theme"])
        page = Paginator(qs.order_by("-submitted_at", "-id"), 25).get_page(self.request.GET.get("page"))
        return page

    def _querystring(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        return query.urlencode()


def _bounds(start, end):
    from ..metrics import as_datetime

    return as_datetime(start), as_datetime(end)
