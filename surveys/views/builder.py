"""The admin's survey builder: list, create, edit, workspaces (snippet, secret, origins). The
send ("Email the audience…") is in views/sending.py."""

from django.conf import settings
from django.contrib import messages
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import CreateView, TemplateView, UpdateView

from core.permissions import AdminRequiredMixin

from ..forms import SurveyForm, WorkspaceForm
from ..models import Survey, SurveyWorkspace
from ..selectors import cache_clear, survey_list
from ..sending import survey_budget_note, survey_send_preview_cached, surveys_budget_blocked
from .sending import budget_context


class SurveyListView(AdminRequiredMixin, TemplateView):
    template_name = "surveys/survey_list.html"

    def get_context_data(self, **kwargs):
        surveys = list(survey_list())
        blocked = surveys_budget_blocked(surveys)
        for survey in surveys:
            survey.budget_blocked_percent = blocked.get(survey.id)
        return super().get_context_data(
            surveys=surveys,
            workspaces=list(SurveyWorkspace.objects.all()),
            **kwargs,
        )


class SurveyFormMixin(AdminRequiredMixin):
    model = Survey
    form_class = SurveyForm
    template_name = "surveys/survey_form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        cache_clear()
        messages.success(self.request, f"Survey “{self.object}” saved.")
        if getattr(form, "follow_up_translations_cleared", False):
            messages.warning(
                self.request,
                _(
                    "A follow-up question changed, so its translations were cleared: "
                    "translate it again in each language, or it is left out there."
                ),
            )
        return response

    def get_success_url(self):
        return reverse("surveys:survey_edit", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        survey = self.object
        if survey is not None and survey.pk:
            context["public_url"] = settings.SITE_URL + reverse("surveys:public_link", args=[survey.public_slug])
            context["last_send"] = survey.send_jobs.select_related("created_by").first()
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


class SurveyCreateView(SurveyFormMixin, CreateView):
    pass


class SurveyEditView(SurveyFormMixin, UpdateView):
    pass


class WorkspaceFormMixin(AdminRequiredMixin):
    model = SurveyWorkspace
    form_class = WorkspaceForm
    template_name = "surveys/workspace_form.html"
    success_url = reverse_lazy("surveys:survey_list")

    def form_valid(self, form):
        response = super().form_valid(form)
        cache_clear()
        messages.success(self.request, f"Workspace “{self.object}” saved.")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object is not None and self.object.pk:
            context["snippet"] = widget_snippet(self.object)
        return context


def widget_snippet(workspace: SurveyWorkspace, *, user_id: str = "USER_ID", user_hash: str = "USER_HASH") -> str:
    src = settings.SITE_URL + reverse("widget:script")
    return (
        f'<script async src="{src}"\n  data-workspace="{workspace.key}"\n  data-user-id="{user_id}"\n'
        f'  data-user-hash="{user_hash}"\n  data-language="en"></script>'
    )


class WorkspaceCreateView(WorkspaceFormMixin, CreateView):
    pass


class WorkspaceEditView(WorkspaceFormMixin, UpdateView):
    pass
