"""The admins' survey list: each survey's answers of the last 90 days, counted per survey."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.selectors import survey_list
from tests.factories.surveys import SurveyFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


def test_answers_of_the_last_90_days_per_survey(admin_client, django_assert_num_queries):
    now = timezone.now()
    nps, csat, quiet = SurveyFactory(kind="nps"), SurveyFactory(kind="csat"), SurveyFactory()
    for days in (1, 10, 89, 91, 300):
        SurveyResponseFactory(survey=nps, submitted_at=now - timedelta(days=days))
    SurveyResponseFactory(survey=csat, kind="csat", score=4, submitted_at=now - timedelta(days=2))
    SurveyResponseFactory(survey=None, submitted_at=now)

    with django_assert_num_queries(1):
        counts = {s.pk: s.responses_90d for s in survey_list()}

    assert counts == {nps.pk: 3, csat.pk: 1, quiet.pk: 0}
    page = admin_client.get(reverse("surveys:survey_list"))
    assert page.status_code == 200 and [s.responses_90d for s in page.context["surveys"]] == [
        counts[s.pk] for s in page.context["surveys"]
    ]
