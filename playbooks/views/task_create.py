""" "New task" by hand, from the inbox (the account picked from a search) and from the account
page's Tasks panel (the account fixed).

GET /tasks/new/ gives the form (htmx: the fragment `task_new.html#form`; otherwise the page), `?account=<pk>` fixes the
account. POST creates the task through `task_create`; htmx gets the inbox's form slot again (with
a note and a refresh of the groups) or the account's Tasks panel, with `HX-Trigger: tasks-changed`
for the counts elsewhere; a refused form comes back with its errors on the fields, status 400.
GET /tasks/new/accounts/?account_q= gives the picker's choices."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Account
from accounts.selectors import account_search
from core.choices import Role
from core.permissions import RoleRequiredMixin
from core.views import apply_validation_error, htmx_partial, partial

from ..forms import TaskCreateForm
from ..panels import tasks_panel_context
from ..selectors import accounts_by_pk, task_account_get
from ..services import task_create

__all__ = ["TaskAccountSearchView", "TaskCreateView"]

PAGE_TEMPLATE = "playbooks/task_new.html"
FORM_TEMPLATE = partial(PAGE_TEMPLATE, "form")
PANEL_TEMPLATE = "playbooks/partials/account_tasks_panel.html"


def _fixed_account(request) -> Account | None:
    """The account the form is fixed to (`account` with `fixed=1`, or `?account=` on GET)."""
    params = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and params.get("fixed") != "1":
        return None
    raw = params.get("account", "")
    if not raw.isdigit():
        return None
    return task_account_get(user=request.user, pk=int(raw))


class TaskCreateView(RoleRequiredMixin, View):
    view_role = Role.CSM  # read-only users cannot create, so they get no form either
    edit_role = Role.CSM

    def get(self, request):
        account = _fixed_account(request)
        initial = {"account": account.pk} if account else {}
        contact = request.GET.get("contact", "")
        if account is not None and contact.isdigit():
            initial["contact"] = int(contact)
        form = TaskCreateForm(user=request.user, initial=initial)
        return self._form_response(request, form, account, status=200)

    def post(self, request):
        account = _fixed_account(request)
        form = TaskCreateForm(request.POST, user=request.user)
        task = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = task_create(
                    user=request.user,
                    account=data["account"],
                    title=data["title"],
                    body=data["body"],
                    priority=data["priority"],
                    due_date=data["due_date"],
                    assignee=data["assignee"],
                    contact=data.get("contact"),
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
        if task is None:
            return self._form_response(request, form, account, status=400)
        if not htmx_partial(request):
            messages.success(request, _("Task created: %(title)s.") % {"title": task.title})
            default = reverse("accounts:detail", args=[account.pk]) if account else reverse("playbooks:inbox")
            if task.signal.get("contact_id"):
                default = reverse("accounts:contact_detail", args=[task.signal["contact_id"]])
            return HttpResponseRedirect(default)
        if account is not None:
            panel = tasks_panel_context(request, account) | {"created": task}
            response = render(request, PANEL_TEMPLATE, {"panel": panel})
        else:
            response = render(request, FORM_TEMPLATE, {"created": task})
        response["HX-Trigger"] = "tasks-changed"
        return response

    def _form_response(self, request, form, account, *, status: int):
        context = {"form": form, "fixed_account": account, "picked": _picked(form, request.user)}
        if htmx_partial(request):
            if account is not None and request.method == "POST":
                panel = tasks_panel_context(request, account) | {"new_form": form}
                return render(request, PANEL_TEMPLATE, {"panel": panel, **context}, status=status)
            return render(request, FORM_TEMPLATE, context, status=status)
        return render(request, PAGE_TEMPLATE, context, status=status)


def _picked(form: TaskCreateForm, user) -> list[Account]:
    """The picker's first choices: the account already chosen (a form sent back with errors),
    else the user's own accounts."""
    value = form["account"].value()
    if value and str(value).isdigit():
        chosen = accounts_by_pk(pk=int(value))
        if chosen:
            return chosen
    return account_search(user=user)


class TaskAccountSearchView(RoleRequiredMixin, View):
    view_role = Role.CSM

    def get(self, request):
        accounts = account_search(user=request.user, q=request.GET.get("account_q", ""))
        return render(
            request,
            partial(PAGE_TEMPLATE, "account_options"),
            {"accounts": accounts, "account_q": request.GET.get("account_q", "")},
        )
