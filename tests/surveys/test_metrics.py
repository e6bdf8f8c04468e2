from datetime import UTC, date, datetime

import pytest

from surveys.metrics import survey_scores
from tests.factories import AccountFactory
from tests.factories.surveys import SurveyResponseFactory

pytestmark = pytest.mark.django_db


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 12, tzinfo=UTC)


def test_nps_csat_ces_over_the_period():
    # given 4 promoters, 2 passives, 4 detractors; CSAT 5,4,2; CES 3,6
    account = AccountFactory()
    for score in [10, 9, 9, 10, 7, 8, 0, 6, 3, 5]:
        SurveyResponseFactory(account=account, kind="nps", score=score, submitted_at=at(5))
    for score in [5, 4, 2]:
        SurveyResponseFactory(account=account, kind="csat", score=score, submitted_at=at(6))
    for score in [3, 6]:
        SurveyResponseFactory(account=account, kind="ces", score=score, submitted_at=at(7))
    # outside [start, end)
    SurveyResponseFactory(account=account, kind="nps", score=0, submitted_at=datetime(2026, 4, 1, tzinfo=UTC))
    SurveyResponseFactory(account=account, kind="nps", score=0, submitted_at=datetime(2026, 2, 28, 23, tzinfo=UTC))
    # when
    scores = survey_scores(start=date(2026, 3, 1), end=date(2026, 4, 1))
    # then
    assert scores["nps"] == 0.0
    assert scores["nps_responses"] == 10
    assert scores["csat"] == pytest.approx(2 / 3, abs=1e-4)
    assert scores["ces"] == 4.5


def test_none_when_no_data_and_account_filter():
    a, b = AccountFactory(), AccountFactory()
    SurveyResponseFactory(account=a, kind="nps", score=10, submitted_at=at(5))
    SurveyResponseFactory(account=b, kind="nps", score=0, submitted_at=at(5))
    only_a = survey_scores(start=date(2026, 3, 1), end=date(2026, 4, 1), account_ids=[a.id])
    assert only_a["nps"] == 100.0
    assert only_a["csat"] is None and only_a["ces"] is None
    assert survey_scores(start=date(2026, 5, 1), end=date(2026, 6, 1))["nps"] is None
