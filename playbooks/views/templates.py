"""Task and email templates (admins): create and edit through the services, with the list of
placeholders a template may use."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.permissions import AdminRequiredMixin
from core.views import ServiceFormView

from ..forms import EmailTemplateForm, TaskTemplateForm
from ..models import EmailTemplate, TaskTemplate
from ..services import email_template_save, task_template_save
from ..template_context import PLACEHOLDERS

__all__ = ["EmailTemplateFormView", "TaskTemplateFormView", "TemplateFormView"]


class TemplateFormView(AdminRequiredMixin, ServiceFormView):
    """/playbooks/templates/<kind>/new/ and /<pk>/: the service saves; errors land on the form."""

    template_name = "playbooks/template_form.html"
    model = None
    save = None
    label = ""

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(self.model, pk=pk) if pk else None

    def get_context_data(self, **kwargs):
        return super().get_context_data(obj=self.object, label=self.label, placeholders=PLACEHOLDERS.items(), **kwargs)

    def perform(self, form):
        return type(self).save(template=self.object, **form.cleaned_data)

    def get_success_message(self, obj) -> str:
        return _("Saved %(label)s '%(name)s'.") % {"label": str(self.label).lower(), "name": obj.name}

    def get_success_url(self, obj) -> str:
        return reverse("playbooks:playbook_list")


class TaskTemplateFormView(TemplateFormView):
    model = TaskTemplate
    form_class = TaskTemplateForm
    save = staticmethod(task_template_save)
    label = gettext_lazy("Task template")


class EmailTemplateFormView(TemplateFormView):
    model = EmailTemplate
    form_class = EmailTemplateForm
    save = staticmethod(email_template_save)
    label = gettext_lazy("Email template")
