"""Task and email templates (admins): create and edit through the services, with the list of
placeholders a template may use."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.content_translations import content_languages, translation_status
from core.forms_translations import ContentTranslationForm
from core.permissions import AdminRequiredMixin
from core.views import ServiceFormView

from ..forms import EmailTemplateForm, TaskTemplateForm
from ..models import EmailTemplate, TaskTemplate
from ..services import email_template_save, email_template_translations_set, task_template_save
from ..template_context import PLACEHOLDERS

__all__ = ["EmailTemplateFormView", "EmailTemplateTranslationsView", "TaskTemplateFormView", "TemplateFormView"]


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

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        lang = request.GET.get("lang")
        if self.object is not None and lang in content_languages() and lang != settings.LANGUAGE_CODE:
            form = ContentTranslationForm(objects=[("template", self.object)], language=lang)
            return render(request, self.template_name, self.get_context_data(translation_form=form, lang=lang))
        return self.render_form(self.get_form())

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
    """An email template; on an existing one, language tabs (`?lang=`) write its subject and body
    in another language (EmailTemplateTranslationsView)."""

    model = EmailTemplate
    form_class = EmailTemplateForm
    save = staticmethod(email_template_save)
    label = gettext_lazy("Email template")

    def get_context_data(self, **kwargs):
        lang = kwargs.pop("lang", None)
        context = super().get_context_data(**kwargs)
        if self.object is not None:
            language = lang if lang in content_languages() else settings.LANGUAGE_CODE
            context.update(
                content_language=language,
                content_language_name=content_languages()[language],
                content_language_query="",
                default_language=settings.LANGUAGE_CODE,
                content_languages=translation_status([self.object], current=language),
            )
        return context


class EmailTemplateTranslationsView(EmailTemplateFormView):
    """POST /playbooks/templates/email/<pk>/translations/<lang>/: the subject and body in `lang`."""

    http_method_names = ["post"]  # the form is on the template's page

    def dispatch(self, request, *args, **kwargs):
        if kwargs["lang"] == settings.LANGUAGE_CODE or kwargs["lang"] not in content_languages():
            raise Http404(_("No such language to translate into."))
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None, files=None):
        return ContentTranslationForm(data, objects=[("template", self.object)], language=self.kwargs["lang"])

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form")
        return super().get_context_data(translation_form=form, lang=self.kwargs["lang"], **kwargs)

    def perform(self, form):
        texts = form.texts("template").get(self.object.pk, {})
        try:
            return email_template_translations_set(
                template=self.object,
                language=self.kwargs["lang"],
                subject=texts.get("subject", ""),
                body=texts.get("body", ""),
            )
        except ValidationError as exc:  # on the input it concerns
            prefix = f"template-{self.object.pk}-"
            errors = getattr(exc, "error_dict", {})
            raise ValidationError(
                {f"{prefix}{k}" if f"{prefix}{k}" in form.fields else k: v for k, v in errors.items()} or exc
            ) from exc

    def get_success_message(self, obj) -> str:
        return _("Texts in %(language)s saved.") % {"language": content_languages()[self.kwargs["lang"]]}

    def get_success_url(self, obj) -> str:
        return f"{reverse('playbooks:email_template_edit', args=[obj.pk])}?lang={self.kwargs['lang']}"
