"""The admin's survey builder: list, create, edit, workspaces (snippet, secret, origins), send."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import CreateView, FormView, TemplateView, UpdateView

from core.permissions import AdminRequiredMixin

from ..forms import SendForm, SurveyForm, WorkspaceForm
from ..models import Survey, SurveyWorkspace
from ..selectors import cache_clear, survey_list


class SurveyListView(AdminRequiredMixin, TemplateView):
    template_name = "surveys/survey_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            surveys=list(survey_list()),
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
            context["send_form"] = SendForm()
        return context


class SurveyCreateView(SurveyFormMixin, CreateView):
    pass


class SurveyEditView(SurveyFormMixin, UpdateView):
    pass


class SurveySendView(AdminRequiredMixin, FormView):
    """Email the survey to its whole audience (fatigue and drip still apply), in Celery."""

    form_class = SendForm
    template_name = "surveys/survey_form.html"

    def form_valid(self, form):
        from ..tasks import survey_send_task

        survey = get_object_or_404(Survey, pk=self.kwargs["pk"])
        transaction.on_commit(lambda: survey_send_task.delay(survey.id))
        messages.success(self.request, "Sending to the survey's audience; fatigue and drip limits apply.")
        return redirect("surveys:survey_edit", pk=survey.pk)

    def form_invalid(self, form):
        messages.error(self.request, "Tick the box to confirm the send.")
        return redirect("surveys:survey_edit", pk=self.kwargs["pk"])


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
