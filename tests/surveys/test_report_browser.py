"""The survey report drawn from the pre-aggregate (stored months and days plus today's answers
read live), in Chromium, as a CSM."""

from datetime import timedelta

import pytest
from django.template.defaultfilters import floatformat
from django.utils import timezone

from surveys.metrics import survey_scores
from surveys.rollups import survey_days_rebuild
from tests.factories import AccountFactory
from tests.factories.surveys import SurveyResponseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_from_stored_days_and_today(page, login, screenshot, csm_user):
    # given: six months of answers, stored up to yesterday, and two answers today
    now = timezone.now()
    smb = AccountFactory(segment="SMB", tier="key", owner=csm_user)
    ent = AccountFactory(segment="Enterprise", tier="standard")
    for i in range(60):
        SurveyResponseFactory(
            account=smb if i % 3 else ent,
            kind=["nps", "csat", "ces"][i % 3],
            score=[(i * 7) % 11, 1 + i % 5, 1 + i % 7][i % 3],
            comment="Reports are slow on Mondays" if i % 4 == 0 else "",
            submitted_at=now - timedelta(days=3 + 3 * i),
        )
    survey_days_rebuild()
    SurveyResponseFactory(account=smb, kind="nps", score=0, comment="Today: the export broke", submitted_at=now)
    SurveyResponseFactory(account=ent, kind="nps", score=10, submitted_at=now)
    start = (now.date() + timedelta(days=1) - timedelta(days=365)).replace(day=1)
    expected = survey_scores(start=start, end=now.date() + timedelta(days=1))

    # when
    login(csm_user)
    page.goto("/surveys/report/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('trend'))")
    page.wait_for_load_state("networkidle")

    # then
    nps_card = page.locator(".kpi").first
    assert nps_card.locator(".value").inner_text().strip() == floatformat(expected["nps"], 0)
    assert f"{expected['nps_responses']} answers" in nps_card.inner_text()
    assert "Today: the export broke" in page.locator("#verbatims").inner_text()
    assert page.locator("#verbatims .verbatim").count() == 16
    page.wait_for_timeout(1200)  # the charts' entry animation
    screenshot("surveys_report_preaggregated")
