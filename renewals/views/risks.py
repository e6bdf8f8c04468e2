"""Risk and reason pages: the risks list (filters), open / edit / close a risk, answer a
reason prompt, record a cancellation or downgrade with its reason, the admin's reason list,
and the two risk reports (ARR at risk; why customers left)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.choices import Tier
from accounts.filters import segment_choices
from accounts.models import Account, Subscription
from core.choices import Role
from core.models import User
from core.permissions import AdminRequiredMixin, RoleRequiredMixin
from core.views import ObjectListView, ServiceFormView
from playbooks.models import Task
from playbooks.selectors import account_open_tasks

from .. import services
from ..choices import LossKind
from ..filters_risks import RiskFilterSet
from ..forms_risks import (
    ReasonAnswerForm,
    ReasonCodeForm,
    RiskCloseForm,
    RiskForm,
    RiskUpdateForm,
    SubscriptionLossForm,
)
from ..models import ReasonCode, ReasonPrompt, Risk
from ..selectors import arr_at_risk_report, lost_reasons_report, reason_codes_all, risk_linked_tasks, risk_list

__all__ = [
    "ArrAtRiskReportView",
    "LostReasonsReportView",
    "ReasonCodeFormView",
    "ReasonCodeListView",
    "ReasonPromptAnswerView",
    "RiskCloseView",
    "RiskCreateView",
    "RiskDetailView",
    "RiskListView",
    "RiskTaskLinkView",
    "SubscriptionLossView",
]

T = "renewals/risks/"


def _account_url(account_id: int) -> str:
    return reverse("accounts:detail", args=[account_id])


# Section: the risks list


class RiskListView(ObjectListView):
    filterset_class = RiskFilterSet
    template_name = T + "risk_list.html"
    partial_name = "results"
    paginate_by = 50
    default_ordering = "due"
    ordering_options = {
        "due": [F("due_date").asc(nulls_last=True), "-id"],
        "arr": [F("arr_at_risk").desc(), "-id"],
        "opened": ["-opened_at", "-id"],
    }

    def get_queryset(self):
        return risk_list()

    def get_filterset(self, queryset):
        data = self.request.GET.copy()
        if "state" not in data:
            data["state"] = "live"  # the list opens on the risks still being worked
        return self.filterset_class(data, queryset=queryset, request=self.request)


# Section: one risk


class RiskCreateView(ServiceFormView):
    form_class = RiskForm
    template_name = T + "risk_form.html"

    def get_account(self) -> Account:
        return get_object_or_404(Account, pk=self.kwargs["account_id"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(account=self.get_account(), **kwargs)

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        if data is None:
            account = self.get_account()
            form.initial.update(owner=account.owner_id, due_date=timezone.now().date() + timedelta(days=14))
        return form

    def perform(self, form):
        return services.risk_open(user=self.request.user, account=self.get_account(), **form.cleaned_data)

    def get_success_url(self, obj) -> str:
        return _account_url(obj.account_id)

    def get_success_message(self, obj) -> str:
        return _("Risk opened.")


class RiskDetailView(ServiceFormView):
    """The risk with its history, its edit form (CSMs) and the close form."""

    form_class = RiskUpdateForm
    template_name = T + "risk_detail.html"

    def get_object(self):
        return get_object_or_404(
            Risk.objects.select_related("account", "owner", "reason_code", "opened_by", "closed_by", "playbook"),
            pk=self.kwargs["pk"],
        )

    def get_form(self, data=None, files=None):
        return self.update_form(data)

    def update_form(self, data=None) -> RiskUpdateForm:
        form = RiskUpdateForm(data)
        risk = self.object
        if data is None:
            form.initial.update(
                status=risk.status,
                reason_code=risk.reason_code_id,
                severity=risk.severity,
                arr_at_risk=risk.arr_at_risk,
                owner=risk.owner_id,
                due_date=risk.due_date,
                mitigation_plan=risk.mitigation_plan,
            )
        return form

    def get_context_data(self, **kwargs):
        risk = self.object
        user = self.request.user
        linked = risk_linked_tasks(risk=risk)
        return super().get_context_data(
            risk=risk,
            tasks=linked,
            linkable=[t for t in account_open_tasks(account_id=risk.account_id) if t not in linked],
            close_form=kwargs.pop("close_form", None) or RiskCloseForm(),
            can_edit=user.has_role(Role.CSM) and risk.is_open,
            **kwargs,
        )

    def perform(self, form):
        return services.risk_update(user=self.request.user, risk=self.object, **form.cleaned_data)

    def get_success_url(self, obj) -> str:
        return reverse("renewals:risk_detail", args=[obj.pk])

    def get_success_message(self, obj) -> str:
        return _("Risk updated.")


class RiskCloseView(RiskDetailView):
    form_class = RiskCloseForm
    http_method_names = ["post"]

    def get_form(self, data=None, files=None):
        return RiskCloseForm(data)

    def render_form(self, form, *, status: int = 200):
        # Errors show on the risk's page, in its close form.
        context = self.get_context_data(form=self.update_form(), close_form=form)
        return render(self.request, self.template_name, context, status=status)

    def perform(self, form):
        return services.risk_close(
            user=self.request.user,
            risk=self.object,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )

    def get_success_message(self, obj) -> str:
        return _("Risk closed as %(outcome)s.") % {"outcome": obj.get_status_display().lower()}


class RiskTaskLinkView(RiskDetailView):
    """Link one of the account's open tasks to the risk (the work that carries out the plan)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        task = get_object_or_404(Task, pk=request.POST.get("task") or 0, account_id=self.object.account_id)
        services.risk_task_link(user=request.user, risk=self.object, task=task)
        return redirect(reverse("renewals:risk_detail", args=[self.object.pk]))


