"""The dashboard's change indicators: green (`delta up`) when the metric got better.

The product's CES question is "How easy was it…", 1 = very difficult, 7 = very easy
(surveys.wording, surveys.choices.score_category): a higher CES is better. Churn, first-response
hours and cost to retain are better when they go down."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse

from reports.periods import add_months
from reports.templatetags.report_format import delta
from tests.factories.surveys import SurveyResponseFactory

pytestmark = pytest.mark.django_db


def _kpi_delta_class(html: str, key: str) -> str:
    card = re.search(rf'data-kpi="{key}".*?<div class="prev"><span class="([^"]+)"', html, re.S)
    assert card, f"no {key} card"
    return card.group(1)


def test_ces_rising_is_shown_green_on_the_dashboard(client, manager_user, small_book):
    # given: CES 3 (hard) the month before last, 6 (easy) last month
    before = datetime.combine(add_months(small_book["last"], -1) + timedelta(days=5), time(10), tzinfo=UTC)
    last = datetime.combine(small_book["last"] + timedelta(days=5), time(10), tzinfo=UTC)
    SurveyResponseFactory(kind="ces", account=small_book["a"], score=3, submitted_at=before)
    SurveyResponseFactory(kind="ces", account=small_book["a"], score=6, submitted_at=last)
    client.force_login(manager_user)
    # when
    response = client.get(reverse("reports:dashboard"), {"period": "last_month"})
    # then: an easier experience is an improvement
    kpi = {k["key"]: k for k in response.context["kpis"]}
    assert (kpi["ces"]["prev"], kpi["ces"]["value"]) == (3.0, 6.0)
    assert _kpi_delta_class(response.content.decode(), "ces") == "delta up"


@pytest.mark.parametrize(
    ("key", "value", "prev", "css"),
    [
        ("ces", 5.5, 4.0, "delta up"),  # easier: better
        ("ces", 4.0, 5.5, "delta down"),  # harder: worse
        ("nps", 30, 10, "delta up"),
        ("logo_churn_rate", 0.02, 0.05, "delta up"),  # less churn: better
        ("logo_churn_rate", 0.05, 0.02, "delta down"),
        ("avg_first_response_hours", 3.0, 5.0, "delta up"),  # faster answers: better
        ("crc", 120, 100, "delta down"),  # costlier retention: worse
        ("ces", 5.0, 5.0, "muted"),
    ],
)
def test_delta_colour_follows_the_direction_that_is_better(key, value, prev, css):
    assert f'class="{css}"' in delta(value, prev, "num", key)
