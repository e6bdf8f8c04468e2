"""Report pages: the CSM's home, the team dashboard, scorecards and cohorts.

One view per page (STYLE.md section 3): the page's body is a `{% partialdef body %}` of its own
template, so an htmx request (the filter bar) gets only that fragment (core.views.partial);
`?export=<table>` returns that table as CSV. Numbers
come from reports.selectors (which composes accounts / surveys / onboarding / health)."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.currency import subscription_missing_rates
from core.choices import Role
from core.csv_export import csv_response
from core.home_cards import home_cards_for
from core.permissions import RoleRequiredMixin
from core.views import htmx_partial, partial
from usage.metrics import METRIC_KEYS

from . import charts, home, selectors
from .forms import ReportFilterForm
from .periods import period_for, previous_period

RENEWAL_DAYS = home.RENEWAL_DAYS
AT_RISK_LIMIT = 10


class ReportView(RoleRequiredMixin, TemplateView):
    """Filter form -> (period, slice); the page's `{% partialdef body %}` for htmx; CSV for ?export=."""

    partial_name = ""
    with_filters = True
    with_csm = True
    with_period = True

    def today(self) -> date:
        return timezone.now().date()

    def get_form(self) -> ReportFilterForm | None:
        if not self.with_filters:
            return None
        return ReportFilterForm(self.request.GET or None, with_csm=self.with_csm, with_period=self.with_period)

    def resolve(self, form: ReportFilterForm):
        data = form.cleaned_data if form is not None and form.is_bound and form.is_valid() else {}
        csm = data.get("csm")
        filters = selectors.Filters(
            segment=data.get("segment") or "", tier=data.get("tier") or "", owner_id=csm.pk if csm else None
        )
        period = None
        if self.with_period:
            custom = data.get("period") == "custom"
            period = period_for(
                key=data.get("period"),
                start=data.get("start") if custom else None,
                end=data.get("end") if custom else None,
                today=self.today(),
            )
        return filters, period

    def tables(self, context) -> dict[str, tuple[list[str], list[list]]]:
        return {}

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        export = request.GET.get("export")
        if export:
            tables = self.tables(context)
            if export not in tables:
                return HttpResponseBadRequest(
                    gettext_lazy("export must be one of: %(names)s") % {"names": ", ".join(sorted(tables))}
                )
            headers, rows = tables[export]
            return csv_response(filename=f"{self.csv_prefix}-{export}-{self.today()}.csv", headers=headers, rows=rows)
        return self.render_to_response(context)

    def get_template_names(self):
        if htmx_partial(self.request) and self.partial_name:
            return [partial(self.template_name, self.partial_name)]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.get_form()
        filters, period = self.resolve(form)
        query = self.request.GET.copy()
        query.pop("export", None)
        context.update(form=form, filters=filters, period=period, querystring=query.urlencode(), today=self.today())
        # Money with no exchange rate counts 0 in every figure: say which (docs/metrics.md "Currency").
        accounts = None if filters.is_everyone else filters.accounts()
        context["fx_missing"] = subscription_missing_rates(days=self.fx_days(period), accounts=accounts)
        return context

    def fx_days(self, period) -> list[date]:
        """The days whose money the page converts (each at its month's rates)."""
        return [period.start, period.end] if period is not None else [self.today()]


# Section: CSM home


