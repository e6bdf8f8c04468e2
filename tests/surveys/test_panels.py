"""The surveys panel on the account page (registered by the surveys app)."""

import pytest

from accounts.panels import PANELS
from surveys.panels import surveys_panel_context
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyResponseFactory

pytestmark = pytest.mark.django_db


def test_account_panel_is_registered_and_shows_answers(django_assert_max_num_queries):
    assert "surveys" in PANELS
    account = AccountFactory()
    contact = ContactFactory(account=account, name="Dana")
    SurveyResponseFactory(account=account, contact=contact, kind="nps", score=3, comment="Reports are slow")
    SurveyResponseFactory(account=account, kind="csat", score=5)
    with django_assert_max_num_queries(2):
        context = surveys_panel_context(None, account)
    assert [r.score for r in context["responses"]] == [5, 3] or [r.score for r in context["responses"]] == [3, 5]
    assert context["scores"]["nps"] == -100.0 and context["scores"]["csat"] == 1.0
