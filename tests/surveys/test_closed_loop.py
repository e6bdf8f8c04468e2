"""The closed loop: a detractor (or CSAT 1-2) answer in the widget becomes a task for the
account's CSM, through surveys.signals.response_recorded and the playbooks' Celery task."""

import json

import pytest

from demo.playbooks import default_playbooks_create
from playbooks.models import Task
from playbooks.services import playbook_save
from tests.factories import AccountFactory, ContactFactory
from tests.factories.playbooks import TaskTemplateFactory
from tests.factories.surveys import SurveyFactory, SurveyWorkspaceFactory

pytestmark = pytest.mark.django_db
ORIGIN = "https://app.example.com"


def answer(client, workspace, user_id, score, comment=""):
    ident = {"user_id": user_id, "user_hash": workspace.user_hash(user_id)}
    post = lambda path, body: client.post(  # noqa: E731
        f"/widget/{workspace.key}/{path}/",
        data=json.dumps({**ident, **body}),
        content_type="text/plain",
        HTTP_ORIGIN=ORIGIN,
    )
    token = post("eligibility", {}).json()["token"]
    return post("answer", {"token": token, "score": score, "comment": comment})


@pytest.mark.parametrize(("kind", "score", "expect_task"), [("nps", 3, True), ("nps", 9, False), ("csat", 2, True)])
def test_unhappy_answer_becomes_a_task_for_the_csm(
    client, csm_user, kind, score, expect_task, django_capture_on_commit_callbacks
):
    # given the default playbooks ("Detractor follow-up"), one for low CSAT, an account owned by a CSM
    default_playbooks_create()
    playbook_save(
        name="Low CSAT",
        trigger_type="survey_answer",
        trigger_params={"answer": "low_csat"},
        actions=[{"type": "task", "template": TaskTemplateFactory().pk}],
        enabled=True,
        cooldown_days=0,
    )
    workspace = SurveyWorkspaceFactory()
    SurveyFactory(workspace=workspace, kind=kind)
    account = AccountFactory(owner=csm_user)
    ContactFactory(account=account, external_id="u-1")
    # when the customer answers
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(client, workspace, "u-1", score, "Too slow")
    assert response.status_code == 200
    # then (Celery eager here, a worker within seconds in production) the CSM has a task, or not
    tasks = Task.objects.filter(account=account)
    assert tasks.exists() is expect_task
    if expect_task:
        assert tasks.get().assignee == csm_user
