"""The account header's health figure follows an override without a reload (issue 15, item 7)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from health.models import HealthOverride, Scorecard, ScorecardMeasure
from health.services import health_recompute, today
from tests.factories.accounts import AccountFactory
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(csm_user):
    scorecard = Scorecard.objects.create(name="Default", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="usage_frequency", weight=30, points=[[0, 0], [20, 100]]
    )
    account = AccountFactory(owner=csm_user)
    for offset in range(20):
        UsageEventFactory(
            account=account,
            occurred_at=datetime.combine(today() - timedelta(days=offset), datetime.min.time(), tzinfo=UTC),
        )
    usage_rollup_rebuild()
    health_recompute()
    account.refresh_from_db()
    assert account.health_score == 100
    return account


def header(html: str, oob: bool) -> str:
    attrs = r'id="account-health-kpi" hx-swap-oob="true"' if oob else r'id="account-health-kpi"'
    found = re.search(rf'<div class="card kpi" {attrs}>(.*?)</div>\s*</div>', html, re.S)
    assert found, "no health figure in the header" + (" out-of-band" if oob else "")
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_an_override_answers_the_header_out_of_band(csm_client, account, htmx_headers):
    page = csm_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert header(page, oob=False).startswith("Health 100")
    response = csm_client.post(
        reverse("health:account_action", args=[account.pk, "override"]),
        {"score": 25, "reason": "Champion left", "expires_on": (today() + timedelta(days=10)).isoformat()},
        **htmx_headers,
    )
    assert response.status_code == 200
    assert header(response.content.decode(), oob=True).startswith("Health 25")
    assert "Red" in header(response.content.decode(), oob=True)
    # and clearing it puts the measured score back in the header
    csm_client.get(reverse("accounts:detail", args=[account.pk]))
    cleared = csm_client.post(
        reverse("health:account_action", args=[account.pk, "clear-override"]),
        {"override": HealthOverride.objects.get().pk},
        **htmx_headers,
    )
    assert header(cleared.content.decode(), oob=True).startswith("Health 100")


def test_a_refused_override_changes_no_header(csm_client, account, htmx_headers):
    csm_client.get(reverse("accounts:detail", args=[account.pk]))
    bad = csm_client.post(
        reverse("health:account_action", args=[account.pk, "override"]),
        {"score": 25, "reason": "", "expires_on": today().isoformat()},
        **htmx_headers,
    )
    assert bad.status_code == 400 and "account-health-kpi" not in bad.content.decode()
