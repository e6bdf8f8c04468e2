"""Surveys' saved-view filters: the last NPS / CSAT answer and a detractor this quarter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.saved_views import saved_view_accounts, saved_view_definition_clean
from surveys.view_filters import quarter_start
from tests.factories import AccountFactory, SurveyResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _names(conditions, user):
    definition = saved_view_definition_clean({"conditions": conditions}, user=user)
    return sorted(saved_view_accounts(definition=definition, user=user).values_list("name", flat=True))


def test_last_answer_and_detractor_this_quarter():
    user = UserFactory()
    now = timezone.now()
    turned, happy, old = AccountFactory(name="turned"), AccountFactory(name="happy"), AccountFactory(name="old")
    SurveyResponseFactory(account=turned, score=10, submitted_at=now - timedelta(minutes=10))
    SurveyResponseFactory(account=turned, score=3, submitted_at=now - timedelta(minutes=1))
    SurveyResponseFactory(account=happy, score=9)
    SurveyResponseFactory(account=happy, kind="csat", score=2)
    SurveyResponseFactory(account=old, score=2, submitted_at=quarter_start() - timedelta(days=1))
    assert _names([{"field": "last_nps", "op": "lte", "value": 6}], user) == ["old", "turned"]
    assert _names([{"field": "last_csat", "op": "lte", "value": 2}], user) == ["happy"]
    assert _names([{"field": "detractor_quarter", "op": "is_true"}], user) == ["turned"]
    assert _names([{"field": "detractor_quarter", "op": "is_false"}], user) == ["happy", "old"]
