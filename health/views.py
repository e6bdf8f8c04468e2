"""Health pages: scorecards (admin) with a live band preview, the account card's actions,
and the backtest."""

from datetime import UTC, datetime, time

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Account
from core.choices import Role
from core.permissions import AdminRequiredMixin, RoleRequiredMixin
from core.views import htmx_partial, safe_next

from .backtest import HORIZONS, backtest, churn_model_train, churn_risk
from .forms import HealthSettingsForm, MeasureRowForm, OverrideForm, ScorecardForm, SentimentForm, format_points
from .models import ChurnModel, HealthOverride, HealthScore, HealthSettings, Scorecard, ScorecardMeasure
from .registry import MEASURES
from .scoring import Plan, PlanMeasure
from .selectors import account_health_card, latest_day, measure_label, scorecard_preview, scorecards_with_spread
from .services import (
    csm_sentiment_record,
    health_override_clear,
    health_override_create,
    health_recompute,
    health_settings_update,
    plans_load,
    today,
)

# Section: scorecards


class ScorecardListView(AdminRequiredMixin, TemplateView):
    template_name = "health/scorecard_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("settings_form", HealthSettingsForm(instance=HealthSettings.load()))
        rows = []
        for scorecard, spread in scorecards_with_spread():
            total = sum(spread.values())
            rows.append(
                {
                    "scorecard": scorecard,
                    "measures": [
                        (measure_label(m.measure_key), m.weight)
                        for m in sorted(scorecard.measures.all(), key=lambda m: (-m.weight, m.measure_key))
                    ],
                    "spread": {b: spread.get(b, 0) for b in ("red", "yellow", "green")},
                    "pct": {
                        b: round(100 * spread.get(b, 0) / total) if total else 0 for b in ("red", "yellow", "green")
                    },
                    "total": total,
                }
            )
        context.update(rows=rows, day=latest_day(), measure_label=measure_label)
        return context

    def post(self, request):
        form = HealthSettingsForm(request.POST, instance=HealthSettings.load())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(settings_form=form), status=400)
        health_settings_update(
            key_features=form.cleaned_data["key_features"],
            sentiment_stale_days=form.cleaned_data["sentiment_stale_days"],
        )
        messages.success(request, "Health settings saved. Scores change at the next recompute.")
        return redirect("health:scorecard_list")


class ScorecardEditView(AdminRequiredMixin, View):
    """Create or edit a scorecard. An htmx POST with `preview` renders how the accounts
    would spread over the bands, without saving."""

    template_name = "health/scorecard_form.html"

    def _objects(self, pk):
        if pk is None:
            return Scorecard()
        return get_object_or_404(Scorecard, pk=pk)

    def _measure_forms(self, scorecard, data=None):
        existing = {m.measure_key: m for m in scorecard.measures.all()} if scorecard.pk else {}
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
        if "delete" in request.POST and scorecard.pk:
            if scorecard.is_default:
                messages.error(request, "The default scorecard cannot be deleted.")
                return redirect("health:scorecard_edit", pk=scorecard.pk)
            scorecard.delete()
            messages.success(request, f"Deleted “{scorecard.name}”.")
            return redirect("health:scorecard_list")
        form = ScorecardForm(request.POST, instance=scorecard)
        rows = self._measure_forms(scorecard, request.POST)
        rows_valid = all(r["form"].is_valid() for r in rows)
        chosen = [r for r in rows if rows_valid and r["form"].cleaned_data["on"]]
        if rows_valid and not chosen:
            rows[0]["form"].add_error("on", "Pick at least one measure.")
            rows_valid = False
        if htmx_partial(request) and "preview" in request.POST:
            return self._preview(request, scorecard, form, rows, rows_valid=rows_valid)
        if not (form.is_valid() and rows_valid):
            return self._render(request, scorecard, form, rows, status=400)
        with transaction.atomic():
            scorecard = form.save()
            scorecard.measures.exclude(measure_key__in=[r["key"] for r in chosen]).delete()
            for r in chosen:
                ScorecardMeasure.objects.update_or_create(
                    scorecard=scorecard,
                    measure_key=r["key"],
                    defaults={"weight": r["form"].cleaned_data["weight"], "points": r["form"].cleaned_data["points"]},
                )
        messages.success(request, f"Saved “{scorecard.name}”. Scores follow at the next recompute.")
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
            return render(request, "health/partials/scorecard_preview.html", {"errors": errors}, status=400)
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
        preview = scorecard_preview(plan=plan, other_plans=others)
        bands = []
        for band in ("red", "yellow", "green", "none"):
            now, then = preview["current"].get(band, 0), preview["preview"].get(band, 0)
            if band == "none" and not then:
                continue
            total = preview["accounts"] or 1
            bands.append(
                {"band": band, "current": now, "preview": then, "pct": round(100 * then / total), "delta": then - now}
            )
        return render(
            request, "health/partials/scorecard_preview.html", {"preview": preview, "bands": bands, "plan": plan}
        )


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


