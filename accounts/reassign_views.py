"""Bulk reassignment from the portfolio (accounts.reassign): one action per URL.

POST /accounts/reassign/                       the ticked accounts (`account_ids`) or every account
                                               matching the portfolio's filters (`all_matching=1`
                                               with the filters), `to_owner`, `steps`: the job's
                                               status fragment (htmx) or its page
GET  /accounts/reassignments/<pk>/             the job: progress (htmx polls it every second while
                                               it runs), what moved, the undo
POST /accounts/reassignments/<pk>/undo/        give it all back (the last reassignment only)
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.choices import Role
from core.models import User
from core.permissions import RoleRequiredMixin
from core.views import htmx_partial, with_trigger

from .editing import owner_choices
from .filters import PortfolioFilterSet
from .models import ReassignmentJob
from .reassign import reassign_steps, reassignment_last_undoable, reassignment_start, reassignment_undo
from .selectors import portfolio_accounts

__all__ = ["ReassignStartView", "ReassignmentJobView", "ReassignmentUndoView", "ReassignForm"]

TEMPLATE = "accounts/reassignment.html"


class ReassignForm(forms.Form):
    to_owner = forms.TypedChoiceField(label=gettext_lazy("New owner"), coerce=int, choices=[])
    steps = forms.MultipleChoiceField(
        label=gettext_lazy("Move with them"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    all_matching = forms.BooleanField(required=False)
    filters = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_owner"].choices = [("", _("Choose…")), *owner_choices()]
        self.fields["steps"].choices = [(s.key, s.label) for s in reassign_steps()]


def _status(request, job: ReassignmentJob, *, status: int = 200, error: str = ""):
    moved_along = [
        (step.label, sum(len(ids) for ids in job.step_records.get(step.key, {}).values()))
        for step in reassign_steps()
        if step.key in job.steps
    ]
    context = {"job": job, "error": error, "undoable": _undoable(request.user, job), "moved_along": moved_along}
    name = f"{TEMPLATE}#status" if htmx_partial(request) else TEMPLATE
    return render(request, name, context, status=status)


def _undoable(user, job: ReassignmentJob) -> bool:
    if job.created_by_id != user.pk and not user.has_role(Role.ADMIN):
        return False
    last = reassignment_last_undoable(user=job.created_by) if job.created_by_id else None
    return last is not None and last.pk == job.pk


def _error(request, message: str, status: int = 400):
    return render(request, f"{TEMPLATE}#status", {"job": None, "error": message}, status=status)


class ReassignStartView(RoleRequiredMixin, View):
    view_role = Role.CSM
    edit_role = Role.CSM
    http_method_names = ["post"]

    def selected_ids(self, form) -> list[int]:
        if form.cleaned_data["all_matching"]:
            params = QueryDict(form.cleaned_data["filters"] or "")
            filterset = PortfolioFilterSet(
                params or None, queryset=portfolio_accounts(user=self.request.user), request=self.request
            )
            if params and not filterset.is_valid():
                raise ValidationError({"filters": _("The portfolio's filters are not valid.")})
            return list(filterset.qs.values_list("pk", flat=True))
        return [int(v) for v in self.request.POST.getlist("account_ids") if v.isdigit()]

    def post(self, request):
        form = ReassignForm(request.POST)
        if not form.is_valid():
            reasons = "; ".join(
                f"{form.fields[k].label if k in form.fields else k}: {' '.join(v)}" for k, v in form.errors.items()
            )
            return _error(request, reasons)
        try:
            ids = self.selected_ids(form)
            to_owner = User.objects.filter(pk=form.cleaned_data["to_owner"]).first()
            if to_owner is None:
                raise ValidationError({"to_owner": _("No such user.")})
            job = reassignment_start(
                user=request.user, to_owner=to_owner, account_ids=ids, steps=form.cleaned_data["steps"]
            )
        except ValidationError as exc:
            return _error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            return _error(request, str(exc), status=403)
        if not htmx_partial(request):
            return redirect("accounts:reassignment", pk=job.pk)
        return with_trigger(_status(request, job), "portfolio-changed" if job.is_finished else None)


class ReassignmentJobView(RoleRequiredMixin, View):
    view_role = Role.CSM
    http_method_names = ["get"]

    def get(self, request, pk: int):
        job = get_object_or_404(ReassignmentJob.objects.select_related("to_owner", "created_by"), pk=pk)
        if job.created_by_id != request.user.pk and not request.user.has_role(Role.MANAGER):
            raise PermissionDenied(_("This reassignment is someone else's."))
        response = _status(request, job)
        # the last poll of a job that finished meanwhile refreshes the portfolio behind it
        finished_now = job.is_finished and request.GET.get("polling") == "1"
        return with_trigger(response, "portfolio-changed" if finished_now else None)


class ReassignmentUndoView(RoleRequiredMixin, View):
    view_role = Role.CSM
    edit_role = Role.CSM
    http_method_names = ["post"]

    def post(self, request, pk: int):
        job = get_object_or_404(ReassignmentJob.objects.select_related("to_owner", "created_by"), pk=pk)
        try:
            reassignment_undo(job=job, user=request.user)
        except ValidationError as exc:
            job.refresh_from_db()
            return _status(request, job, status=400, error=" ".join(exc.messages))
        job.refresh_from_db()
        if not htmx_partial(request):
            return redirect("accounts:reassignment", pk=job.pk)
        return with_trigger(_status(request, job), "portfolio-changed")