class HomeView(ReportView):
    """The book the user works or oversees (reports.home): a CSM's own, a manager's team with a
    row per member, everyone's for admins and read-only users; `?scope=` switches where the role
    allows. At risk, renewals in the next 90 days, tasks, NPS, expansion signals."""

    template_name = "reports/home.html"
    csv_prefix = "home"
    with_filters = False
    with_period = False

    def get(self, request, *args, **kwargs):
        try:
            self.scope = home.home_scope_resolve(user=request.user, requested=request.GET.get("scope", ""))
        except ValueError as exc:
            return HttpResponseBadRequest(str(exc))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today, scope = self.request.user, self.today(), self.scope
        context["scope"] = scope
        context["scopes"] = [(key, home.SCOPE_LABELS[key]) for key in home.home_scopes(user)]
        context["at_risk"] = home.home_at_risk(scope, limit=AT_RISK_LIMIT)
        context["renewals"] = home.home_renewals(scope, today=today)
        breakdown = home.home_breakdown(scope, today=today) if scope.key != home.MINE else []
        context["breakdown"] = breakdown
        context["book"] = home.home_book_from(breakdown) if breakdown else home.home_book(scope, today=today)
        context["tasks"], context["task_total"] = home.home_tasks(scope, today=today)
        nps_period = period_for(key=None, start=today - timedelta(days=90), end=today + timedelta(days=1), today=today)
        context["nps_period"] = nps_period
        context["my_survey"] = home.home_survey(scope, nps_period)
        context["signals"], context["signals_source"] = home.home_signals(scope, today=today)
        context["renewal_days"] = RENEWAL_DAYS
        context["can_edit"] = user.has_role(Role.CSM)
        context["home_cards"] = home_cards_for(self.request)  # cards the floors above register
        return context

    def tables(self, context):
        return {
            "at_risk": (
                ["account", "health", "band", "mrr", "renewal_date"],
                [[a.name, a.health_score, a.health_band, a.mrr, a.renewal_date] for a in context["at_risk"]],
            ),
            "renewals": (
                ["account", "renewal_date", "mrr", "health", "band"],
                [[a.name, a.renewal_date, a.mrr, a.health_score, a.health_band] for a in context["renewals"]],
            ),
            "tasks": (
                ["task", "account", "due", "priority", "status"],
                [
                    [t.title, t.account.name, t.due_date, t.get_priority_display(), t.status]
                    for t in context["tasks"] or []
                ],
            ),
        }


# Section: team dashboard


KPI_KEYS = [
    ("nrr", gettext_lazy("NRR"), "pct"),
    ("grr", gettext_lazy("GRR"), "pct"),
    ("logo_churn_rate", gettext_lazy("Logo churn"), "pct"),
    ("renewal_rate", gettext_lazy("Renewal rate"), "pct"),
    ("trial_conversion_rate", gettext_lazy("Trial conversion"), "pct"),
    ("nps", gettext_lazy("NPS"), "nps"),
    ("csat", gettext_lazy("CSAT"), "pct"),
    ("ces", gettext_lazy("CES"), "num"),
    ("fcr", gettext_lazy("First-contact resolution"), "pct"),
    ("avg_first_response_hours", gettext_lazy("First response (h)"), "num"),
]


class DashboardView(ReportView):
    template_name = "reports/dashboard.html"
    partial_name = "body"
    csv_prefix = "dashboard"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters, period, today = context["filters"], context["period"], context["today"]
        figures = selectors.dashboard_figures(
            period, filters, today, RENEWAL_DAYS, fresh=bool(self.request.GET.get("export"))
        )
        result, prev, with_usage, refresh = (
            figures["result"],
            figures["prev"],
            figures["with_usage"],
            figures["refresh"],
        )
        m = result["metrics"]
        series, distribution, trend = figures["series"], figures["distribution"], figures["trend"]
        renewals, nps, features, roi = figures["renewals"], figures["nps"], figures["features"], figures["roi"]
        context.update(
            with_usage=with_usage,
            features=features,
            roi=roi,
            refresh=refresh,
            source=result["source"],
            m=m,
            components=result["components"],
            prev_m=prev["metrics"],
            usage=result["usage"],
            kpis=[
                {"key": k, "label": label, "kind": kind, "value": m[k], "prev": prev["metrics"][k]}
                for k, label, kind in KPI_KEYS
            ],
            mrr_series=series,
            distribution=distribution,
            trend=trend,
            renewals=renewals,
            nps=nps,
            renewal_days=RENEWAL_DAYS,
            chart_waterfall=charts.waterfall(m),
            chart_mrr=charts.mrr_line(series),
            chart_bands=charts.band_doughnut(distribution),
            chart_trend=charts.band_trend(trend),
            chart_renewals=charts.renewals_bar(renewals),
            chart_nps=charts.nps_line(nps),
        )
        return context

    def tables(self, context):
        m = context["m"]
        steps = (
            "mrr_start",
            "mrr_new",
            "mrr_reactivation",
            "mrr_expansion",
            "mrr_contraction",
            "mrr_churned",
            "mrr_end",
        )
        bands = ["band", "accounts", "mrr"]
        return {
            "metrics": (
                ["metric", "value", "previous_period"],
                [[key, m[key], context["prev_m"][key]] for key in METRIC_KEYS],
            ),
            "waterfall": (["step", "mrr"], [[key, m[key]] for key in steps]),
            "mrr": (["day", "mrr"], [[d, v] for d, v in context["mrr_series"]]),
            "health": (bands, [[r["label"], r["accounts"], r["mrr"]] for r in context["distribution"]]),
            "health_trend": (
                ["day", "red", "yellow", "green"],
                [[r["day"], r["red"], r["yellow"], r["green"]] for r in context["trend"]],
            ),
            "renewals": (bands, [[r["label"], r["accounts"], r["mrr"]] for r in context["renewals"]]),
            "features": (
                ["feature", "paying_accounts_using", "adoption"],
                [[r["feature"], r["accounts"], r["adoption"]] for r in context["features"] or []],
            ),
            "roi": (["item", "amount"], list((context["roi"] or {}).items())),
            "nps": (
                ["month", "nps", "responses"],
                [[r["month"], r.get("nps"), r.get("nps_responses", 0)] for r in context["nps"]],
            ),
        }


