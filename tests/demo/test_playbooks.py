"""The playbooks demo step goes through the engine, so it obeys the churned-accounts rule: lost
customers get no tasks and are not moved back to "at risk"."""

import random
from datetime import date, timedelta

import pytest

from accounts.models import Account
from demo.context import DemoContext
from demo.playbooks import playbooks_demo_step
from health.models import HealthScore
from playbooks.models import Task
from tests.factories import AccountFactory, ContactFactory, UserFactory
from tests.factories.surveys import SurveyResponseFactory

pytestmark = pytest.mark.django_db


def test_demo_step_leaves_churned_accounts_alone():
    # given: live and churned accounts that all turn red and answer as detractors
    today = date.today()
    csm = UserFactory(role="csm")
    accounts = []
    for i in range(6):
        churned = i % 2 == 0
        account = AccountFactory(
            owner=csm, lifecycle_stage="churned" if churned else "mature", mrr=0 if churned else 800
        )
        HealthScore.objects.create(account=account, day=today - timedelta(1), score=70, band="green", measures={})
        HealthScore.objects.create(account=account, day=today, score=30, band="red", measures={})
        SurveyResponseFactory(account=account, contact=ContactFactory(account=account), score=2)
        accounts.append(account)
    ctx = DemoContext(seed=1, n_accounts=6, today=today, rng=random.Random(1), log=lambda m: None, extra={})
    # when
    playbooks_demo_step(ctx)
    # then: tasks (rescue, detractor call) for the live accounts only; churned ones stay churned
    live = {a.pk for a in accounts if a.lifecycle_stage == "mature"}
    assert set(Task.objects.values_list("account_id", flat=True)) == live
    assert Task.objects.filter(playbook__name="Detractor follow-up").count() == len(live)
    stages = dict(Account.objects.values_list("pk", "lifecycle_stage"))
    assert {stages[a.pk] for a in accounts if a.pk not in live} == {"churned"}
    assert {stages[pk] for pk in live} == {"at_risk"}