class AccountHealthActionView(RoleRequiredMixin, View):
    """POST /health/accounts/<id>/<action>/: override, clear-override, sentiment, recompute.
    htmx gets the re-rendered card; a plain form post goes back where it came from."""

    view_role = Role.CSM
    edit_role = Role.CSM
    ACTIONS = ("override", "clear-override", "sentiment", "recompute")

    def post(self, request, pk, action):
        if action not in self.ACTIONS:
            raise Http404("unknown action")
        account = get_object_or_404(Account, pk=pk)
        override_form = sentiment_form = None
        status = 200
        if action == "override":
            override_form = OverrideForm(request.POST)
            if override_form.is_valid():
                expires = datetime.combine(override_form.cleaned_data["expires_on"], time.min, tzinfo=UTC)
                health_override_create(
                    account=account,
                    score=override_form.cleaned_data["score"],
                    reason=override_form.cleaned_data["reason"],
                    expires_at=expires,
                    author=request.user,
                )
                override_form = None
            else:
                status = 400
        elif action == "clear-override":
            override = get_object_or_404(HealthOverride, pk=request.POST.get("override"), account=account)
            health_override_clear(override=override, user=request.user)
        elif action == "sentiment":
            sentiment_form = SentimentForm(request.POST)
            if sentiment_form.is_valid():
                csm_sentiment_record(
                    account=account,
                    value=sentiment_form.cleaned_data["value"],
                    note=sentiment_form.cleaned_data["note"],
                    author=request.user,
                )
                sentiment_form = None
            else:
                status = 400
        else:
            health_recompute(as_of=today(), account_ids=[account.id])
        if not htmx_partial(request):
            if status != 200:
                return HttpResponseBadRequest(
                    "Invalid form: "
                    + "; ".join(
                        f"{field}: {' '.join(errs)}"
                        for f in (override_form, sentiment_form)
                        if f
                        for field, errs in f.errors.items()
                    )
                )
            return redirect(safe_next(request, reverse("accounts:detail", args=[account.pk]), referer=True))
        account.refresh_from_db()
        context = health_panel_context(request, account, override_form=override_form, sentiment_form=sentiment_form)
        response = render(
            request, "health/partials/health_card.html", {"account": account, "panel": context}, status=status
        )
        if status == 200:
            # The account header's health figure follows, out-of-band (no reload, no second request).
            response.content += render_to_string(
                "accounts/partials/health_kpi.html", {"account": account, "oob": True}, request=request
            ).encode()
        return response


def health_panel_context(request, account, *, override_form=None, sentiment_form=None) -> dict:
    context = account_health_card(account)
    model = ChurnModel.objects.first()
    if model is not None and context["latest"] is not None:
        probability, reasons = churn_risk(model, context["latest"].measures)
        context["risk"] = {
            "probability": probability,
            "reasons": [dict(r, label=measure_label(r["measure"])) for r in reasons],
            "horizon": model.horizon_days,
        }
    context.update(
        can_edit=request.user.has_role(Role.CSM),
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


class BacktestView(RoleRequiredMixin, TemplateView):
    """How well the score predicted churn 30/60/90 days ahead, what other weights would have
    done, and the learned model beside it. Managers and admins read; admins retrain."""

    template_name = "health/backtest.html"
    view_role = Role.MANAGER
    edit_role = Role.ADMIN

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        weights, errors = parse_weights(self.request.GET)
        result = backtest(as_of=today(), weights=weights or None)
        default = Scorecard.objects.filter(is_default=True).prefetch_related("measures").first()
        weight_rows = [
            {
                "key": m.measure_key,
                "label": measure_label(m.measure_key),
                "weight": m.weight,
                "edited": weights.get(m.measure_key),
            }
            for m in (default.measures.all() if default else [])
        ]
        model = ChurnModel.objects.first()
        at_risk = []
        if model is not None:
            day = latest_day()
            snaps = (
                HealthScore.objects.filter(day=day).select_related("account").order_by("score", "account_id")[:2000]
                if day
                else []
            )
            scored = []
            for snap in snaps:
                probability, reasons = churn_risk(model, snap.measures)
                scored.append(
                    {
                        "snap": snap,
                        "probability": probability,
                        "reasons": [dict(r, label=measure_label(r["measure"])) for r in reasons],
                    }
                )
            at_risk = sorted(scored, key=lambda r: -r["probability"])[:15]
        context.update(
            result=result,
            weights=weights,
            weight_errors=errors,
            weight_rows=weight_rows,
            model=model,
            at_risk=at_risk,
            horizons=HORIZONS,
            can_train=self.request.user.has_role(Role.ADMIN),
        )
        return context

    def post(self, request):
        model = churn_model_train(as_of=today())
        if model is None:
            messages.error(request, "Not enough history with both churned and retained accounts to train a model.")
        else:
            messages.success(request, f"Trained a churn model: test AUC {model.metrics['auc_test']:.2f}.")
        return redirect("health:backtest")
