"""Writing a success map version's and a checklist template's texts in another language (admins):
the editors' language tabs (`?lang=`) and one URL per form (core.content_translations)."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from core.content_translations import content_languages, translation_status
from core.forms_translations import ContentTranslationForm
from core.permissions import AdminRequiredMixin
from core.views import ServiceFormView

from .. import services
from ..models import ChecklistTemplate, SuccessMapVersion

__all__ = [
    "ChecklistTranslationsView",
    "MapTranslationsView",
    "checklist_translation_objects",
    "language_tabs",
    "map_translation_objects",
]


def _language(code: str | None) -> str:
    """A content language from `?lang=` or the URL; the default for none or an unknown one."""
    return code if code in content_languages() else settings.LANGUAGE_CODE


def map_translation_objects(version: SuccessMapVersion) -> list[tuple[str, object]]:
    """(kind, object) of every text of a version, in the order the editor shows them."""
    objects: list[tuple[str, object]] = []
    for stage in version.stages.all():
        objects.append(("stage", stage))
        objects.extend(("milestone", m) for m in stage.milestones.all())
        objects.extend(("vehicle", v) for v in stage.vehicles.all())
    return objects


def checklist_translation_objects(items) -> list[tuple[str, object]]:
    return [("item", item) for item in items]


def language_tabs(objects, code: str | None, form: ContentTranslationForm | None = None, *, query: str = "") -> dict:
    """The editor's language tabs and, in a language other than the default, its translation form.
    `query` is what the tabs' links keep before `lang=` ("version=2&")."""
    language = _language(code)
    is_default = language == settings.LANGUAGE_CODE
    if form is None and not is_default:
        form = ContentTranslationForm(objects=objects, language=language)
    return {
        "content_language": language,
        "content_language_name": content_languages()[language],
        "content_language_query": query,
        "content_language_suffix": "" if is_default else f"&lang={language}",
        "default_language": settings.LANGUAGE_CODE,
        "content_languages": translation_status([obj for _kind, obj in objects], current=language),
        "translation_form": None if is_default else form,
    }


class TranslationsFormView(AdminRequiredMixin, ServiceFormView):
    """POST the texts of one page in `lang` (from the URL)."""

    http_method_names = ["post"]  # the form is on the editor's page
    success_message = ""

    def dispatch(self, request, *args, **kwargs):
        if kwargs["lang"] == settings.LANGUAGE_CODE or kwargs["lang"] not in content_languages():
            raise Http404(_("No such language to translate into."))
        return super().dispatch(request, *args, **kwargs)

    def translation_objects(self) -> list:
        raise NotImplementedError

    def get_form(self, data=None, files=None):
        return ContentTranslationForm(data, objects=self.translation_objects(), language=self.kwargs["lang"])

    def get_success_message(self, obj) -> str:
        return _("Texts in %(language)s saved.") % {"language": content_languages()[self.kwargs["lang"]]}


class MapTranslationsView(TranslationsFormView):
    template_name = "onboarding/successmap_edit.html"

    def get_object(self):
        return get_object_or_404(
            SuccessMapVersion.objects.select_related("success_map__persona").prefetch_related(
                "stages__milestones", "stages__vehicles"
            ),
            success_map_id=self.kwargs["pk"],
            number=self.kwargs["number"],
        )

    def translation_objects(self) -> list:
        return map_translation_objects(self.object)

    def get_context_data(self, **kwargs):
        from .maps import map_edit_context

        context = map_edit_context(
            self.object.success_map, self.object.number, lang=self.kwargs["lang"], translation_form=kwargs["form"]
        )
        return {**context, **super().get_context_data(**kwargs)}

    def perform(self, form):
        return services.map_version_translations_set(
            version=self.object,
            language=self.kwargs["lang"],
            stages=form.texts("stage"),
            milestones=form.texts("milestone"),
            vehicles=form.texts("vehicle"),
        )

    def get_success_url(self, obj) -> str:
        url = reverse("onboarding:map_edit", args=[self.object.success_map_id])
        return f"{url}?version={self.object.number}&lang={self.kwargs['lang']}"


class ChecklistTranslationsView(TranslationsFormView):
    template_name = "onboarding/checklisttemplate_edit.html"

    def get_object(self):
        return get_object_or_404(ChecklistTemplate, pk=self.kwargs["pk"])

    def translation_objects(self) -> list:
        from ..selectors import template_items

        if not hasattr(self, "_items"):
            self._items = list(template_items(template=self.object))
        return checklist_translation_objects(self._items)

    def get_context_data(self, **kwargs):
        from .checklists import checklist_edit_context

        context = checklist_edit_context(self.object, lang=self.kwargs["lang"], translation_form=kwargs["form"])
        return {**context, **super().get_context_data(**kwargs)}

    def perform(self, form):
        return services.checklist_template_translations_set(
            template=self.object, language=self.kwargs["lang"], items=form.texts("item")
        )

    def get_success_url(self, obj) -> str:
        return f"{reverse('onboarding:checklist_edit', args=[self.object.pk])}?lang={self.kwargs['lang']}"
