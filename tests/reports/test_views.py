import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from core.choices import Role
from reports.services import reports_refresh
from tests.factories import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

PAGES = ["reports:home", "reports:dashboard", "reports:scorecards", "reports:cohorts"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            Role.READONLY,
            {"reports:home": 200, "reports:dashboard": 200, "reports:scorecards": 403, "reports:cohorts": 200},
        ),
        (Role.CSM, {"reports:home": 200, "reports:dashboard": 200, "reports:scorecards": 403, "reports:cohorts": 200}),
        (Role.MANAGER, dict.fromkeys(PAGES, 200)),
        (Role.ADMIN, dict.fromkeys(PAGES, 200)),
    ],
)
def test_role_permissions(client, user_for_role, small_book, role, expected):
    client.force_login(user_for_role(role))
    for name, status in expected.items():
        assert client.get(reverse(name)).status_code == status, name


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_a_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_home_is_at_the_root_and_shows_my_book(client, csm_user, small_book):
    client.force_login(csm_user)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme" in html  # red band: at risk
    assert "Crane" not in html  # the manager's account
    assert [a.name for a in response.context["at_risk"]] == ["Acme"]


def test_home_lists_my_open_tasks(client, csm_user, manager_user, small_book, today):
    from playbooks.models import Task

    Task.objects.create(
        account=small_book["a"], title="Call Acme", due_date=today - timedelta(days=1), assignee=csm_user
    )
    Task.objects.create(account=small_book["b"], title="Done already", due_date=today, assignee=csm_user, status="done")
    Task.objects.create(account=small_book["c"], title="Not mine", due_date=today, assignee=manager_user)
    client.force_login(csm_user)
    response = client.get("/")
    assert [t.title for t in response.context["tasks"]] == ["Call Acme"]
    export = client.get("/", {"export": "tasks"}).content.decode()
    assert "Call Acme" in export and "Not mine" not in export


def test_home_renewals_next_90_days(client, manager_user, small_book):
    client.force_login(manager_user)
    response = client.get("/")
    assert [a.name for a in response.context["renewals"]] == ["Delta"]  # renews in 30 days


def test_dashboard_numbers(client, manager_user, small_book):
    client.force_login(manager_user)
    response = client.get(reverse("reports:dashboard"), {"period": "last_month"})
    m = response.context["m"]
    assert (m["mrr_start"], m["mrr_end"], m["mrr_new"], m["mrr_expansion"], m["mrr_churned"]) == (
        600,
        510,
        150,
        60,
        300,
    )
    html = response.content.decode()
    assert 'data-chart="chart-waterfall"' in html and 'id="chart-waterfall"' in html
    assert 'data-chart="chart-mrr"' in html


def test_dashboard_cs_roi_only_for_the_whole_book(client, manager_user, small_book):
    from accounts.models import CostEntry

    client.force_login(manager_user)
    CostEntry.objects.create(
        period_start=small_book["last"], period_end=small_book["month"], amount=100, category="staff"
    )
    roi = client.get(reverse("reports:dashboard"), {"period": "last_month"}).context["roi"]
    days = (small_book["month"] - small_book["last"]).days
    # retained MRR of the starting book: 600 - 0 - 300 = 300; expansion 60; both x 12 x days / 365
    assert roi["retention_revenue"] == (Decimal(300) * 12 * days / 365).quantize(Decimal("0.01"))
    assert roi["expansion_revenue"] == (Decimal(60) * 12 * days / 365).quantize(Decimal("0.01"))
    assert roi["cost"] == 100
    sliced = client.get(reverse("reports:dashboard"), {"period": "last_month", "segment": "SMB"})
    assert sliced.context["roi"] is None and "whole book only" in sliced.content.decode()


def test_dashboard_filters_by_segment_and_csm(client, manager_user, csm_user, small_book):
    client.force_login(manager_user)
    response = client.get(reverse("reports:dashboard"), {"period": "last_month", "segment": "Enterprise"})
    assert response.context["m"]["mrr_start"] == 300
    response = client.get(reverse("reports:dashboard"), {"period": "last_month", "csm": csm_user.pk})
    assert response.context["m"]["mrr_start"] == 300 and response.context["m"]["mrr_expansion"] == 60


def test_dashboard_custom_period_and_bad_dates(client, manager_user, small_book):
    client.force_login(manager_user)
    last, month = small_book["last"], small_book["month"]
    ok = client.get(reverse("reports:dashboard"), {"period": "custom", "start": last, "end": month})
    assert ok.context["period"].start == last and ok.context["m"]["mrr_start"] == 600
    bad = client.get(reverse("reports:dashboard"), {"period": "custom", "start": month, "end": last})
    assert bad.status_code == 200
    assert "Must be after the start" in bad.content.decode()
    assert bad.context["period"].key == "last_month"  # falls back, and says why


