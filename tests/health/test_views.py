"""Pages and API: scorecard list/editor with the htmx preview, the account card and its
actions, the backtest page, /api/v1/health/scores/ and /api/v1/health/backtest/."""

import warnings
from datetime import UTC, datetime, timedelta

import pytest
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.formats import localize
from django.utils.translation import ngettext

from accounts.panels import PANELS
from health.models import CsmSentiment, HealthOverride, HealthScore, Scorecard, ScorecardMeasure
from health.services import health_recompute, today
from tests.factories.accounts import AccountFactory
from tests.factories.usage import UsageEventFactory
from tests.health.conftest import resolved_ticket
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored():
    scorecard = Scorecard.objects.create(name="Default", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="usage_frequency", weight=30, points=[[0, 0], [20, 100]]
    )
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="open_tickets", weight=10, points=[[0, 100], [10, 0]]
    )
    accounts = [AccountFactory(external_id=f"acme-{i}") for i in range(4)]
    for i, account in enumerate(accounts):
        for offset in range(i * 6):
            UsageEventFactory(
                account=account,
                occurred_at=datetime.combine(today() - timedelta(days=offset), datetime.min.time(), tzinfo=UTC),
            )
    usage_rollup_rebuild()
    resolved_ticket(accounts[0])  # tickets are tracked: "0 open" is data
    health_recompute()
    return scorecard, accounts


def test_scorecard_pages_are_admin_only(client, csm_user, scored, django_assert_max_num_queries):
    client.force_login(csm_user)
    assert client.get(reverse("health:scorecard_list")).status_code == 403
    assert client.get(reverse("health:scorecard_edit", args=[scored[0].pk])).status_code == 403


