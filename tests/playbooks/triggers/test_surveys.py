"""The survey answer trigger (playbooks/triggers/surveys.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyResponseFactory
from tests.playbooks.triggers.support import fired

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


@pytest.mark.parametrize(
    ("answer", "kind", "fires", "quiet"),
    [("detractor", "nps", 3, 8), ("passive", "nps", 7, 9), ("promoter", "nps", 10, 6), ("low_csat", "csat", 2, 4)],
)
def test_survey_answer(make_playbook, answer, kind, fires, quiet):
    hit, miss = AccountFactory(), AccountFactory()
    contact = ContactFactory(account=hit, name="Jane Doe")
    SurveyResponseFactory(account=hit, contact=contact, kind=kind, score=fires, comment="Exports keep failing")
    SurveyResponseFactory(account=miss, kind=kind, score=quiet)
    pb = make_playbook("survey_answer", {"answer": answer, "lookback_days": 3})
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [hit.pk]
    assert f"{kind.upper()} {fires}" in tasks[hit.pk]
    assert "from Jane Doe" in tasks[hit.pk] and '"Exports keep failing"' in tasks[hit.pk]


def test_survey_answer_ignores_old_answers(make_playbook):
    account = AccountFactory()
    SurveyResponseFactory(account=account, score=2, submitted_at=timezone.now() - timedelta(days=10))
    pb = make_playbook("survey_answer", {"answer": "detractor", "lookback_days": 3})
    assert fired(pb, as_of=TODAY) == {}
