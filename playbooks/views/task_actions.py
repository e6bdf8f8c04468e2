"""What a CSM does to tasks from the inbox or a task's page: one action per URL
(POST /tasks/<pk>/complete/, /snooze/, /reassign/), the bulk bar, and the decision on an email
a playbook drafted (POST /tasks/emails/<pk>/approve/, /reject/).

Each is an `ActionView`: the service does the write; an htmx request gets the re-rendered
fragment (`playbooks/task_inbox.html#rows` or `#email_row`), a task write also the fresh counts
out-of-band with `HX-Trigger: tasks-changed` (playbooks/counts.py); a plain form post is
redirected back."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.choices import Role
from core.permissions import RoleRequiredMixin
from core.views import ActionView, htmx_partial, partial, safe_next

from ..forms import BulkForm, CompleteForm, ReassignForm, SnoozeForm
from ..models import EmailMessage, Task
from ..selectors import inbox_row, open_task_ids, task_workers
from ..services import (
    email_message_approve,
    email_message_reject,
    task_complete,
    task_reassign,
    task_snooze,
    tasks_bulk,
)
from .inbox import INBOX_TEMPLATE, bulk_view_params, inbox_context, row_context, tasks_changed_in_view

__all__ = [
    "EmailApproveView",
    "EmailRejectView",
    "TaskBulkView",
    "TaskCompleteView",
    "TaskReassignView",
    "TaskSnoozeView",
]


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Section: one task


class TaskRowActionView(ActionView):
    """POST /tasks/<pk>/<action>/ with the action's form. htmx gets the task's row again (with
    the error in it and status 400 when the form or the service refused); a plain form post is
    redirected back (`next`, else the task's page) with a message.

    `post()` is the toolkit's with the form in front: a refused form is answered in the row,
    where the CSM typed, not as the toolkit's plain-text 400."""

    view_role = Role.CSM
    edit_role = Role.CSM
    template_name = partial(INBOX_TEMPLATE, "rows")
    form_class = None
    action = ""

    def get_object(self):
        return get_object_or_404(Task.objects.select_related("account", "assignee", "playbook"), pk=self.kwargs["pk"])

    def perform_form(self, task: Task, form) -> Task:
        """Call the service with the cleaned form; return the task written."""
        raise NotImplementedError

    def success_text(self, task: Task) -> str:
        raise NotImplementedError

    def get_success_url(self, task: Task) -> str:
        return reverse("playbooks:task_detail", args=[task.pk])

    def post(self, request, *args, **kwargs):
        task = self.get_object()
        form = self.form_class(request.POST)
        error = None
        if not form.is_valid():
            error = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        else:
            try:
                task = self.perform_form(task, form)
            except ValidationError as exc:
                error = _error_text(exc)
        if htmx_partial(request):
            context = {
                **row_context(request),
                "tasks": [inbox_row(task_id=task.pk)],
                "error": error,
                "just_changed": self.action if not error else "",
            }
            response = render(request, self.template_name, context, status=400 if error else 200)
            return response if error else tasks_changed_in_view(request, response)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, self.success_text(task))
        return HttpResponseRedirect(safe_next(request, self.get_success_url(task)))


class TaskCompleteView(TaskRowActionView):
    form_class = CompleteForm
    action = "complete"

    def perform_form(self, task, form):
        return task_complete(task=task, user=self.request.user, outcome_note=form.cleaned_data["outcome_note"])

    def success_text(self, task):
        return _("Task done; the outcome is on the account's timeline.")


class TaskSnoozeView(TaskRowActionView):
    form_class = SnoozeForm
    action = "snooze"

    def perform_form(self, task, form):
        return task_snooze(task=task, user=self.request.user, until=form.until)

    def success_text(self, task):
        return _("Snoozed until %(day)s.") % {"day": f"{task.snoozed_until:%d %b}"}


