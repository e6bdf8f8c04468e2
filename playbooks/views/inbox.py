"""The task inbox (CSMs): my tasks grouped overdue / today / upcoming / snoozed, "Show more" in
a group, the task's own page, and the counts a page fetches after a task write. Also the
context every task row needs, shared with the row actions (views/task_actions.py).

The page and its fragments are one template, `playbooks/task_inbox.html`: `#groups` (the
filtered groups), `#more` (a group's next rows), `#rows`, `#email_row`, `#reassign_form`.

The inbox is not an `ObjectListView`: it is four groups, each with its own keyset "Show more",
in a constant number of queries (pinned in tests), not one paginated queryset."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.choices import Role
from core.permissions import RoleRequiredMixin
from core.views import htmx_partial, partial

from ..choices import Priority
from ..counts import task_counts_html, tasks_changed
from ..forms import CompleteForm, ReassignForm, SnoozeForm
from ..models import Task
from ..selectors import (
    INBOX_PAGE,
    emails_awaiting_approval,
    inbox_for,
    inbox_group_page,
    task_workers,
    user_get,
)

__all__ = [
    "INBOX_TEMPLATE",
    "VIEW_INCLUDE",
    "InboxView",
    "TaskCountsView",
    "TaskDetailView",
    "bulk_view_params",
    "inbox_context",
    "inbox_filters",
    "row_context",
    "tasks_changed_in_view",
]

INBOX_TEMPLATE = "playbooks/task_inbox.html"

# What a row action sends along so its answer can carry the page's inbox counts (playbooks/counts.py).
VIEW_INCLUDE = "#inbox-filters [name='q'], #inbox-filters [name='priority'], #inbox-view-assignee"


# Section: whose inbox, and what a row needs


def _inbox_assignee(request, params) -> tuple[int | None, str]:
    """Whose inbox: mine, or (managers) a team member's (?assignee=<id>) or the unassigned."""
    user = request.user
    requested = params.get("assignee", "")
    if requested and user.has_role(Role.MANAGER):
        if requested == "none":
            return None, _("Unassigned tasks")
        other = user_get(pk=int(requested) if requested.isdigit() else 0)
        if other is not None:
            return other.pk, _("%(name)s tasks") % {"name": other}
    return user.pk, _("My tasks")


def inbox_filters(request, params) -> dict:
    """Whose inbox and its filters, as the selectors take them, and the query string that
    repeats them on a "Show more" request."""
    assignee_id, owner_label = _inbox_assignee(request, params)
    priority = params.get("priority", "")
    q = params.get("q", "").strip()[:100]
    repeat = {"q": q, "priority": priority if priority.isdigit() else ""}
    if assignee_id != request.user.pk:
        repeat["assignee"] = assignee_id if assignee_id is not None else "none"
    return {
        "assignee_id": assignee_id,
        "owner_label": owner_label,
        "priority": int(priority) if priority.isdigit() else None,
        "q": q,
        "more_query": urlencode({k: v for k, v in repeat.items() if v != ""}),
    }


def row_context(request) -> dict:
    """What every task row needs besides the task. The row builds its URLs from these prefixes
    (tests check they equal reverse()): a reverse() per link and row was a tenth of the page."""
    return {
        "today": timezone.now().date(),
        "can_edit": request.user.has_role(Role.CSM),
        "tasks_url": reverse("playbooks:inbox"),
        "accounts_url": reverse("accounts:portfolio"),
        "page_size": INBOX_PAGE,
        # What a row action sends along so its answer can carry the page's inbox counts (playbooks/counts.py).
        "view_include": VIEW_INCLUDE,
    }


def bulk_view_params(request) -> dict:
    """The inbox view a form was sent from, as InboxView reads it from GET: whose inbox
    (`assignee_view`, as `assignee` is the bulk reassign target) and the filter bar's search and
    priority (the form includes them with hx-include), so the re-rendered groups stay filtered."""
    post = request.POST
    return {"assignee": post.get("assignee_view", ""), "q": post.get("q", ""), "priority": post.get("priority", "")}


def tasks_changed_in_view(request, response, *, with_groups: bool = True):
    """The task counts of the inbox the action was taken on, out-of-band in `response`."""
    filters = inbox_filters(request, bulk_view_params(request))
    return tasks_changed(
        request,
        response,
        assignee_id=filters["assignee_id"],
        priority=filters["priority"],
        q=filters["q"],
        with_groups=with_groups,
    )


def inbox_context(request, params) -> dict:
    filters = inbox_filters(request, params)
    inbox = inbox_for(assignee_id=filters["assignee_id"], priority=filters["priority"], q=filters["q"])
    user = request.user
    return {
        **row_context(request),
        "inbox": inbox,
        "owner_label": filters["owner_label"],
        "assignee_id": filters["assignee_id"],
        "more_query": filters["more_query"],
        "priorities": Priority.choices,
        "priority": params.get("priority", ""),
        "q": params.get("q", ""),
        "workers": task_workers(),
        # Read when drawn: the full page draws them, the groups fragment (filters, bulk actions) does not.
        "emails": SimpleLazyObject(
            lambda: list(emails_awaiting_approval(user=user)[:20]) if user.has_role(Role.CSM) else []
        ),
    }


def _inbox_more_context(request, params) -> dict:
    filters = inbox_filters(request, params)
    after = params.get("after", "")
    try:
        group = inbox_group_page(
            assignee_id=filters["assignee_id"],
            key=params.get("group", ""),
            after_id=int(after) if after.isdigit() else 0,
            priority=filters["priority"],
            q=filters["q"],
        )
    except ValueError:
        raise Http404(_("No such inbox group.")) from None
    return {**row_context(request), "group": group, "more_query": filters["more_query"]}


# Section: pages


class InboxView(RoleRequiredMixin, TemplateView):
    """My tasks grouped overdue / today / upcoming / snoozed. Managers may look at a team
    member's inbox with ?assignee=<id>. An htmx request gets the groups (`#groups`); with
    ?group=<key>&after=<task id> that group's next rows (`#more`, "Show more")."""

    template_name = INBOX_TEMPLATE

    def get_template_names(self):
        if "group" in self.request.GET:
            return [partial(self.template_name, "more")]
        return [partial(self.template_name, "groups") if htmx_partial(self.request) else self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        if "group" in params:
            context.update(_inbox_more_context(self.request, params))
        else:
            context.update(inbox_context(self.request, params))
        return context


class TaskCountsView(RoleRequiredMixin, View):
    """GET /tasks/counts/: the task counts as out-of-band fragments, for a page told that tasks
    changed by a response that did not carry them (templates/playbooks/partials/task_counts_listener.html).
    Takes the inbox's own query (assignee, q, priority)."""

    def get(self, request):
        filters = inbox_filters(request, request.GET)
        html = task_counts_html(
            request, assignee_id=filters["assignee_id"], priority=filters["priority"], q=filters["q"]
        )
        return HttpResponse(html)


class TaskDetailView(RoleRequiredMixin, TemplateView):
    template_name = "playbooks/task_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task = get_object_or_404(
            Task.objects.select_related(
                "account", "account__owner", "playbook", "assignee", "completed_by", "enrolment"
            ),
            pk=kwargs["pk"],
        )
        context.update(
            task=task,
            complete_form=CompleteForm(),
            snooze_form=SnoozeForm(),
            reassign_form=ReassignForm(initial={"assignee": task.assignee_id}),
            can_edit=self.request.user.has_role(Role.CSM),
            today=timezone.now().date(),
        )
        return context
