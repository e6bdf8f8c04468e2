"""surveys.services.definitions: the builder's writes store the survey or workspace and drop
the cached copies the public endpoints read."""

import pytest

from surveys.selectors import survey_cached, workspace_by_key
from surveys.services import survey_save, workspace_save
from tests.factories import PersonaFactory
from tests.factories.surveys import SurveyFactory, SurveyWorkspaceFactory

pytestmark = pytest.mark.django_db


def test_survey_save_stores_personas_and_drops_the_cached_survey():
    # given: the widget's cache holds the survey as it was
    survey = SurveyFactory(name="Before")
    assert survey_cached(survey.id).name == "Before"
    persona = PersonaFactory()
    # when
    survey.name = "After"
    saved = survey_save(survey=survey, personas=[persona])
    # then
    assert saved.pk == survey.pk
    assert survey_cached(survey.id).name == "After"
    assert list(survey.personas.all()) == [persona]


def test_survey_save_without_personas_leaves_them_alone():
    persona = PersonaFactory()
    survey = SurveyFactory()
    survey.personas.set([persona])
    survey_save(survey=survey)
    assert list(survey.personas.all()) == [persona]


def test_workspace_save_drops_the_cached_workspace():
    # given
    workspace = SurveyWorkspaceFactory(allowed_origins="https://a.example")
    assert workspace_by_key(workspace.key).allowed_origins == "https://a.example"
    # when
    workspace.allowed_origins = "https://b.example"
    workspace_save(workspace=workspace)
    # then
    assert workspace_by_key(workspace.key).allowed_origins == "https://b.example"
