"""The admin's survey builder: list, create, edit, workspaces (snippet, secret, origins). The
send ("Email the audience…") is in views/sending.py. The forms shape the input, the services
(`surveys.services.definitions`) store it, the selectors read."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.choices import Role
from core.permissions import AdminRequiredMixin
from core.views import ServiceFormView

from ..forms import SurveyForm, WorkspaceForm
from ..models import Survey, SurveyWorkspace
from ..selectors import survey_last_send, survey_list, workspace_list
from ..sending import survey_budget_note, survey_send_preview_cached, surveys_budget_blocked
from ..services import survey_save, workspace_save
from .sending import budget_context


class SurveyListView(AdminRequiredMixin, TemplateView):
    template_name = "surveys/survey_list.html"

    def get_context_data(self, **kwargs):
        surveys = list(survey_list())
        blocked = surveys_budget_blocked(surveys)
        for survey in surveys:
            survey.budget_blocked_percent = blocked.get(survey.id)
        return super().get_context_data(surveys=surveys, workspaces=workspace_list(), **kwargs)


# Section: surveys


class SurveyFormView(ServiceFormView):
    """Create (no pk) or edit a survey: definition, wording in every language, audience,
    trigger, schedule. Bad input re-renders the form with status 400."""

    view_role = edit_role = Role.ADMIN
    form_class = SurveyForm
    template_name = "surveys/survey_form.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(Survey, pk=pk) if pk is not None else None

    def perform(self, form):
        survey = survey_save(survey=form.save(commit=False), personas=form.cleaned_data.get("personas"))
        messages.success(self.request, _("Survey “%(name)s” saved.") % {"name": survey})
        if getattr(form, "follow_up_translations_cleared", False):
            messages.warning(
                self.request,
                _(
                    "A follow-up question changed, so its translations were cleared: "
                    "translate it again in each language, or it is left out there."
                ),
            )
        return survey

    def get_success_url(self, obj) -> str:
        return reverse("surveys:survey_edit", args=[obj.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        survey = self.object
        if survey is not None and survey.pk:
            context["survey"] = survey
            context["public_url"] = settings.SITE_URL + reverse("surveys:public_link", args=[survey.public_slug])
            context["last_send"] = survey_last_send(survey=survey)
            # The budget note needs the whole audience counted: from a recent preview at once,
            # else the page loads it afterwards (htmx) so the builder never waits for it.
            preview = survey_send_preview_cached(survey=survey)
            if preview is None:
                context["budget_lazy"] = True
            else:
                budget = survey_budget_note(survey=survey, preview=preview)
                if budget is not None:
                    context.update(budget_context(budget.audience, budget.skipped), budget_audience=budget.audience)
        return context


# Section: widget workspaces


class WorkspaceFormView(ServiceFormView):
    """Create (no pk) or edit a widget workspace; once saved, its install snippet is shown."""

    view_role = edit_role = Role.ADMIN
    form_class = WorkspaceForm
    template_name = "surveys/workspace_form.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(SurveyWorkspace, pk=pk) if pk is not None else None

    def perform(self, form):
        workspace = workspace_save(workspace=form.save(commit=False))
        messages.success(self.request, _("Workspace “%(name)s” saved.") % {"name": workspace})
        return workspace

    def get_success_url(self, obj) -> str:
        return reverse("surveys:survey_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object is not None and self.object.pk:
            context["surveyworkspace"] = self.object
            context["snippet"] = widget_snippet(self.object)
        return context


def widget_snippet(workspace: SurveyWorkspace, *, user_id: str = "USER_ID", user_hash: str = "USER_HASH") -> str:
    src = settings.SITE_URL + reverse("widget:script")
    return (
        f'<script async src="{src}"\n  data-workspace="{workspace.key}"\n  data-user-id="{user_id}"\n'
        f'  data-user-hash="{user_hash}"\n  data-language="en"></script>'
    )
