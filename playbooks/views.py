"""Browser UI: the task inbox (CSMs), the team view (managers), and the playbook builder and
templates (admins). One view per page; htmx requests get the partial."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Account
from core.choices import Role
from core.models import User
from core.permissions import AdminRequiredMixin, ManagerRequiredMixin, RoleRequiredMixin
from core.views import htmx_partial, safe_next

from .actions import action_describe
from .choices import OPEN_STATUSES, Priority, TaskStatus
from .conditions import conditions_describe
from .counts import task_counts_html, tasks_changed
from .evaluation import SKIP_LABELS, playbook_evaluate
from .forms import (
    ActionForm,
    ActionFormSet,
    BulkForm,
    CadenceForm,
    CompleteForm,
    EmailTemplateForm,
    PlaybookForm,
    ReassignForm,
    SnoozeForm,
    TaskTemplateForm,
)
from .models import EmailMessage, EmailTemplate, Playbook, PlaybookVersion, Task, TaskTemplate
from .selectors import (
    INBOX_PAGE,
    emails_awaiting_approval,
    inbox_for,
    inbox_group_page,
    inbox_rows,
    playbook_list,
    run_latest_enrolments,
    team_load,
    team_overdue_tasks,
)
from .services import (
    email_message_approve,
    email_message_reject,
    email_template_save,
    playbook_save,
    playbook_set_enabled,
    playbooks_run,
    task_complete,
    task_reassign,
    task_snooze,
    task_template_save,
    tasks_bulk,
    touch_cadence_set,
)
from .template_context import PLACEHOLDERS
from .triggers import TRIGGERS, get_trigger


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Section: inbox


class InboxView(RoleRequiredMixin, TemplateView):
    """My tasks grouped overdue / today / upcoming / snoozed. Managers may look at a team
    member's inbox with ?assignee=<id>. An htmx request with ?group=<key>&after=<task id> gets
    that group's next rows ("Show more")."""

    template_name = "playbooks/task_inbox.html"
    partial_template_name = "playbooks/partials/inbox_groups.html"
    more_template_name = "playbooks/partials/inbox_more.html"

    def get_template_names(self):
        if "group" in self.request.GET:
            return [self.more_template_name]
        return [self.partial_template_name if htmx_partial(self.request) else self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        if "group" in params:
            context.update(_inbox_more_context(self.request, params))
        else:
            context.update(_inbox_context(self.request, params))
        return context


def _inbox_assignee(request, params) -> tuple[int | None, str]:
    """Whose inbox: mine, or (managers) a team member's (?assignee=<id>) or the unassigned."""
    user = request.user
    requested = params.get("assignee", "")
    if requested and user.has_role(Role.MANAGER):
        if requested == "none":
            return None, "Unassigned"
        other = User.objects.filter(pk=requested if requested.isdigit() else 0).first()
        if other is not None:
            return other.pk, str(other)
    return user.pk, "My"


def _inbox_filters(request, params) -> dict:
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


def _row_context(request) -> dict:
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


VIEW_INCLUDE = "#inbox-filters [name='q'], #inbox-filters [name='priority'], #inbox-view-assignee"


def _tasks_changed(request, response, *, with_groups: bool = True):
    """The task counts of the inbox the action was taken on, out-of-band in `response`."""
    filters = _inbox_filters(request, _bulk_view_params(request))
    return tasks_changed(
        request,
        response,
        assignee_id=filters["assignee_id"],
        priority=filters["priority"],
        q=filters["q"],
        with_groups=with_groups,
    )


class TaskCountsView(RoleRequiredMixin, View):
    """GET /tasks/counts/: the task counts as out-of-band fragments, for a page told that tasks
    changed by a response that did not carry them (templates/playbooks/partials/task_counts_listener.html).
    Takes the inbox's own query (assignee, q, priority)."""

    def get(self, request):
        filters = _inbox_filters(request, request.GET)
        html = task_counts_html(
            request, assignee_id=filters["assignee_id"], priority=filters["priority"], q=filters["q"]
        )
        return HttpResponse(html)


def _inbox_context(request, params) -> dict:
    filters = _inbox_filters(request, params)
    inbox = inbox_for(assignee_id=filters["assignee_id"], priority=filters["priority"], q=filters["q"])
    user = request.user
    return {
        **_row_context(request),
        "inbox": inbox,
        "owner_label": filters["owner_label"],
        "assignee_id": filters["assignee_id"],
        "more_query": filters["more_query"],
        "priorities": Priority.choices,
        "priority": params.get("priority", ""),
        "q": params.get("q", ""),
        "workers": _workers(),
        "emails": list(emails_awaiting_approval(user=user)[:20]) if user.has_role(Role.CSM) else [],
    }


def _inbox_more_context(request, params) -> dict:
    filters = _inbox_filters(request, params)
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
        raise Http404("No such inbox group.") from None
    return {**_row_context(request), "group": group, "more_query": filters["more_query"]}


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


class TaskActionView(RoleRequiredMixin, View):
    """POST /tasks/<pk>/<action>/: complete (outcome_note), snooze (days), reassign (assignee).
    htmx gets the updated row; a plain form post is redirected back."""

    view_role = Role.CSM
    edit_role = Role.CSM
    action = ""

    def get(self, request, pk):
        """The row's reassign form, loaded when the CSM clicks "Move…" (the inbox does not
        render a list of every worker in every row). Without htmx: the task's page has it."""
        if self.action != "reassign":
            return HttpResponseNotAllowed(["POST"])
        task = get_object_or_404(Task.objects.only("pk", "assignee_id", "status"), pk=pk)
        if not htmx_partial(request):
            return redirect("playbooks:task_detail", pk=task.pk)
        context = {**_row_context(request), "task": task, "workers": _workers()}
        return render(request, "playbooks/partials/task_reassign_form.html", context)

    def post(self, request, pk):
        task = get_object_or_404(Task.objects.select_related("account", "assignee", "playbook"), pk=pk)
        form_class = {"complete": CompleteForm, "snooze": SnoozeForm, "reassign": ReassignForm}[self.action]
        form = form_class(request.POST)
        error = None
        if not form.is_valid():
            error = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        else:
            try:
                if self.action == "complete":
                    task = task_complete(task=task, user=request.user, outcome_note=form.cleaned_data["outcome_note"])
                elif self.action == "snooze":
                    task = task_snooze(task=task, user=request.user, until=form.until)
                else:
                    task = task_reassign(task=task, user=request.user, assignee=form.cleaned_data["assignee"])
            except ValidationError as exc:
                error = _error_text(exc)
        if htmx_partial(request):
            task = inbox_rows(Task.objects.filter(pk=task.pk)).get()
            response = render(
                request,
                "playbooks/partials/task_rows.html",
                {
                    **_row_context(request),
                    "tasks": [task],
                    "error": error,
                    "just_changed": self.action if not error else "",
                },
                status=400 if error else 200,
            )
            if not error:
                response = _tasks_changed(request, response)
            return response
        if error:
            messages.error(request, error)
        elif self.action == "complete":
            messages.success(request, "Task done; the outcome is on the account's timeline.")
        elif self.action == "snooze":
            messages.success(request, f"Snoozed until {task.snoozed_until:%d %b}.")
        else:
            messages.success(request, f"Reassigned to {task.assignee}.")
        return HttpResponseRedirect(safe_next(request, reverse("playbooks:task_detail", args=[task.pk])))


def _workers():
    return User.objects.filter(is_active=True, role__in=[Role.CSM, Role.MANAGER, Role.ADMIN]).order_by(
        "first_name", "username"
    )


def _bulk_view_params(request) -> dict:
    """The inbox view the bulk form was sent from, as InboxView reads it from GET: whose inbox
    (`assignee_view`, as `assignee` is the bulk reassign target) and the filter bar's search and
    priority (the form includes them with hx-include), so the re-rendered groups stay filtered."""
    post = request.POST
    return {"assignee": post.get("assignee_view", ""), "q": post.get("q", ""), "priority": post.get("priority", "")}


class TaskBulkView(RoleRequiredMixin, View):
    """POST the ticked tasks with an action. htmx gets the inbox groups again, with the filters
    of the view the CSM is on; a plain form post is redirected back to it (`next`)."""

    view_role = Role.CSM
    edit_role = Role.CSM

    def post(self, request):
        posted = [int(i) for i in request.POST.getlist("task_ids") if i.isdigit()]
        choices = list(Task.objects.filter(pk__in=posted, status__in=OPEN_STATUSES).values_list("pk", flat=True))
        form = BulkForm(request.POST, task_choices=choices)
        if not form.is_valid():
            # The messages say what to do ("Tick at least one task below."): no field names.
            errors = " ".join(message for field_errors in form.errors.values() for message in field_errors)
            if htmx_partial(request):
                context = _inbox_context(request, _bulk_view_params(request)) | {"bulk_error": errors}
                return render(request, "playbooks/partials/inbox_groups.html", context, status=400)
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
            context = _inbox_context(request, _bulk_view_params(request)) | {"bulk_result": text}
            response = render(request, "playbooks/partials/inbox_groups.html", context)
            # The groups come back whole (their counts in them): only the badge and the summary go out-of-band.
            return _tasks_changed(request, response, with_groups=False)
        messages.success(request, text)
        return redirect(safe_next(request, reverse("playbooks:inbox")))


class EmailDecisionView(RoleRequiredMixin, View):
    view_role = Role.CSM
    edit_role = Role.CSM
    decision = ""

    def post(self, request, pk):
        message = get_object_or_404(EmailMessage.objects.select_related("account"), pk=pk)
        try:
            if self.decision == "approve":
                message = email_message_approve(message=message, user=request.user)
            else:
                message = email_message_reject(message=message, user=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        if htmx_partial(request):
            return render(request, "playbooks/partials/email_row.html", {"message": message})
        return redirect(safe_next(request, reverse("playbooks:inbox")))


# Section: team


class TeamView(ManagerRequiredMixin, TemplateView):
    template_name = "playbooks/task_team.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = team_load(user=self.request.user)
        for m in members:
            m.later_count = max(0, m.open_count - m.overdue_count - m.today_count)
        unassigned = Task.objects.actionable(timezone.now().date()).filter(assignee__isnull=True).count()
        context.update(
            members=members,
            overdue=team_overdue_tasks(user=self.request.user),
            unassigned=unassigned,
            totals={
                "open": sum(m.open_count for m in members),
                "overdue": sum(m.overdue_count for m in members),
                "today": sum(m.today_count for m in members),
                "done_7d": sum(m.done_7d for m in members),
            },
            max_open=max([m.open_count for m in members] or [1]) or 1,
            today=timezone.now().date(),
        )
        return context


# Section: builder


def _names_for_actions() -> dict:
    names = {("task", t.pk): t.name for t in TaskTemplate.objects.all()}
    names.update({("email", t.pk): t.name for t in EmailTemplate.objects.all()})
    try:
        from surveys.models import Survey

        names.update({("survey", s.pk): s.name for s in Survey.objects.all()})
    except ImportError:
        pass
    from onboarding.models import SuccessMap

    names.update({("map", m.pk): m.name for m in SuccessMap.objects.all()})
    return names


def _describe(playbook: Playbook, names: dict, persona_names: dict) -> dict:
    trigger = get_trigger(playbook.trigger_type)
    return {
        "trigger": trigger.summary(trigger.clean(playbook.trigger_params)),
        "conditions": conditions_describe(playbook.conditions, persona_names),
        "actions": [action_describe(a, names) for a in playbook.actions or []],
    }


def _persona_names() -> dict:
    from accounts.models import Persona

    return dict(Persona.objects.values_list("pk", "name"))


class PlaybookListView(AdminRequiredMixin, TemplateView):
    template_name = "playbooks/playbook_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        names, personas = _names_for_actions(), _persona_names()
        rows = [(p, _describe(p, names, personas)) for p in playbook_list()]
        context.update(
            rows=rows, task_templates=TaskTemplate.objects.all(), email_templates=EmailTemplate.objects.all()
        )
        return context


class PlaybookFormView(AdminRequiredMixin, TemplateView):
    """Create (/playbooks/new/) and edit (/playbooks/<pk>/edit/)."""

    template_name = "playbooks/playbook_form.html"

    def _playbook(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(Playbook, pk=pk) if pk else None

    def get(self, request, *args, **kwargs):
        playbook = self._playbook()
        form = PlaybookForm(instance=playbook or Playbook(enabled=False))
        formset = ActionFormSet(
            prefix="actions", initial=[ActionForm.initial_for(a) for a in (playbook.actions if playbook else [])]
        )
        return self.render_to_response(self.get_context_data(form=form, formset=formset, playbook=playbook))

    def post(self, request, *args, **kwargs):
        playbook = self._playbook()
        form = PlaybookForm(request.POST, instance=playbook or Playbook())
        formset = ActionFormSet(request.POST, prefix="actions")
        if form.is_valid() and formset.is_valid():
            actions = [a for a in (f.to_action() for f in formset.forms if f.cleaned_data) if a]
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                saved = playbook_save(
                    playbook=playbook,
                    user=request.user,
                    trigger_params=form.trigger_params(),
                    conditions=form.conditions(),
                    actions=actions,
                    note=request.POST.get("note", ""),
                    **fields,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = field if field in form.fields else None
                    for error in errors:
                        form.add_error(target, f"{field.replace('_', ' ')}: {error}" if target is None else error)
            else:
                messages.success(request, f"Saved '{saved.name}' (version {saved.version}).")
                return redirect("playbooks:playbook_detail", pk=saved.pk)
        return self.render_to_response(self.get_context_data(form=form, formset=formset, playbook=playbook), status=400)


class PlaybookPreviewView(AdminRequiredMixin, View):
    """Dry run: which accounts the playbook would enrol now, and which it would skip and why.
    GET previews the saved playbook; POST previews the builder's unsaved form."""

    def get(self, request, pk):
        playbook = get_object_or_404(Playbook, pk=pk)
        return self._render(request, playbook)

    def post(self, request, pk=None):
        playbook = get_object_or_404(Playbook, pk=pk) if pk else Playbook()
        form = PlaybookForm(request.POST, instance=playbook)
        formset = ActionFormSet(request.POST, prefix="actions")
        if not form.is_valid():
            return render(request, "playbooks/partials/preview.html", {"form": form}, status=400)
        draft = Playbook(
            pk=playbook.pk,
            trigger_type=form.cleaned_data["trigger_type"],
            trigger_params=form.trigger_params(),
            conditions=form.conditions(),
            actions=[a for a in (f.to_action() for f in formset.forms if f.is_valid() and f.cleaned_data) if a]
            if formset.is_valid()
            else playbook.actions,
            cooldown_days=form.cleaned_data.get("cooldown_days") or 0,
            max_enrolments=form.cleaned_data.get("max_enrolments"),
        )
        return self._render(request, draft)

    def _render(self, request, playbook):
        result = playbook_evaluate(playbook=playbook, dry_run=True)
        return render(request, "playbooks/partials/preview.html", {"result": result, "playbook": playbook})


# How many enrolments the detail page lists under each run (its summary gives the total): a
# run of thousands loaded every one of them (and its account) to show 50.
RUN_ENROLMENTS_SHOWN = 50


class PlaybookDetailView(AdminRequiredMixin, TemplateView):
    template_name = "playbooks/playbook_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        playbook = get_object_or_404(Playbook.objects.select_related("created_by"), pk=kwargs["pk"])
        runs = list(playbook.runs.order_by("-started_at", "-id")[:10])
        latest = run_latest_enrolments(run_ids=[run.pk for run in runs], limit=RUN_ENROLMENTS_SHOWN)
        for run in runs:
            run.latest_enrolments = latest.get(run.pk, [])
        skipped_ids = {d["account_id"] for r in runs for d in r.details[:20] if d.get("account_id")}
        names = dict(Account.objects.filter(pk__in=skipped_ids).values_list("pk", "name"))
        for run in runs:
            run.skipped_rows = [
                d
                | {
                    "name": names.get(d["account_id"], f"#{d['account_id']}"),
                    "why": SKIP_LABELS.get(d["skipped"], d["skipped"]),
                }
                for d in run.details[:20]
                if d.get("skipped")
            ]
            run.skipped_labelled = [(SKIP_LABELS.get(k, k), n) for k, n in (run.skipped or {}).items()]
        context.update(
            playbook=playbook,
            summary=_describe(playbook, _names_for_actions(), _persona_names()),
            runs=runs,
            recent=list(_enrolments_with_account().filter(playbook=playbook)[:25]),
            status_counts=[
                (TaskStatus(s).label, n)
                for s, n in playbook.tasks.order_by("status").values_list("status").annotate(n=Count("id"))
            ],
            versions=playbook.versions.select_related("changed_by")[:5],
        )
        return context


def _enrolments_with_account():
    from .models import Enrolment

    return Enrolment.objects.select_related("account").order_by("-created_at", "-id")


class PlaybookHistoryView(AdminRequiredMixin, TemplateView):
    template_name = "playbooks/playbook_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        playbook = get_object_or_404(Playbook, pk=kwargs["pk"])
        versions = list(PlaybookVersion.objects.filter(playbook=playbook).select_related("changed_by"))
        rows = []
        for i, version in enumerate(versions):
            older = versions[i + 1].snapshot if i + 1 < len(versions) else {}
            changed = sorted(k for k in version.snapshot if version.snapshot.get(k) != older.get(k)) if older else []
            rows.append((version, changed))
        context.update(playbook=playbook, rows=rows)
        return context


class PlaybookToggleView(AdminRequiredMixin, View):
    def post(self, request, pk):
        playbook = get_object_or_404(Playbook, pk=pk)
        try:
            playbook = playbook_set_enabled(playbook=playbook, enabled=not playbook.enabled, user=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"'{playbook.name}' is {'enabled' if playbook.enabled else 'disabled'}.")
        return redirect(safe_next(request, reverse("playbooks:playbook_list")))


class PlaybookRunView(AdminRequiredMixin, View):
    def post(self, request, pk):
        playbook = get_object_or_404(Playbook, pk=pk)
        if not playbook.enabled:
            messages.error(request, "Enable the playbook to run it.")
        else:
            results = playbooks_run(playbook_ids=[playbook.pk], source="manual")
            if results:
                r = results[0]
                messages.success(
                    request, f"Run done: {r.matched} matched, {r.enrolled} enrolled, {sum(r.skipped.values())} skipped."
                )
            else:
                messages.error(request, "The run failed; see the run log.")
        return redirect("playbooks:playbook_detail", pk=pk)


class CadenceView(AdminRequiredMixin, TemplateView):
    """Touch cadence per tier: how often a CSM should touch an account ("touch due" in the
    portfolio, and the "no CSM touch" trigger)."""

    template_name = "playbooks/cadence_form.html"

    def _days(self):
        from accounts.models import TouchCadence

        return TouchCadence.days_by_tier()

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=CadenceForm(days_by_tier=self._days())))

    def post(self, request, *args, **kwargs):
        form = CadenceForm(request.POST, days_by_tier=self._days())
        if form.is_valid():
            try:
                touch_cadence_set(days_by_tier=dict(form.cleaned_data))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "Touch cadence saved.")
                return redirect("playbooks:cadence")
        return self.render_to_response(self.get_context_data(form=form), status=400)


# Section: templates


class TemplateFormView(AdminRequiredMixin, TemplateView):
    template_name = "playbooks/template_form.html"
    model = None
    form_class = None
    save = None
    label = ""

    def _obj(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(self.model, pk=pk) if pk else None

    def get_context_data(self, **kwargs):
        return super().get_context_data(placeholders=PLACEHOLDERS.items(), **kwargs)

    def get(self, request, *args, **kwargs):
        obj = self._obj()
        return self.render_to_response(
            self.get_context_data(form=self.form_class(instance=obj), obj=obj, label=self.label)
        )

    def post(self, request, *args, **kwargs):
        obj = self._obj()
        form = self.form_class(request.POST, instance=obj)
        if form.is_valid():
            try:
                saved = type(self).save(template=obj, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, f"Saved {self.label.lower()} '{saved.name}'.")
                return redirect("playbooks:playbook_list")
        return self.render_to_response(self.get_context_data(form=form, obj=obj, label=self.label), status=400)


class TaskTemplateFormView(TemplateFormView):
    model = TaskTemplate
    form_class = TaskTemplateForm
    save = staticmethod(task_template_save)
    label = "Task template"


class EmailTemplateFormView(TemplateFormView):
    model = EmailTemplate
    form_class = EmailTemplateForm
    save = staticmethod(email_template_save)
    label = "Email template"


TRIGGER_HELP = {t: TRIGGERS[t].label for t in TRIGGERS}
