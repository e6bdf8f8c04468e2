"""The nightly churn-model task: thin, idempotent (a second run the same day replaces the
model), and scheduled after the health recompute."""

import pytest
from django.conf import settings

from health.models import ChurnModel
from health.tasks import churn_model_train_task
from tests.factories.health import seeded_history
from tests.health.backtest.conftest import AS_OF, two_measures  # noqa: F401

pytestmark = pytest.mark.django_db


def test_nightly_task_trains_once_per_day(two_measures):  # noqa: F811
    assert churn_model_train_task.delay(AS_OF.isoformat()).get() is None  # no history yet
    seeded_history(scorecard=two_measures, as_of=AS_OF, accounts=80)
    first = churn_model_train_task.delay(AS_OF.isoformat()).get()
    second = churn_model_train_task.delay(AS_OF.isoformat()).get()
    assert ChurnModel.objects.get().pk == second != first
    schedule = settings.CELERY_BEAT_SCHEDULE["nightly-churn-model"]
    assert schedule["task"] == "health.tasks.churn_model_train_task"
    assert schedule["schedule"].hour == {3}