def test_scorecard_list_shows_bands(admin_client, scored, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("health:scorecard_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Default" in html and "Usage frequency (30)" in html


def test_scorecard_create_and_validation(admin_client, scored):
    url = reverse("health:scorecard_create")
    assert admin_client.get(url).status_code == 200
    data = {
        "name": "Enterprise",
        "tier": "",
        "segment": "Enterprise",
        "red_below": 30,
        "green_from": 60,
        "usage_frequency-on": "on",
        "usage_frequency-weight": 50,
        "usage_frequency-points": "0:0, 10:50, 20:100",
    }
    for key in (
        "breadth",
        "depth",
        "usage_trend",
        "open_tickets",
        "escalated_tickets",
        "days_to_renewal",
        "mrr_change",
        "csm_sentiment",
    ):
        data[f"{key}-weight"] = 10
        data[f"{key}-points"] = "0:0, 1:100"
    bad = dict(data, red_below=80, **{"usage_frequency-points": "zero:0"})
    response = admin_client.post(url, bad)
    assert response.status_code == 400
    assert "Green must start" in response.content.decode() and "both sides must be numbers" in response.content.decode()
    response = admin_client.post(url, dict(data, segment=""))
    assert response.status_code == 400 and "Set a tier or a segment" in response.content.decode()
    response = admin_client.post(url, data)
    assert response.status_code == 302
    sc = Scorecard.objects.get(name="Enterprise")
    assert list(sc.measures.values_list("measure_key", "weight", "points")) == [
        ("usage_frequency", 50, [[0.0, 0.0], [10.0, 50.0], [20.0, 100.0]])
    ]


def test_scorecard_preview_rescores_without_saving(admin_client, scored, htmx_headers):
    scorecard, accounts = scored
    url = reverse("health:scorecard_edit", args=[scorecard.pk])
    data = {
        "name": "Default",
        "is_default": "on",
        "red_below": 40,
        "green_from": 70,
        "preview": "1",
        "usage_frequency-on": "on",
        "usage_frequency-weight": 30,
        "usage_frequency-points": "0:0, 20:100",
        "open_tickets-on": "on",
        "open_tickets-weight": 10,
        "open_tickets-points": "0:100, 10:0",
    }
    for key in (
        "breadth",
        "depth",
        "usage_trend",
        "escalated_tickets",
        "days_to_renewal",
        "mrr_change",
        "csm_sentiment",
    ):
        data[f"{key}-weight"] = 10
        data[f"{key}-points"] = "0:0"
    admin_client.get(url)  # the page that holds the form, as a browser has it
    same = admin_client.post(url, data, **htmx_headers).content.decode()
    bands = sorted(HealthScore.objects.filter(day=today()).values_list("band", flat=True))
    assert 'data-testid="preview-accounts">4<' in same
    assert f'data-testid="preview-green">{bands.count("green")}<' in same
    # Everything green with a green edge at 0.
    edited = admin_client.post(url, dict(data, red_below=0, green_from=0), **htmx_headers).content.decode()
    assert 'data-testid="preview-green">4<' in edited and 'data-testid="preview-red">0<' in edited
    scorecard.refresh_from_db()
    assert scorecard.green_from == 70  # nothing saved


def _request(rf_user):
    request = RequestFactory().get("/")
    request.user = rf_user
    return request


def _card_html(rf_user, account):
    request = _request(rf_user)
    panel = PANELS["health"]
    return render_to_string(
        panel.template_name, {"account": account, "panel": panel.get_context(request, account), "request": request}
    )


def test_health_card_renders_with_constant_queries(csm_user, scored, django_assert_max_num_queries):
    scorecard, accounts = scored
    account = accounts[1]
    account.owner = csm_user  # a CSM writes their book only (accounts.access)
    account.save(update_fields=["owner"])
    with django_assert_max_num_queries(8):
        html = _card_html(csm_user, account)
    assert "Pulling it down" in html and "Usage frequency" in html and "health-chart-data" in html
    assert 'hx-post="/health/accounts/' in html  # CSM sees the forms


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
def test_card_counts_points_lost_with_their_decimal_and_a_whole_plural_count(csm_user, scored, language):
    """The points a measure costs are a decimal (12.5); gettext picks the plural form by a whole number
    (a float is deprecated: "Plural value must be an integer, got float")."""
    # given an account whose measures cost points with a decimal
    account = scored[1][1]
    account.owner = csm_user
    account.save(update_fields=["owner"])
    # when its card renders, with the deprecation as an error
    with warnings.catch_warnings(), translation.override(language):
        warnings.filterwarnings("error", message="Plural value", category=DeprecationWarning)
        panel = PANELS["health"].get_context(_request(csm_user), account)
        html = _card_html(csm_user, account)
    # then each row the card lists says what it costs, decimal and all
    pulling = panel["pulling_down"]
    assert pulling and any(r["drag"] != int(r["drag"]) for r in pulling)
    for r in pulling:
        assert isinstance(r["drag_n"], int) and r["drag_n"] == int(r["drag"])
        with translation.override(language):
            costs = ngettext(
                "scores %(score)s/100, costs %(points)s point",
                "scores %(score)s/100, costs %(points)s points",
                r["drag_n"],
            ) % {"score": floatformat(r["score"], 0), "points": localize(r["drag"])}
        assert costs.split("/100")[1] in html


def test_card_hides_forms_for_readonly(readonly_user, scored):
    html = _card_html(readonly_user, scored[1][1])
    assert "Override</button>" not in html and "Recompute" not in html


def test_card_actions(client, csm_user, readonly_user, scored, htmx_headers):
    account = scored[1][1]
    account.owner = csm_user  # a CSM writes their book only (accounts.access)
    account.save(update_fields=["owner"])
    client.force_login(readonly_user)
    client.get(reverse("accounts:detail", args=[account.pk]))  # the account page holds the health card's forms
    assert client.post(reverse("health:account_action", args=[account.pk, "recompute"])).status_code == 403
    client.force_login(csm_user)
    client.get(reverse("accounts:detail", args=[account.pk]))
    url = reverse("health:account_action", args=[account.pk, "override"])
    bad = client.post(url, {"score": 120, "reason": "", "expires_on": today().isoformat()}, **htmx_headers)
    assert bad.status_code == 400 and "Pick a day after today" in bad.content.decode()
    ok = client.post(
        url,
        {"score": 90, "reason": "Renewal signed", "expires_on": (today() + timedelta(days=10)).isoformat()},
        **htmx_headers,
    )
    assert ok.status_code == 200 and 'data-testid="override-active"' in ok.content.decode()
    assert HealthScore.objects.get(account=account, day=today()).score == 90
    override = HealthOverride.objects.get(account=account)
    cleared = client.post(
        reverse("health:account_action", args=[account.pk, "clear-override"]), {"override": override.pk}, **htmx_headers
    )
    assert cleared.status_code == 200 and HealthScore.objects.get(account=account, day=today()).source == "measures"
    sent = client.post(
        reverse("health:account_action", args=[account.pk, "sentiment"]),
        {"value": 2, "note": "Champion left"},
        **htmx_headers,
    )
    assert sent.status_code == 200 and CsmSentiment.objects.get(account=account).value == 2
    assert (
        client.post(reverse("health:account_action", args=[account.pk, "sentiment"]), {"value": 9}).status_code == 400
    )
    plain = client.post(reverse("health:account_action", args=[account.pk, "recompute"]), {"next": "/health/backtest/"})
    assert plain.status_code == 302
    assert client.post(reverse("health:account_action", args=[account.pk, "explode"])).status_code == 404


def test_backtest_page_roles(client, csm_user, manager_user, scored, django_assert_max_num_queries):
    client.force_login(csm_user)
    assert client.get(reverse("health:backtest")).status_code == 403
    client.force_login(manager_user)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("health:backtest") + "?w_usage_frequency=0")
    assert response.status_code == 200 and "Score 30 days before" in response.content.decode()
    assert client.post(reverse("health:backtest")).status_code == 403  # only admins retrain
    bad = client.get(reverse("health:backtest") + "?w_usage_frequency=abc")
    assert "is not a number" in bad.content.decode()


def test_scores_api(api_read, scored):
    scorecard, accounts = scored
    response = api_read.get("/api/v1/health/scores/")
    assert response.status_code == 200
    rows = {r["account"]: r for r in response.json()["results"]}
    assert set(rows) == {a.external_id for a in accounts}
    row = rows["acme-2"]
    snap = HealthScore.objects.get(account=accounts[2], day=today())
    assert row["score"] == snap.score and row["band"] == snap.band
    freq = next(m for m in row["measures"] if m["key"] == "usage_frequency")
    assert freq == {
        "key": "usage_frequency",
        "label": "Usage frequency",
        "value": 12.0,
        "score": 60.0,
        "weight": 30,
        "contribution": 45.0,
    }
    assert (
        api_read.get("/api/v1/health/scores/", {"as_of": (today() - timedelta(days=1)).isoformat()}).json()["results"]
        == []
    )
    bad = api_read.get("/api/v1/health/scores/", {"as_of": "yesterday"})
    assert bad.status_code == 400 and "as_of" in bad.json()
    assert (
        len(api_read.get("/api/v1/health/scores/", {"band": "green"}).json()["results"])
        == HealthScore.objects.filter(band="green").count()
    )


def test_backtest_api(api_read, scored):
    response = api_read.get("/api/v1/health/backtest/", {"w_usage_frequency": 5})
    assert response.status_code == 200
    body = response.json()
    assert [h["horizon_days"] for h in body["horizons"]] == [30, 60, 90] and body["model"] is None
    assert api_read.get("/api/v1/health/backtest/", {"w_nps": -1}).status_code == 400


def test_scorecard_delete_has_its_own_url_and_spares_the_default(admin_client, scored):
    # given: the default scorecard and another one
    default = Scorecard.objects.get(is_default=True)
    other = Scorecard.objects.create(name="Key accounts", tier="key")
    admin_client.get(reverse("health:scorecard_edit", args=[other.pk]))  # the page holds the delete button
    # when / then: the default stays, with a message on its page
    refused = admin_client.post(reverse("health:scorecard_delete", args=[default.pk]))
    assert refused.status_code == 302 and refused.url == reverse("health:scorecard_edit", args=[default.pk])
    assert Scorecard.objects.filter(pk=default.pk).exists()
    deleted = admin_client.post(reverse("health:scorecard_delete", args=[other.pk]))
    assert deleted.status_code == 302 and deleted.url == reverse("health:scorecard_list")
    assert not Scorecard.objects.filter(pk=other.pk).exists()
    assert admin_client.get(reverse("health:scorecard_delete", args=[other.pk])).status_code == 405
