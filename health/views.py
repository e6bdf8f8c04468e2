"""Health pages: scorecards (admin) with a live band preview, the account card's actions,
and the backtest. Built from the core.views toolkit: writes are services (health.services),
reads selectors (health.selectors)."""

from datetime import UTC, datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.access import account_can_write, account_write_check
from accounts.models import Account
from core.choices import Role
from core.permissions import AdminRequiredMixin, RoleRequiredMixin
from core.views import ActionView, ServiceFormView, htmx_partial, partial

from .backtest import HORIZONS, SUGGEST_HORIZON, backtest, churn_model_train, scorecard_suggestion
from .custom_measures import custom_field_measures_sync
from .forms import HealthSettingsForm, MeasureRowForm, OverrideForm, ScorecardForm, SentimentForm, format_points
from .models import HealthOverride, HealthSettings, Scorecard
from .registry import MEASURES, measures_refresh
from .scoring import Plan, PlanMeasure
from .selectors import (
    account_health_card,
    churn_at_risk,
    churn_model_current,
    churn_risks_of,
    current_scorecards,
    default_weight_rows,
    latest_day,
    measure_label,
    scorecard_list_rows,
    scorecard_measures,
    scorecard_preview_bands,
    suggestion_rows,
)
from .services import (
    csm_sentiment_record,
    health_override_clear,
    health_override_create,
    health_recompute,
    health_settings_update,
    plans_load,
    scorecard_delete,
    scorecard_save,
    scorecard_suggestion_apply,
    today,
)

# Section: scorecards

PREVIEW = partial("health/scorecard_form.html", "preview")


class ScorecardListView(AdminRequiredMixin, ServiceFormView):
    """The scorecards with their band spread; its form is the settings every scorecard shares."""

    template_name = "health/scorecard_list.html"
    form_class = HealthSettingsForm

    def get_object(self):
        return HealthSettings.load()

    def get_context_data(self, **kwargs):
        return super().get_context_data(rows=scorecard_list_rows(), day=latest_day(), **kwargs)

    def perform(self, form):
        return health_settings_update(
            key_features=form.cleaned_data["key_features"],
            sentiment_stale_days=form.cleaned_data["sentiment_stale_days"],
        )

    def get_success_message(self, obj) -> str:
        return _("Health settings saved. Scores change at the next recompute.")

    def get_success_url(self, obj) -> str:
        return reverse("health:scorecard_list")