# Section: reasons


class ReasonPromptAnswerView(ServiceFormView):
    form_class = ReasonAnswerForm
    template_name = T + "reason_answer.html"

    def get_object(self):
        return get_object_or_404(
            ReasonPrompt.objects.select_related("account", "subscription", "reason"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(prompt=self.object, account=self.object.account, **kwargs)

    def perform(self, form):
        return services.reason_prompt_answer(user=self.request.user, prompt=self.object, **form.cleaned_data)

    def get_success_url(self, obj) -> str:
        return _account_url(obj.account_id)

    def get_success_message(self, obj) -> str:
        return _("Reason recorded.")


class SubscriptionLossView(ServiceFormView):
    """The product's "record cancellation / downgrade": the reason is part of the form."""

    form_class = SubscriptionLossForm
    template_name = T + "subscription_loss.html"

    def get_object(self):
        return get_object_or_404(Subscription.objects.select_related("account"), pk=self.kwargs["pk"])

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        if data is None:
            form.initial.update(kind=LossKind.CHURN, effective_date=timezone.now().date())
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(subscription=self.object, account=self.object.account, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.subscription_loss_record(
            user=self.request.user,
            subscription=self.object,
            kind=data["kind"],
            reason_code=data["reason_code"],
            note=data["note"],
            effective_date=data.get("effective_date"),
            new_mrr=data.get("new_mrr"),
        )

    def get_success_url(self, obj) -> str:
        return _account_url(obj.account_id)

    def get_success_message(self, obj) -> str:
        return _("Recorded, with its reason.")


class ReasonCodeListView(AdminRequiredMixin, TemplateView):
    template_name = T + "reason_codes.html"

    def get_context_data(self, **kwargs):
        codes = [(c, *((c.labels or {}).get(lang, "") for lang in ("ar", "fa", "zh-hans"))) for c in reason_codes_all()]
        return super().get_context_data(codes=codes, **kwargs)


class ReasonCodeFormView(AdminRequiredMixin, ServiceFormView):
    form_class = ReasonCodeForm
    template_name = T + "reason_code_form.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(ReasonCode, pk=pk) if pk else None

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        code = self.object
        if data is None and code is not None:
            labels = code.labels or {}
            form.initial.update(
                code=code.code,
                label=code.label,
                label_ar=labels.get("ar", ""),
                label_fa=labels.get("fa", ""),
                label_zh_hans=labels.get("zh-hans", ""),
                order=code.order,
                archived=code.archived,
            )
        return form

    def perform(self, form):
        data = form.cleaned_data
        return services.reason_code_save(
            user=self.request.user,
            reason_code=self.object,
            code=data["code"],
            label=data["label"],
            labels=form.labels(),
            archived=data["archived"],
            order=data["order"],
        )

    def get_success_url(self, obj) -> str:
        return reverse("renewals:reason_codes")

    def get_success_message(self, obj) -> str:
        return _("Reason saved.")


# Section: reports


class _ReportFilters(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(role__in=[Role.CSM, Role.MANAGER, Role.ADMIN]).order_by("username"),
        required=False,
        empty_label=gettext_lazy("All CSMs"),
    )
    segment = forms.ChoiceField(required=False)
    tier = forms.ChoiceField(required=False, choices=[("", gettext_lazy("All tiers")), *Tier.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [("", _("All segments")), *segment_choices()]


class _PeriodForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(required=False, choices=[("", gettext_lazy("Churn and downgrade")), *LossKind.choices])

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end must be after the start."))
        if start and end and (end - start).days > 3700:
            self.add_error("end", _("Choose a period of at most ten years."))
        return data


def _charts(rows, label: str) -> dict | None:
    """Horizontal bars (Chart.js, drawn by static/js/reports.js)."""
    if not rows:
        return None
    return {
        "type": "bar",
        "data": {
            "labels": [r.label for r in rows],
            "datasets": [{"label": label, "data": [float(r.amount) for r in rows], "backgroundColor": "#f04438"}],
        },
        "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}}},
    }


class ArrAtRiskReportView(RoleRequiredMixin, TemplateView):
    template_name = T + "report_at_risk.html"

    def get(self, request, *args, **kwargs):
        form = _ReportFilters(request.GET or None)
        if request.GET and not form.is_valid():
            return self.render_to_response({"form": form, "report": None}, status=400)
        data = form.cleaned_data if form.is_bound else {}
        owner = data.get("owner")
        report = arr_at_risk_report(
            owner_id=owner.pk if owner else None, segment=data.get("segment") or "", tier=data.get("tier") or ""
        )
        label = _("ARR at risk (%(currency)s)") % {"currency": report["currency"]}
        charts = {name: _charts(report[f"by_{name}"], label) for name in ("reason", "type", "owner")}
        return self.render_to_response({"form": form, "report": report, "charts": charts})


class LostReasonsReportView(RoleRequiredMixin, TemplateView):
    template_name = T + "report_lost.html"

    def get(self, request, *args, **kwargs):
        form = _PeriodForm(request.GET or None)
        if request.GET and not form.is_valid():
            return self.render_to_response({"form": form, "report": None}, status=400)
        data = form.cleaned_data if form.is_bound else {}
        today = timezone.now().date()
        end = data.get("end") or today + timedelta(days=1)
        start = data.get("start") or date(end.year - 1, end.month, 1)
        report = lost_reasons_report(start=start, end=end, kind=data.get("kind") or "")
        label = _("ARR lost (%(currency)s)") % {"currency": report["currency"]}
        charts = {name: _charts(report[f"by_{name}"], label) for name in ("reason", "segment", "tier", "tenure")}
        return self.render_to_response({"form": form, "report": report, "charts": charts})
