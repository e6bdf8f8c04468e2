"""The event-measure editor (health.views_events) and the insufficient-history flag on the
API and the account card."""

from datetime import timedelta

import pytest
from django.urls import reverse

from health.models import EventMeasure, Scorecard, ScorecardMeasure
from health.services import health_recompute, today
from tests.factories.accounts import AccountFactory, SubscriptionFactory
from tests.factories.health import at
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


def test_admin_creates_edits_and_deletes_an_event_measure(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    UsageEventFactory(event="report_viewed", occurred_at=at(today()))
    usage_rollup_rebuild()
    with django_assert_max_num_queries(15):
        page = client.get(reverse("health:event_measures"))
    assert page.status_code == 200
    assert "report_viewed · 1" in page.content.decode()  # the events seen, as suggestions
    response = client.post(
        reverse("health:event_measures"),
        {"label": "Reports", "event_names": "report_viewed, report_exported", "kind": "rate_per_user"},
    )
    assert response.status_code == 302
    em = EventMeasure.objects.get()
    assert (em.slug, em.event_names, em.kind, em.calibrated) == (
        "reports",
        ["report_viewed", "report_exported"],
        "rate_per_user",
        False,
    )
    # It is offered in the scorecard editor.
    scorecard = Scorecard.objects.create(name="S", is_default=True)
    assert "event:reports" in client.get(reverse("health:scorecard_edit", args=[scorecard.pk])).content.decode()
    ScorecardMeasure.objects.create(scorecard=scorecard, measure_key="event:reports", weight=10, points=[[0, 0]])
    response = client.post(
        reverse("health:event_measure_edit", args=[em.pk]),
        {"label": "Reports read", "event_names": "report_viewed", "kind": "count", "calibrated": "on"},
    )
    assert response.status_code == 302
    em.refresh_from_db()
    assert (em.slug, em.label, em.event_names, em.calibrated) == ("reports", "Reports read", ["report_viewed"], True)
    client.get(reverse("health:event_measures"))
    response = client.post(reverse("health:event_measure_delete", args=[em.pk]))
    assert response.status_code == 302
    assert not EventMeasure.objects.exists()
    assert not ScorecardMeasure.objects.filter(measure_key="event:reports").exists()


def test_bad_input_lands_on_the_field(client, admin_user):
    client.force_login(admin_user)
    client.get(reverse("health:event_measures"))
    response = client.post(reverse("health:event_measures"), {"label": "X", "event_names": " , ", "kind": "count"})
    assert response.status_code == 400
    assert "Name at least one event." in response.content.decode()
    response = client.post(reverse("health:event_measures"), {"label": "X", "event_names": "a__b", "kind": "count"})
    assert response.status_code == 400
    assert not EventMeasure.objects.exists()


def test_not_for_a_csm(client, csm_user):
    client.force_login(csm_user)
    assert client.get(reverse("health:event_measures")).status_code == 403
    assert (
        client.post(reverse("health:event_measures"), {"label": "X", "event_names": "a", "kind": "count"}).status_code
        == 403
    )


def test_three_days_of_history_is_flagged_on_the_api_and_the_card(client, admin_user):
    scorecard = Scorecard.objects.create(name="Default", is_default=True)
    for key in ("activity_level", "history_days"):
        ScorecardMeasure.objects.create(scorecard=scorecard, measure_key=key, weight=10, points=[[0, 0], [100, 100]])
    fresh = AccountFactory(external_id="fresh", created_at=at(today() - timedelta(days=2)))
    SubscriptionFactory(account=fresh, start_date=today() - timedelta(days=2))
    old = AccountFactory(external_id="old", created_at=at(today() - timedelta(days=200)))
    for offset in range(3):
        UsageEventFactory(account=fresh, occurred_at=at(today() - timedelta(days=offset)))
        UsageEventFactory(account=old, occurred_at=at(today() - timedelta(days=offset)))
    usage_rollup_rebuild()
    health_recompute()
    client.force_login(admin_user)
    items = {i["account"]: i for i in client.get("/api/v1/health/scores/").json()["results"]}
    assert items["fresh"]["insufficient_history"] is True and items["fresh"]["history_days"] == 3
    assert items["old"]["insufficient_history"] is False
    page = client.get(reverse("accounts:detail", args=[fresh.pk])).content.decode()
    assert 'data-testid="insufficient-history"' in page
    assert "Insufficient history · 3 days" in page