class TaskReassignView(TaskRowActionView):
    """POST moves the task; GET is the row's reassign form, loaded when the CSM clicks "Move…"
    (the inbox does not render a list of every worker in every row). Without htmx, the task's
    page has that form."""

    http_method_names = ["get", "post"]
    form_class = ReassignForm
    action = "reassign"

    def get(self, request, pk):
        task = get_object_or_404(Task.objects.only("pk", "assignee_id", "status"), pk=pk)
        if not htmx_partial(request):
            return redirect("playbooks:task_detail", pk=task.pk)
        context = {**row_context(request), "task": task, "workers": task_workers()}
        return render(request, partial(INBOX_TEMPLATE, "reassign_form"), context)

    def perform_form(self, task, form):
        return task_reassign(task=task, user=self.request.user, assignee=form.cleaned_data["assignee"])

    def success_text(self, task):
        return _("Reassigned to %(assignee)s.") % {"assignee": task.assignee}


# Section: the bulk bar


class TaskBulkView(RoleRequiredMixin, View):
    """POST the ticked tasks with an action (the bulk bar's one form, whose action is a choice
    of the user, not a hidden switch). htmx gets the inbox groups again, with the filters of the
    view the CSM is on; a plain form post is redirected back to it (`next`)."""

    view_role = Role.CSM
    edit_role = Role.CSM
    http_method_names = ["post"]

    def post(self, request):
        posted = [int(i) for i in request.POST.getlist("task_ids") if i.isdigit()]
        form = BulkForm(request.POST, task_choices=open_task_ids(task_ids=posted))
        groups = partial(INBOX_TEMPLATE, "groups")
        if not form.is_valid():
            # The messages say what to do ("Tick at least one task below."): no field names.
            errors = " ".join(message for field_errors in form.errors.values() for message in field_errors)
            if htmx_partial(request):
                context = inbox_context(request, bulk_view_params(request)) | {"bulk_error": errors}
                return render(request, groups, context, status=400)
            messages.error(request, errors)
            return redirect(safe_next(request, reverse("playbooks:inbox")))
        data = form.cleaned_data
        try:
            result = tasks_bulk(
                task_ids=data["task_ids"],
                user=request.user,
                action=data["action"],
                outcome_note=data.get("outcome_note") or "",
                until=timezone.now().date() + timedelta(days=data["days"]) if data.get("days") else None,
                assignee=data.get("assignee"),
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect(safe_next(request, reverse("playbooks:inbox")))
        text = f"{result['done']} task{'s' if result['done'] != 1 else ''} updated."
        if result["errors"]:
            text += " Not changed: " + "; ".join(f"#{k}: {v}" for k, v in result["errors"].items())
        if htmx_partial(request):
            context = inbox_context(request, bulk_view_params(request)) | {"bulk_result": text}
            response = render(request, groups, context)
            # The groups come back whole (their counts in them): only the badge and the summary go out-of-band.
            return tasks_changed_in_view(request, response, with_groups=False)
        messages.success(request, text)
        return redirect(safe_next(request, reverse("playbooks:inbox")))


# Section: emails awaiting approval


class EmailDecisionView(ActionView):
    """POST approves or rejects a drafted email; htmx gets its row again (`#email_row`). A
    refusal (already decided, not the CSM's to decide) is a message, and the row as it is."""

    view_role = Role.CSM
    edit_role = Role.CSM
    template_name = partial(INBOX_TEMPLATE, "email_row")

    def get_object(self):
        return get_object_or_404(EmailMessage.objects.select_related("account"), pk=self.kwargs["pk"])

    def decide(self, message: EmailMessage) -> EmailMessage:
        raise NotImplementedError

    def perform(self, message):
        try:
            message = self.decide(message)
        except ValidationError as exc:
            messages.error(self.request, _error_text(exc))
        except PermissionDenied as exc:
            messages.error(self.request, str(exc))
        return {"message": message}

    def get_success_url(self, message) -> str:
        return reverse("playbooks:inbox")


class EmailApproveView(EmailDecisionView):
    def decide(self, message):
        return email_message_approve(message=message, user=self.request.user)


class EmailRejectView(EmailDecisionView):
    def decide(self, message):
        return email_message_reject(message=message, user=self.request.user)
