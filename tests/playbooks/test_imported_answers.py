"""Imported survey answers are history: they fire no playbook (docs/surveys.md)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from playbooks.models import Task
from tests.factories import AccountFactory
from tests.factories.surveys import SurveyResponseFactory

pytestmark = pytest.mark.django_db


def test_imported_detractors_fire_no_playbook(make_playbook):
    """The survey-answer trigger looked at every answer in its lookback, imported ones too: a
    team importing last month's answers got a task per detractor at the next run."""
    from surveys.imports import responses_import

    # given
    playbook = make_playbook("survey_answer", {"answer": "detractor", "lookback_days": 30})
    imported_at = AccountFactory(name="Imported Ltd")
    answered_at = AccountFactory(name="Live Ltd")
    responses_import(
        items=[{"kind": "nps", "account": imported_at, "score": 1, "submitted_at": timezone.now() - timedelta(days=3)}]
    )
    SurveyResponseFactory(account=answered_at, score=1, channel="email")

    # when: the nightly run (and a run for the imported account, as an event would start)
    call_command("run_playbooks")
    call_command("run_playbooks", "--account", imported_at.external_id)

    # then: only the customer's own answer made a task
    assert list(Task.objects.filter(playbook=playbook).values_list("account__name", flat=True)) == ["Live Ltd"]