class ScorecardEditView(AdminRequiredMixin, View):
    """Create or edit a scorecard. An htmx POST with `preview` renders how the accounts
    would spread over the bands, without saving."""

    template_name = "health/scorecard_form.html"

    def _objects(self, pk):
        if pk is None:
            return Scorecard()
        return get_object_or_404(Scorecard, pk=pk)

    def _measure_forms(self, scorecard, data=None):
        measures_refresh()
        custom_field_measures_sync()
        existing = scorecard_measures(scorecard)
        keys = list(MEASURES) + [k for k in existing if k not in MEASURES]
        rows = []
        for key in keys:
            measure, saved = MEASURES.get(key), existing.get(key)
            initial = {
                "on": saved is not None if scorecard.pk else bool(measure and measure.default_points),
                "weight": saved.weight if saved else 10,
                "points": format_points(saved.points if saved else (measure.default_points if measure else [])),
            }
            form = MeasureRowForm(data, prefix=key, initial=initial)
            rows.append({"key": key, "measure": measure, "label": measure_label(key), "form": form})
        return rows

    def _render(self, request, scorecard, form, rows, status=200):
        return render(request, self.template_name, {"scorecard": scorecard, "form": form, "rows": rows}, status=status)

    def get(self, request, pk=None):
        scorecard = self._objects(pk)
        return self._render(request, scorecard, ScorecardForm(instance=scorecard), self._measure_forms(scorecard))

    def post(self, request, pk=None):
        scorecard = self._objects(pk)
        if scorecard.is_retired and "preview" not in request.POST:
            return HttpResponseBadRequest(_("A retired scorecard version is read-only."))
        form = ScorecardForm(request.POST, instance=scorecard)
        rows = self._measure_forms(scorecard, request.POST)
        rows_valid = all(r["form"].is_valid() for r in rows)
        chosen = [r for r in rows if rows_valid and r["form"].cleaned_data["on"]]
        if rows_valid and not chosen:
            rows[0]["form"].add_error("on", _("Pick at least one measure."))
            rows_valid = False
        if htmx_partial(request) and "preview" in request.POST:
            return self._preview(request, scorecard, form, rows, rows_valid=rows_valid)
        if not (form.is_valid() and rows_valid):
            return self._render(request, scorecard, form, rows, status=400)
        scorecard = scorecard_save(
            scorecard=form.instance,
            measures=[(r["key"], r["form"].cleaned_data["weight"], r["form"].cleaned_data["points"]) for r in chosen],
        )
        saved = _("Saved “%(name)s”. Scores follow at the next recompute.")
        messages.success(request, saved % {"name": scorecard.name})
        return redirect("health:scorecard_list")

    def _preview(self, request, scorecard, form, rows, *, rows_valid: bool):
        """The band preview, or (400) what to fix first, each message naming its measure and field."""
        errors = []
        form.is_valid()
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        red, green = data.get("red_below"), data.get("green_from")
        if not rows_valid:
            errors.extend(measure_row_errors(rows))
        if red is None or green is None or red > green:
            errors.append(_("Band edges are invalid: “red below” must be at most “green from”."))
        if errors:
            return render(request, PREVIEW, {"errors": errors}, status=400)
        plan = Plan(
            id=scorecard.pk or 0,
            name=data.get("name") or "new",
            tier=data.get("tier") or "",
            segment=data.get("segment") or "",
            is_default=bool(data.get("is_default")),
            red_below=red,
            green_from=green,
            measures=tuple(
                PlanMeasure(
                    key=r["key"],
                    weight=r["form"].cleaned_data["weight"],
                    points=tuple(tuple(p) for p in r["form"].cleaned_data["points"]),
                )
                for r in rows
                if r["form"].cleaned_data["on"]
            ),
        )
        others = [p for p in plans_load() if p.id != scorecard.pk and not (plan.is_default and p.is_default)]
        preview, bands = scorecard_preview_bands(plan=plan, other_plans=others)
        return render(request, PREVIEW, {"preview": preview, "bands": bands, "plan": plan})


