"""The playbook builder (admins): the list, the form (create and edit, with its action rows),
the dry-run preview, a playbook's page with its runs, its history, and enable / disable / run
now (one action per URL)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.permissions import AdminRequiredMixin
from core.views import ActionView, ServiceFormView, partial

from ..actions import action_describe
from ..choices import TaskStatus
from ..conditions import conditions_describe
from ..evaluation import SKIP_LABELS, playbook_evaluate
from ..forms import ActionForm, ActionFormSet, PlaybookForm
from ..models import Playbook
from ..selectors import (
    account_names,
    action_target_names,
    email_templates,
    persona_names,
    playbook_enrolments_recent,
    playbook_list,
    playbook_runs,
    playbook_task_status_counts,
    playbook_versions,
    run_latest_enrolments,
    task_templates,
)
from ..services import playbook_save, playbook_set_enabled, playbooks_run
from ..triggers import get_trigger

__all__ = [
    "RUN_ENROLMENTS_SHOWN",
    "PlaybookDetailView",
    "PlaybookFormView",
    "PlaybookHistoryView",
    "PlaybookListView",
    "PlaybookPreviewView",
    "PlaybookRunView",
    "PlaybookToggleView",
]

FORM_TEMPLATE = "playbooks/playbook_form.html"

# How many enrolments the detail page lists under each run (its summary gives the total): a
# run of thousands loaded every one of them (and its account) to show 50.
RUN_ENROLMENTS_SHOWN = 50


def _describe(playbook: Playbook, names: dict, persona_names: dict) -> dict:
    """What a playbook does, in words: its trigger, conditions and actions."""
    trigger = get_trigger(playbook.trigger_type)
    return {
        "trigger": trigger.summary(trigger.clean(playbook.trigger_params)),
        "conditions": conditions_describe(playbook.conditions, persona_names),
        "actions": [action_describe(a, names) for a in playbook.actions or []],
    }


# Section: list and form


class PlaybookListView(AdminRequiredMixin, TemplateView):
    """Every playbook with what it does and its counts, and the templates. Not an
    `ObjectListView`: the page lists every playbook in one query (pinned flat in tests and
    measured by the pages bench); paging would add a COUNT to it."""

    template_name = "playbooks/playbook_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        names, personas = action_target_names(), persona_names()
        rows = [(p, _describe(p, names, personas)) for p in playbook_list()]
        context.update(rows=rows, task_templates=task_templates(), email_templates=email_templates())
        return context


class PlaybookFormView(AdminRequiredMixin, ServiceFormView):
    """Create (/playbooks/new/) and edit (/playbooks/<pk>/edit/): the playbook's fields and its
    action rows (a formset); `playbook_save` writes a new version."""

    template_name = FORM_TEMPLATE
    form_class = PlaybookForm

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(Playbook, pk=pk) if pk else None

    def get_form(self, data=None, files=None):
        playbook = self.object
        if data is None:
            self.formset = ActionFormSet(
                prefix="actions", initial=[ActionForm.initial_for(a) for a in (playbook.actions if playbook else [])]
            )
            return PlaybookForm(instance=playbook or Playbook(enabled=False))
        self.formset = ActionFormSet(data, prefix="actions")
        return PlaybookForm(data, instance=playbook or Playbook())

    def get_context_data(self, **kwargs):
        return super().get_context_data(formset=self.formset, playbook=self.object, **kwargs)

    def perform(self, form):
        if not self.formset.is_valid():
            raise ValidationError({})  # the errors are on the action rows already
        actions = [a for a in (f.to_action() for f in self.formset.forms if f.cleaned_data) if a]
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            return playbook_save(
                playbook=self.object,
                user=self.request.user,
                trigger_params=form.trigger_params(),
                conditions=form.conditions(),
                actions=actions,
                note=self.request.POST.get("note", ""),
                **fields,
            )
        except ValidationError as exc:
            # A field the form does not show (trigger_params, actions...) goes on top, named.
            errors: dict[str, list[str]] = {}
            for field, field_errors in exc.message_dict.items():
                if field in form.fields:
                    errors.setdefault(field, []).extend(field_errors)
                else:
                    errors.setdefault(NON_FIELD_ERRORS, []).extend(
                        f"{field.replace('_', ' ')}: {error}" for error in field_errors
                    )
            raise ValidationError(errors) from exc

    def get_success_message(self, obj) -> str:
        return _("Saved '%(name)s' (version %(version)s).") % {"name": obj.name, "version": obj.version}

    def get_success_url(self, obj) -> str:
        return reverse("playbooks:playbook_detail", args=[obj.pk])


class PlaybookPreviewView(AdminRequiredMixin, View):
    """Dry run: which accounts the playbook would enrol now, and which it would skip and why.
    GET previews the saved playbook; POST previews the builder's unsaved form. Answers
    `playbook_form.html#preview`."""

    template_name = partial(FORM_TEMPLATE, "preview")

    def get(self, request, pk=None):
        if pk is None:  # the unsaved builder previews by POST only
            return HttpResponseNotAllowed(["POST"])
        playbook = get_object_or_404(Playbook, pk=pk)
        return self._render(request, playbook)

    def post(self, request, pk=None):
        playbook = get_object_or_404(Playbook, pk=pk) if pk else Playbook()
        form = PlaybookForm(request.POST, instance=playbook)
        formset = ActionFormSet(request.POST, prefix="actions")
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
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
        return render(request, self.template_name, {"result": result, "playbook": playbook})


# Section: a playbook's pages


class PlaybookDetailView(AdminRequiredMixin, TemplateView):
    template_name = "playbooks/playbook_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        playbook = get_object_or_404(Playbook.objects.select_related("created_by"), pk=kwargs["pk"])
        runs = playbook_runs(playbook=playbook, limit=10)
        latest = run_latest_enrolments(run_ids=[run.pk for run in runs], limit=RUN_ENROLMENTS_SHOWN)
        for run in runs:
            run.latest_enrolments = latest.get(run.pk, [])
        skipped_ids = {d["account_id"] for r in runs for d in r.details[:20] if d.get("account_id")}
        names = account_names(account_ids=skipped_ids)
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
            summary=_describe(playbook, action_target_names(), persona_names()),
            runs=runs,
            recent=playbook_enrolments_recent(playbook=playbook, limit=25),
            status_counts=[(TaskStatus(s).label, n) for s, n in playbook_task_status_counts(playbook=playbook)],
            versions=playbook_versions(playbook=playbook, limit=5),
        )
        return context


class PlaybookHistoryView(AdminRequiredMixin, TemplateView):
    template_name = "playbooks/playbook_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        playbook = get_object_or_404(Playbook, pk=kwargs["pk"])
        versions = playbook_versions(playbook=playbook)
        rows = []
        for i, version in enumerate(versions):
            older = versions[i + 1].snapshot if i + 1 < len(versions) else {}
            changed = sorted(k for k in version.snapshot if version.snapshot.get(k) != older.get(k)) if older else []
            rows.append((version, changed))
        context.update(playbook=playbook, rows=rows)
        return context


# Section: enable / disable, run now


class PlaybookToggleView(AdminRequiredMixin, ActionView):
    """POST enables a disabled playbook or disables an enabled one; back to `next` (the
    playbook's page posts it), else the list."""

    def get_object(self):
        return get_object_or_404(Playbook, pk=self.kwargs["pk"])

    def perform(self, playbook):
        try:
            playbook = playbook_set_enabled(playbook=playbook, enabled=not playbook.enabled, user=self.request.user)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
        else:
            text = _("'%(name)s' is enabled.") if playbook.enabled else _("'%(name)s' is disabled.")
            messages.success(self.request, text % {"name": playbook.name})

    def get_success_url(self, playbook) -> str:
        return reverse("playbooks:playbook_list")


class PlaybookRunView(AdminRequiredMixin, ActionView):
    """POST runs an enabled playbook now (source "manual") and says what it did."""

    def get_object(self):
        return get_object_or_404(Playbook, pk=self.kwargs["pk"])

    def perform(self, playbook):
        if not playbook.enabled:
            messages.error(self.request, _("Enable the playbook to run it."))
            return
        results = playbooks_run(playbook_ids=[playbook.pk], source="manual")
        if results:
            r = results[0]
            messages.success(
                self.request,
                _("Run done: %(matched)s matched, %(enrolled)s enrolled, %(skipped)s skipped.")
                % {"matched": r.matched, "enrolled": r.enrolled, "skipped": sum(r.skipped.values())},
            )
        else:
            messages.error(self.request, _("The run failed; see the run log."))

    def get_success_url(self, playbook) -> str:
        return reverse("playbooks:playbook_detail", args=[playbook.pk])