def test_htmx_gets_the_partial(client, manager_user, small_book, htmx_headers):
    client.force_login(manager_user)
    response = client.get(reverse("reports:dashboard"), {"period": "mtd"}, **htmx_headers)
    html = response.content.decode()
    assert "<html" not in html and "kpi-grid" in html
    for name in ("reports:scorecards", "reports:cohorts"):
        assert "<html" not in client.get(reverse(name), **htmx_headers).content.decode()


def test_csv_export_of_each_table(client, manager_user, small_book):
    client.force_login(manager_user)
    exports = {
        "reports:dashboard": [
            "metrics",
            "waterfall",
            "mrr",
            "health",
            "health_trend",
            "renewals",
            "nps",
            "features",
            "roi",
        ],
        "reports:scorecards": ["csm", "segment"],
        "reports:cohorts": ["cohorts"],
        "reports:home": ["at_risk", "renewals", "tasks"],
    }
    for name, tables in exports.items():
        for table in tables:
            response = client.get(reverse(name), {"period": "last_month", "export": table})
            assert response.status_code == 200, (name, table)
            assert response["Content-Type"].startswith("text/csv")
            rows = list(csv.reader(io.StringIO(response.content.decode())))
            assert rows[0], (name, table)
    waterfall = client.get(reverse("reports:dashboard"), {"period": "last_month", "export": "waterfall"})
    rows = dict(list(csv.reader(io.StringIO(waterfall.content.decode())))[1:])
    assert rows["mrr_start"] == "600.00" and rows["mrr_end"] == "510.00"
    assert client.get(reverse("reports:dashboard"), {"export": "nope"}).status_code == 400


def test_scorecards_per_csm_and_segment(client, manager_user, csm_user, small_book):
    client.force_login(manager_user)
    response = client.get(reverse("reports:scorecards"), {"period": "last_month"})
    by_csm = {r["label"]: r for r in response.context["by_csm"]}
    assert by_csm[str(csm_user)]["now"]["nrr"] == round((300 + 60) / 300, 4)
    assert by_csm[str(manager_user)]["now"]["logo_churn_rate"] == 1.0
    by_segment = {r["label"]: r for r in response.context["by_segment"]}
    assert set(by_segment) == {"SMB", "Enterprise"}


def test_cohorts_page(client, csm_user, small_book):
    client.force_login(csm_user)
    response = client.get(reverse("reports:cohorts"), {"measure": "revenue"})
    rows = {r["cohort"]: r for r in response.context["rows"]}
    assert rows[small_book["last"]]["size"] == 1  # Delta started paying last month
    assert rows[small_book["last"]]["columns"][0]["revenue_retention"] == 1.0


def _grow(n):
    for i in range(n):
        account = AccountFactory(segment="SMB", health_band="green", health_score=70)
        SubscriptionFactory(account=account, mrr=10 + i, start_date=account.created_at.date() - timedelta(days=400))


@pytest.mark.parametrize("refreshed", [False, True])
@pytest.mark.parametrize("name", PAGES)
def test_query_count_does_not_grow_with_data(
    client, manager_user, small_book, today, django_assert_max_num_queries, name, refreshed
):
    client.force_login(manager_user)
    if refreshed:
        reports_refresh(as_of=today)
    client.get(reverse(name))  # warm the session
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(60) as before:
        client.get(reverse(name))
    _grow(30)
    if refreshed:
        reports_refresh(as_of=today)
    cache.clear()
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse(name))


def test_large_book_custom_period_leaves_live_usage_out(client, manager_user, small_book, monkeypatch):
    from reports.selectors import base

    client.force_login(manager_user)
    monkeypatch.setattr(base, "LIVE_USAGE_MAX_ACCOUNTS", 2)  # the book has 4 accounts
    last, month = small_book["last"], small_book["month"]
    response = client.get(reverse("reports:dashboard"), {"period": "custom", "start": last, "end": month})
    assert response.context["with_usage"] is False and response.context["features"] is None
    assert "pre-aggregated nightly for the preset periods" in response.content.decode()
    assert response.context["m"]["mrr_start"] == 600  # the revenue figures are still live and exact


def test_seed_demo_step_builds_the_pre_aggregates(small_book, today):
    import random

    from demo.context import DemoContext
    from demo.run import demo_steps
    from reports.models import RefreshLog

    steps = demo_steps()
    step = dict(steps)["reports"]
    assert [name for name, _ in steps][-1] == "reports"  # after every floor's data
    step(DemoContext(seed=1, n_accounts=4, today=today, rng=random.Random(1), log=lambda m: None))
    assert RefreshLog.objects.get().as_of == today
