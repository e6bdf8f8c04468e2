"""Onboarding checklist templates and the team's settings (admins): one URL per form."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.choices import Tier
from core.permissions import AdminRequiredMixin
from core.views import ServiceFormView

from .. import services
from ..forms import ChecklistItemForm, ChecklistTemplateForm, OnboardingSettingsForm
from ..models import ChecklistTemplate, ChecklistTemplateItem
from ..selectors import checklist_template_list, onboarding_settings, template_items
from .base import PageActionView
from .translations import checklist_translation_objects, language_tabs

__all__ = [
    "ChecklistCreateView",
    "ChecklistEditView",
    "ChecklistItemCreateView",
    "ChecklistItemDeleteView",
    "ChecklistListView",
    "ChecklistUpdateView",
    "OnboardingSettingsView",
]


# Section: the list of templates and the team settings


def checklist_list_context(**forms) -> dict:
    settings_obj = onboarding_settings()
    return {
        "templates": checklist_template_list(),
        "template_form": forms.get("template_form") or ChecklistTemplateForm(initial={"is_active": True}),
        "settings_form": forms.get("settings_form")
        or OnboardingSettingsForm(
            initial={
                "value_event": settings_obj.value_event,
                "stalled_days": settings_obj.stalled_days,
                "stuck_days": settings_obj.stuck_days,
            }
        ),
        "tier_labels": dict(Tier.choices),
    }


class ChecklistListView(AdminRequiredMixin, TemplateView):
    template_name = "onboarding/checklisttemplate_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**checklist_list_context(), **kwargs)


class ChecklistCreateView(AdminRequiredMixin, ServiceFormView):
    http_method_names = ["post"]  # the form is on the page
    form_class = ChecklistTemplateForm
    template_name = "onboarding/checklisttemplate_list.html"

    def get_context_data(self, **kwargs):
        return {**checklist_list_context(template_form=kwargs["form"]), **super().get_context_data(**kwargs)}

    def perform(self, form):
        data = form.cleaned_data
        return services.checklist_template_create(
            name=data["name"], touch_model=data["touch_model"], tiers=data["tiers"], value_event=data["value_event"]
        )

    def get_success_url(self, obj) -> str:
        return reverse("onboarding:checklist_edit", args=[obj.pk])


class OnboardingSettingsView(AdminRequiredMixin, ServiceFormView):
    http_method_names = ["post"]  # the form is on the page
    form_class = OnboardingSettingsForm
    template_name = "onboarding/checklisttemplate_list.html"

    def get_context_data(self, **kwargs):
        return {**checklist_list_context(settings_form=kwargs["form"]), **super().get_context_data(**kwargs)}

    def perform(self, form):
        return services.onboarding_settings_update(**form.cleaned_data)

    def get_success_message(self, obj) -> str:
        return _("Settings saved.")

    def get_success_url(self, obj) -> str:
        return reverse("onboarding:checklist_list")


# Section: one template and its items


def checklist_edit_context(template: ChecklistTemplate, *, lang=None, translation_form=None, **forms) -> dict:
    items = list(template_items(template=template))
    return {
        **language_tabs(checklist_translation_objects(items), lang, translation_form),
        "template": template,
        "items": items,
        "template_form": forms.get("template_form")
        or ChecklistTemplateForm(
            initial={
                "name": template.name,
                "touch_model": template.touch_model,
                "tiers": template.tiers,
                "value_event": template.value_event,
                "is_active": template.is_active,
            }
        ),
        "item_form": forms.get("item_form") or ChecklistItemForm(),
    }


class ChecklistEditView(AdminRequiredMixin, TemplateView):
    template_name = "onboarding/checklisttemplate_edit.html"

    def get_context_data(self, **kwargs):
        template = get_object_or_404(ChecklistTemplate, pk=self.kwargs["pk"])
        context = checklist_edit_context(template, lang=self.request.GET.get("lang"))
        return super().get_context_data(**context, **kwargs)


class TemplateFormView(AdminRequiredMixin, ServiceFormView):
    """A form of one template's page (`pk` in the URL); errors re-render that page."""

    http_method_names = ["post"]  # the form is on the page
    template_name = "onboarding/checklisttemplate_edit.html"
    form_name = ""

    def get_object(self):
        return get_object_or_404(ChecklistTemplate, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = checklist_edit_context(self.object, **{self.form_name: kwargs["form"]})
        return {**context, **super().get_context_data(**kwargs)}

    def get_success_url(self, obj) -> str:
        return reverse("onboarding:checklist_edit", args=[self.object.pk])


class ChecklistUpdateView(TemplateFormView):
    form_class = ChecklistTemplateForm
    form_name = "template_form"

    def perform(self, form):
        return services.checklist_template_update(template=self.object, **form.cleaned_data)

    def get_success_message(self, obj) -> str:
        return _("Template saved.")


class ChecklistItemCreateView(TemplateFormView):
    form_class = ChecklistItemForm
    form_name = "item_form"

    def perform(self, form):
        return services.checklist_template_item_create(template=self.object, **form.cleaned_data)


class ChecklistItemDeleteView(AdminRequiredMixin, PageActionView):
    def get_object(self):
        return get_object_or_404(ChecklistTemplateItem, pk=self.kwargs["pk"])

    def act(self, item):
        services.checklist_template_item_delete(item=item)

    def get_success_url(self, item) -> str:
        return reverse("onboarding:checklist_edit", args=[item.template_id])
