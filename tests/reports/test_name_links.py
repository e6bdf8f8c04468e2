"""Every account name on team load and the backtest page is a link to the account's page
(issue 15, item 10; home's own names are covered in test_home_scopes.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from health.models import ChurnModel, Scorecard, ScorecardMeasure
from health.services import health_recompute
from tests.factories import AccountFactory, TaskFactory, UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


def _link(account) -> str:
    return f'<a href="{reverse("accounts:detail", args=[account.pk])}" dir="auto">{account.name}</a>'


def test_team_load_links_the_overdue_tasks_accounts(client, manager_user, csm_user):
    account = AccountFactory(owner=csm_user, name="Late & Co")
    TaskFactory(account=account, assignee=csm_user, due_date=timezone.now().date() - timedelta(days=3))
    client.force_login(manager_user)
    html = client.get(reverse("playbooks:team")).content.decode()
    assert _link(account).replace("&", "&amp;") in html


def test_backtest_links_the_highest_risk_accounts(client, manager_user):
    scorecard = Scorecard.objects.create(name="Default", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="usage_frequency", weight=30, points=[[0, 0], [20, 100]]
    )
    accounts = [AccountFactory(name=f"Risky {i}") for i in range(2)]
    UsageEventFactory(account=accounts[1], occurred_at=datetime.now(tz=UTC) - timedelta(days=1))
    usage_rollup_rebuild()
    health_recompute()
    ChurnModel.objects.create(
        features=["usage_frequency", "usage_frequency__missing"], coefficients=[-1.0, 0.0], intercept=0.0,
        means=[50.0, 0.0], scales=[10.0, 1.0],
        metrics={"auc_test": 0.8, "auc_scorecard_test": 0.7, "n_train": 10, "n_test": 5, "churned_train": 3},
    )  # fmt: skip
    client.force_login(manager_user)
    html = client.get(reverse("health:backtest")).content.decode()
    for account in accounts:
        assert _link(account) in html
