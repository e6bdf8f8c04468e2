"""The staff side of surveys in the reader's language (issue 22): the list, the builder, the
report (its themes card is translated with the themes) and the account's survey panel. What
customers read follows the survey's wording per language (tests/surveys/views/test_public_languages.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import User
from surveys.choices import Channel
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory, SurveyResponseFactory
from tests.page_language import english_left, get_as, page_text

pytestmark = pytest.mark.django_db

REPORT_PARTS = {
    "ids": ["report-kpis", "report-charts", "report-breakdowns", "verbatims-card"],
    "classes": ["page-header"],
}


@pytest.fixture
def answers(csm_user):
    account = AccountFactory(name="Nordwind", owner=csm_user, segment="SMB", tier="key")
    contact = ContactFactory(account=account, name="Layla Haddad")
    now = timezone.now()
    for i in range(6):
        SurveyResponseFactory(
            account=account,
            contact=contact,
            kind="nps",
            score=3 + i,
            comment=f"Nordwind {i}",
            channel=Channel.EMAIL,
            submitted_at=now - timedelta(days=20 * i),
        )
    return account


def test_the_survey_list_and_builder_are_in_arabic(client, admin_user):
    survey = SurveyFactory(name="Quarterly", tiers=["key"], segments=["SMB"])
    workspace = [survey.workspace.name, survey.workspace.key, *survey.workspace.origin_list]

    listing = get_as(client, admin_user, "ar", reverse("surveys:survey_list")).content.decode()
    builder = get_as(client, admin_user, "ar", reverse("surveys:survey_create")).content.decode()

    assert "استبيان جديد" in listing and "رئيسي" in listing  # the tier by its Arabic name
    assert "احفظ الاستبيان" in builder and "الجمهور" in builder
    assert english_left(page_text(listing, classes=["content"]), data=["Quarterly", "SMB", *workspace]) == []
    # the builder's own chrome; the wording cards show each language's built-in texts, the customers' words
    chrome = page_text(builder, classes=["page-header"]) + page_text(builder, classes=["stack"])
    assert "Save survey" not in chrome and "Audience" not in chrome


def test_the_report_is_in_persian_and_chinese(client, manager_user, answers):
    for language, word in (("fa", "نرخ پاسخ"), ("zh-hans", "回复率")):
        html = get_as(client, manager_user, language, reverse("surveys:report")).content.decode()
        assert word in html
        data = ["Nordwind", "Layla Haddad", "SMB", *(u.get_full_name() for u in User.objects.all())]
        assert english_left(page_text(html, **REPORT_PARTS), data=data) == [], language


def test_the_account_survey_panel_is_in_arabic(client, csm_user, answers):
    html = get_as(client, csm_user, "ar", reverse("accounts:detail", args=[answers.pk])).content.decode()

    panel = page_text(html, ids=["panel-surveys"])
    assert "الاستبيانات" in panel
    assert english_left(panel, data=["Nordwind", "Layla Haddad"]) == []