class ScorecardDeleteView(AdminRequiredMixin, View):
    """POST /health/scorecards/<id>/delete/: any scorecard but the default one."""

    http_method_names = ["post"]

    def get_object(self):
        return get_object_or_404(Scorecard, pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        scorecard = self.get_object()
        try:
            scorecard_delete(scorecard=scorecard)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("health:scorecard_edit", pk=scorecard.pk)
        messages.success(request, _("Deleted “%(name)s”.") % {"name": scorecard.name})
        return redirect("health:scorecard_list")


def measure_row_errors(rows) -> list[str]:
    """Each measure row's errors as "Usage frequency · weight: Ensure this value is …"."""
    field_names = {"weight": _("weight"), "points": _("thresholds")}
    texts = []
    for row in rows:
        for field, messages_ in row["form"].errors.items():
            where = f"{row['label']} · {field_names[field]}" if field in field_names else row["label"]
            texts.append(f"{where}: {' '.join(messages_)}")
    return texts


# Section: account card


class AccountHealthActionView(ActionView):
    """POST /health/accounts/<id>/<action>/, one view per action (ACCOUNT_ACTIONS). htmx gets
    the re-rendered card (and the account header's health figure, out-of-band); a plain form
    post goes back where it came from. An invalid form: the card with its errors (400)."""

    view_role = Role.CSM
    edit_role = Role.CSM
    template_name = "health/partials/health_card.html"
    form_class: type | None = None
    form_name = ""  # the card's context name of the bound form

    def get_object(self):
        self.account = get_object_or_404(Account, pk=self.kwargs["pk"])
        account_write_check(self.request.user, self.account)  # accounts.access: the account's book only
        return self.account

    def get_success_url(self, account) -> str:
        return reverse("accounts:detail", args=[account.pk])

    def get_context_data(self, account, **kwargs):
        account.refresh_from_db()
        return {"account": account, "panel": health_panel_context(self.request, account, **kwargs)}

    def post(self, request, *args, **kwargs):
        self.form = None
        if self.form_class is not None:
            self.form = self.form_class(request.POST)
            if not self.form.is_valid():
                return self.form_invalid(self.get_object())
        response = super().post(request, *args, **kwargs)
        if htmx_partial(request) and response.status_code == 200:
            # The account header's health figure follows, out-of-band (no reload, no second request).
            response.content += render_to_string(
                "accounts/partials/health_kpi.html", {"account": self.account, "oob": True}, request=request
            ).encode()
        return response

    def form_invalid(self, account):
        if not htmx_partial(self.request):
            return HttpResponseBadRequest(
                _("Invalid form: %(errors)s")
                % {"errors": "; ".join(f"{field}: {' '.join(errs)}" for field, errs in self.form.errors.items())}
            )
        context = self.get_context_data(account, **{self.form_name: self.form})
        return render(self.request, self.template_name, context, status=400)


class AccountOverrideView(AccountHealthActionView):
    form_class = OverrideForm
    form_name = "override_form"

    def perform(self, account):
        data = self.form.cleaned_data
        health_override_create(
            account=account,
            score=data["score"],
            reason=data["reason"],
            expires_at=datetime.combine(data["expires_on"], time.min, tzinfo=UTC),
            author=self.request.user,
        )


class AccountOverrideClearView(AccountHealthActionView):
    def perform(self, account):
        override = get_object_or_404(HealthOverride, pk=self.request.POST.get("override"), account=account)
        health_override_clear(override=override, user=self.request.user)


class AccountSentimentView(AccountHealthActionView):
    form_class = SentimentForm
    form_name = "sentiment_form"

    def perform(self, account):
        data = self.form.cleaned_data
        csm_sentiment_record(account=account, value=data["value"], note=data["note"], author=self.request.user)


class AccountRecomputeView(AccountHealthActionView):
    def perform(self, account):
        health_recompute(as_of=today(), account_ids=[account.id])


ACCOUNT_ACTIONS = {
    "override": AccountOverrideView.as_view(),
    "clear-override": AccountOverrideClearView.as_view(),
    "sentiment": AccountSentimentView.as_view(),
    "recompute": AccountRecomputeView.as_view(),
}


def account_action(request, pk: int, action: str):
    """The card's action URLs, /health/accounts/<id>/<action>/: each action its own view."""
    view = ACCOUNT_ACTIONS.get(action)
    if view is None:
        raise Http404("unknown action")
    return view(request, pk=pk, action=action)


def health_panel_context(request, account, *, override_form=None, sentiment_form=None) -> dict:
    context = account_health_card(account)
    model = churn_model_current()
    if model is not None and context["latest"] is not None:
        context["risk"] = {**churn_risks_of(model, [context["latest"]])[0], "horizon": model.horizon_days}
    context.update(
        can_edit=account_can_write(request.user, account),
        override_form=override_form or OverrideForm(),
        sentiment_form=sentiment_form or SentimentForm(),
    )
    return context


# Section: backtest


def parse_weights(query) -> tuple[dict[str, float], list[str]]:
    """Weights from ?w_<measure>=N (0-100); returns (weights, errors)."""
    weights, errors = {}, []
    for name, value in query.items():
        if not name.startswith("w_") or value == "":
            continue
        key = name[2:]
        try:
            weight = float(value)
        except ValueError:
            errors.append(f"{key}: “{value}” is not a number")
            continue
        if not 0 <= weight <= 100:
            errors.append(f"{key}: weight must be between 0 and 100")
            continue
        weights[key] = weight
    return weights, errors


def suggestion_context(scorecard: Scorecard | None, **extra) -> dict:
    """The "suggested weights" card's context for a current scorecard (None: no scorecard)."""
    if scorecard is None:
        return {"suggestion": None, **extra}
    suggestion = scorecard_suggestion(scorecard=scorecard, as_of=today(), horizon=SUGGEST_HORIZON)
    return {"suggestion": suggestion, "suggestion_rows": suggestion_rows(suggestion), "scorecard": scorecard, **extra}


def model_horizon_rows(model) -> list[dict]:
    """The model's held-out figures per horizon, for the page (older models have none)."""
    per = (model.metrics.get("horizons") or {}) if model else {}
    return [dict(per[str(h)], horizon_days=h) for h in HORIZONS if str(h) in per]


class BacktestView(RoleRequiredMixin, TemplateView):
    """How well the score predicted churn 30/60/90 days ahead, what other weights would have
    done, the weights the history suggests (admins apply them as a new scorecard version),
    and the learned model beside it. Managers and admins read; admins retrain and apply."""

    template_name = "health/backtest.html"
    view_role = Role.MANAGER
    edit_role = Role.ADMIN

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        weights, errors = parse_weights(self.request.GET)
        result = backtest(as_of=today(), weights=weights or None)
        weight_rows = default_weight_rows(weights)
        model = churn_model_current()
        at_risk = churn_at_risk(model) if model is not None else []
        scorecards = current_scorecards()
        chosen = self.request.GET.get("scorecard", "")
        scorecard = next((s for s in scorecards if str(s.pk) == chosen), scorecards[0] if scorecards else None)
        context.update(
            result=result,
            weights=weights,
            weight_errors=errors,
            weight_rows=weight_rows,
            model=model,
            model_horizons=model_horizon_rows(model),
            at_risk=at_risk,
            horizons=HORIZONS,
            can_train=self.request.user.has_role(Role.ADMIN),
            scorecards=scorecards,
            **suggestion_context(scorecard),
        )
        return context

    def post(self, request):
        model = churn_model_train(as_of=today())
        if model is None:
            messages.error(request, _("Not enough history with both churned and retained accounts to train a model."))
        elif model.metrics.get("auc_test") is None:
            messages.success(request, _("Trained a churn model (the history is too short to hold out later dates)."))
        else:
            messages.success(
                request, _("Trained a churn model: held-out AUC %(auc).2f.") % {"auc": model.metrics["auc_test"]}
            )
        return redirect("health:backtest")


class SuggestionApplyView(ActionView):
    """POST /health/backtest/scorecards/<id>/apply/ (admins): the history's suggested weights
    become the scorecard's next version. `version` is the version the admin saw: a second
    click, or another admin first, is refused (400) rather than applied twice."""

    view_role = Role.ADMIN
    edit_role = Role.ADMIN
    template_name = "health/backtest.html#suggestion"

    def get_object(self):
        return get_object_or_404(Scorecard, pk=self.kwargs["pk"])

    def get_success_url(self, scorecard) -> str:
        return reverse("health:backtest")

    def perform(self, scorecard):
        raw = self.request.POST.get("version", "")
        if not raw.isdigit():
            raise ValidationError(_("version: the scorecard version you saw is missing or not a number."))
        new = scorecard_suggestion_apply(
            scorecard=scorecard, as_of=today(), author=self.request.user, expected_version=int(raw)
        )
        self.success_message = applied_message(new)
        return suggestion_context(new, applied=new, scorecards=current_scorecards(), can_train=True)


def applied_message(scorecard: Scorecard) -> str:
    return _("Applied as version %(version)s of “%(name)s”. Scores follow at the next recompute.") % {
        "version": scorecard.version,
        "name": scorecard.name,
    }
