"""The portfolio and the account page in the base currency, parents and their subsidiaries."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.currency import account_base_mrr_refresh, fx_rates_upsert
from tests.factories import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

PORTFOLIO = reverse("accounts:portfolio")


def _paying(name, mrr, currency="USD", **kwargs):
    account = AccountFactory(name=name, currency=currency, mrr=Decimal(mrr), **kwargs)
    SubscriptionFactory(account=account, mrr=Decimal(mrr), currency=currency, start_date=date(2024, 1, 1))
    return account


@pytest.fixture
def group(csm_user):
    """Parent (USD 3,000/mo) with a EUR child (1,000/mo at 1.10) and a GBP child (500/mo, no rate)."""
    month = timezone.now().date().replace(day=1)
    fx_rates_upsert(rates=[{"currency": "EUR", "month": f"{month:%Y-%m}", "rate": "1.10"}])
    parent = _paying("Globex Group", 3000, owner=csm_user, health_score=80)
    eur = _paying("Globex GmbH", 1000, "EUR", parent=parent, owner=csm_user, health_score=40)
    gbp = _paying("Globex Ltd", 500, "GBP", parent=parent, owner=csm_user, health_score=60)
    _paying("Initech", 2000, owner=csm_user)
    account_base_mrr_refresh()
    return parent, eur, gbp


def test_portfolio_adds_base_currency_and_warns_about_a_missing_rate(csm_client, group):
    response = csm_client.get(PORTFOLIO)
    summary = response.context["summary"]
    # 3,000 + 1,000 x 1.10 + 2,000 = 6,100 a month; the GBP child is left out, and said so
    assert summary["arr"] == Decimal("73200.00")
    assert summary["unconverted"] == 1
    month = timezone.now().date().replace(day=1)
    assert [(c, m) for c, m in summary["missing_rates"]] == [("GBP", month)]
    html = response.content.decode()
    assert "portfolio-fx-warning" in html and f"GBP {month:%Y-%m}" in html
    names = [a.name for a in response.context["object_list"]]
    assert names == ["Globex Group", "Initech", "Globex GmbH", "Globex Ltd"]  # base ARR, unknown last


def test_portfolio_rolls_subsidiaries_up_to_their_parents(csm_client, group, django_assert_max_num_queries):
    response = csm_client.get(PORTFOLIO, {"rollup": "parents"})
    rows = {a.name: a for a in response.context["object_list"]}
    assert list(rows) == ["Globex Group", "Initech"]
    assert rows["Globex Group"].rollup_arr_base == Decimal("49200.00")  # (3,000 + 1,100) x 12
    assert rows["Globex Group"].children_n == 2
    assert response.context["summary"]["arr"] == Decimal("73200.00")  # the same book, rolled up
    assert "with 2 subsidiaries" in response.content.decode()
    with django_assert_max_num_queries(14):
        csm_client.get(PORTFOLIO, {"rollup": "parents", "page": 1})


def test_parent_page_lists_children_with_rolled_up_arr_and_health(csm_client, group, django_assert_max_num_queries):
    parent, eur, gbp = group
    url = reverse("accounts:detail", args=[parent.pk])
    response = csm_client.get(url)
    html = response.content.decode()
    assert [c.name for c in response.context["children"]] == ["Globex GmbH", "Globex Ltd"]
    rollup = response.context["rollup"]
    assert rollup["arr_base"] == Decimal("49200.00")
    # health weighted by base ARR: (80 x 3,000 + 40 x 1,100) / 4,100; the GBP child has no weight
    assert rollup["health"] == round((80 * 3000 + 40 * 1100) / 4100)
    assert rollup["unconverted"] == 1
    assert "subsidiaries-card" in html and "$49k" in html
    small = len(response.context["children"])
    for i in range(10):
        _paying(f"Globex {i}", 100, parent=parent)
    with django_assert_max_num_queries(60):
        csm_client.get(url)
    assert small == 2


def test_account_page_shows_its_currency_and_the_base_figure(csm_client, group):
    _parent, eur, gbp = group
    html = csm_client.get(reverse("accounts:detail", args=[eur.pk])).content.decode()
    assert "$13k" in html  # 12,000 EUR a year at 1.10 = 13,200
    assert "€12,000" in html and "ARR in EUR" in html
    html = csm_client.get(reverse("accounts:detail", args=[gbp.pk])).content.decode()
    month = timezone.now().date().replace(day=1)
    assert f"GBP {month:%Y-%m}" in html  # no rate: the base figure is "—" with the reason