# Section: scorecards


SCORE_COLUMNS = [
    ("nrr", gettext_lazy("NRR"), "pct"),
    ("grr", gettext_lazy("GRR"), "pct"),
    ("logo_churn_rate", gettext_lazy("Logo churn"), "pct"),
    ("renewal_rate", gettext_lazy("Renewals"), "pct"),
    ("nps", gettext_lazy("NPS"), "nps"),
    ("stickiness", gettext_lazy("DAU/MAU"), "pct"),
    ("features_per_account", gettext_lazy("Features / account"), "num"),
]


class ScorecardsView(ReportView):
    """Per CSM and per segment: this period against the one before. Managers and admins."""

    template_name = "reports/scorecards.html"
    partial_name = "body"
    csv_prefix = "scorecards"
    view_role = Role.MANAGER
    with_csm = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = context["period"]
        refresh = selectors.last_refresh()
        by_csm, by_segment = selectors.scorecards_for(
            period=period, refresh=refresh, segment=context["filters"].segment
        )
        context.update(
            prev_period=previous_period(period),
            columns=SCORE_COLUMNS,
            by_csm=by_csm,
            by_segment=by_segment,
            refresh=refresh,
        )
        return context

    def tables(self, context):
        def rows(items):
            out = []
            for r in items:
                now, prev = r.get("now", {}), r.get("prev", {})
                line = [r["label"], now.get("accounts")]
                for key, _, _ in SCORE_COLUMNS:
                    line += [now.get(key), prev.get(key)]
                out.append(line)
            return out

        headers = ["name", "accounts_active"]
        for key, _, _ in SCORE_COLUMNS:
            headers += [key, f"{key}_previous"]
        return {"csm": (headers, rows(context["by_csm"])), "segment": (headers, rows(context["by_segment"]))}


# Section: cohorts


class CohortsView(ReportView):
    template_name = "reports/cohorts.html"
    partial_name = "body"
    csv_prefix = "cohorts"
    with_period = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        measure = self.request.GET.get("measure", "logo")
        if measure not in {"logo", "revenue"}:
            measure = "logo"
        rows, source = selectors.cohort_rows(context["filters"], context["today"])
        ttfv = selectors.cohort_ttfv(context["filters"], context["today"])
        for row in rows:
            row["ttfv"] = ttfv.get(row["cohort"])
        width = max((len(r["columns"]) for r in rows), default=0)
        for row in rows:
            row["cells"] = [
                {**col, "value": col["logo_retention" if measure == "logo" else "revenue_retention"]}
                for col in row["columns"]
            ] + [None] * (width - len(row["columns"]))
        context.update(rows=rows, width=range(1, width + 1), measure=measure, source=source)
        return context

    def tables(self, context):
        width = len(context["width"])
        headers = ["cohort", "accounts", "start_mrr", "ttfv_median_days", "ttfv_reached"]
        for i in range(1, width + 1):
            headers += [f"m{i}_logo_retention", f"m{i}_revenue_retention"]
        rows = []
        for r in context["rows"]:
            ttfv = r.get("ttfv") or {}
            line = [f"{r['cohort']:%Y-%m}", r["size"], r["start_mrr"], ttfv.get("median_days"), ttfv.get("reached")]
            for col in r["columns"]:
                line += [col["logo_retention"], col["revenue_retention"]]
            rows.append(line)
        return {"cohorts": (headers, rows)}
