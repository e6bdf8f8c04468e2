"""The backtest page's suggested weights and the one-click Apply (admins only, CSRF, htmx)."""

import pytest
from django.urls import reverse

from health.models import Scorecard
from tests.factories.health import seeded_history
from tests.health.backtest.conftest import two_measures  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def history_today(two_measures):  # noqa: F811
    from health.services import today

    seeded_history(scorecard=two_measures, as_of=today())
    return two_measures


def test_page_shows_the_suggestion_per_measure(client, manager_user, history_today, django_assert_max_num_queries):
    client.force_login(manager_user)
    with django_assert_max_num_queries(24):  # flat: no query per account or measure
        html = client.get(reverse("health:backtest")).content.decode()
    assert 'data-measure="noise" class="nodata"' in html and "dropped: no signal" in html
    assert 'data-testid="auc-after"' in html
    assert 'data-testid="apply"' not in html  # managers read, admins apply
    assert client.post(reverse("health:suggestion_apply", args=[history_today.pk]), {"version": 1}).status_code == 403


def test_admin_applies_with_htmx_and_a_second_click_is_refused(client, admin_user, history_today):
    client.force_login(admin_user)
    page = client.get(reverse("health:backtest")).content.decode()
    assert 'data-testid="apply"' in page and "Apply as version 2" in page
    url = reverse("health:suggestion_apply", args=[history_today.pk])
    response = client.post(url, {"version": 1}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="applied"' in html and 'id="suggestion"' in html and "<html" not in html
    new = Scorecard.objects.current().get()
    assert new.version == 2 and dict(new.measures.values_list("measure_key", "weight")) == {"signal": 100}
    # The audit trail has who made the version, the retired one's change and the new measure.
    from core.audit.models import AuditEvent

    events = AuditEvent.objects.filter(actor=admin_user)
    assert events.filter(action="create", object_type__icontains="scorecard", object_id=str(new.pk)).exists()
    assert events.filter(action="update", object_id=str(history_today.pk)).exists()
    assert events.filter(action="create", object_type__icontains="scorecardmeasure").count() == 1
    again = client.post(url, {"version": 1}, headers={"HX-Request": "true"})
    assert again.status_code == 400 and "not the current one" in again.content.decode()
    assert client.post(url, {"version": "x"}).status_code == 400
    assert Scorecard.objects.count() == 2


def test_apply_needs_the_csrf_token(client, admin_user, history_today):
    client.force_login(admin_user)
    response = client.post(reverse("health:suggestion_apply", args=[history_today.pk]), {"version": 1})
    assert response.status_code == 403
    assert Scorecard.objects.count() == 1
