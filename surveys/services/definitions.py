"""The builder's writes: a survey's definition (audience, trigger, schedule, wording) and a
widget workspace. The forms shape and validate the input; these store it and drop the cached
copies the public endpoints read (`surveys.selectors`)."""

from collections.abc import Iterable

from ..models import Survey, SurveyWorkspace
from ..selectors import cache_clear

__all__ = ["survey_save", "workspace_save"]


def survey_save(*, survey: Survey, personas: Iterable | None = None) -> Survey:
    """Store a survey built by the builder's form (new or changed) and, when given, the
    personas it is limited to (none = every persona)."""
    survey.save()
    if personas is not None:
        survey.personas.set(personas)
    cache_clear()
    return survey


def workspace_save(*, workspace: SurveyWorkspace) -> SurveyWorkspace:
    """Store a widget workspace (name, allowed origins); its key and secret are made on create."""
    workspace.save()
    cache_clear()
    return workspace
