"""Bulk reassignment (accounts.reassign): accounts move with or without their open tasks and
success plans (registered by playbooks and onboarding), one timeline entry per account, only the
mover's book, big jobs in chunks through Celery, and the undo of the last one."""

import pytest

from accounts import reassign
from accounts.choices import ActivityKind, ReassignmentStatus
from accounts.models import Account, Activity, ReassignmentJob
from accounts.reassign import reassign_steps, reassignment_run, reassignment_start, reassignment_undo
from core.choices import Role
from onboarding.models import SuccessPlan
from playbooks.choices import TaskStatus
from tests.factories import AccountFactory, UserFactory
from tests.factories.onboarding import SuccessMapVersionFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(manager_user):
    leaving = UserFactory(role=Role.CSM, manager=manager_user, username="leaving")
    taking = UserFactory(role=Role.CSM, manager=manager_user, username="taking")
    return leaving, taking


def _book(owner, n=3):
    return [AccountFactory(owner=owner) for _ in range(n)]


def test_the_floors_above_register_their_steps():
    assert [s.key for s in reassign_steps()][:3] == ["tasks", "success_plans", "opportunities"]


@pytest.mark.parametrize("with_steps", [True, False])
def test_accounts_move_with_or_without_their_tasks_and_plans(manager_user, team, with_steps):
    # given
    leaving, taking = team
    accounts = _book(leaving)
    helper = UserFactory(role=Role.CSM)
    mine = TaskFactory(account=accounts[0], assignee=leaving)
    helpers = TaskFactory(account=accounts[0], assignee=helper)
    done = TaskFactory(account=accounts[1], assignee=leaving, status=TaskStatus.DONE)
    plan = SuccessPlan.objects.create(account=accounts[2], map_version=SuccessMapVersionFactory(), owner=leaving)
    steps = ["tasks", "success_plans"] if with_steps else []
    # when
    job = reassignment_start(user=manager_user, to_owner=taking, account_ids=[a.pk for a in accounts], steps=steps)
    # then
    assert job.status == ReassignmentStatus.DONE and job.done == job.total == 3
    assert set(Account.objects.filter(owner=taking).values_list("pk", flat=True)) == {a.pk for a in accounts}
    for task in (mine, helpers, done, plan):
        task.refresh_from_db()
    assert (mine.assignee == taking) is with_steps
    assert helpers.assignee == helper and done.assignee == leaving  # someone else's, and a done task, stay
    assert (plan.owner == taking) is with_steps
    entries = Activity.objects.filter(kind=ActivityKind.CHANGE, metadata__source="reassignment")
    assert entries.count() == 3 and {e.author for e in entries} == {manager_user}
    assert entries.first().metadata["changes"][0]["before"] == leaving.get_full_name()


def test_undo_gives_everything_back(manager_user, team):
    leaving, taking = team
    accounts = _book(leaving)
    other_owner = UserFactory(role=Role.CSM, manager=manager_user)
    accounts.append(AccountFactory(owner=other_owner))
    task = TaskFactory(account=accounts[0], assignee=leaving)
    plan = SuccessPlan.objects.create(account=accounts[1], map_version=SuccessMapVersionFactory(), owner=leaving)
    job = reassignment_start(
        user=manager_user, to_owner=taking, account_ids=[a.pk for a in accounts], steps=["tasks", "success_plans"]
    )
    # when
    back = reassignment_undo(job=job, user=manager_user)
    # then
    assert back == 4
    owners = dict(Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list("pk", "owner_id"))
    assert owners == {a.pk: a.owner_id for a in accounts}
    task.refresh_from_db()
    plan.refresh_from_db()
    assert task.assignee == leaving and plan.owner == leaving
    job.refresh_from_db()
    assert job.status == ReassignmentStatus.UNDONE
    assert Activity.objects.filter(metadata__source="undo").count() == 4
    with pytest.raises(Exception, match="not undone|last"):
        reassignment_undo(job=job, user=manager_user)


def test_only_the_last_one_can_be_undone(manager_user, team):
    leaving, taking = team
    first = reassignment_start(user=manager_user, to_owner=taking, account_ids=[a.pk for a in _book(leaving, 1)])
    reassignment_start(user=manager_user, to_owner=leaving, account_ids=[a.pk for a in _book(taking, 1)])
    with pytest.raises(Exception, match="last"):
        reassignment_undo(job=first, user=manager_user)


def test_a_csm_moves_only_their_book(team):
    leaving, taking = team
    mine = _book(leaving, 2)
    theirs = _book(taking, 1)
    job = reassignment_start(user=leaving, to_owner=taking, account_ids=[a.pk for a in mine + theirs])
    assert job.total == 2 and job.skipped == 1
    with pytest.raises(Exception, match="book"):
        reassignment_start(user=leaving, to_owner=leaving, account_ids=[theirs[0].pk])


def test_readonly_users_cannot_be_new_owners(manager_user, team, readonly_user):
    with pytest.raises(Exception, match="active CSM"):
        reassignment_start(user=manager_user, to_owner=readonly_user, account_ids=[_book(team[0], 1)[0].pk])


def test_a_big_job_runs_in_chunks_through_celery_and_resumes(
    manager_user, team, monkeypatch, django_capture_on_commit_callbacks
):
    # given: small chunks and a small inline limit, so 7 accounts are a background job of 3 chunks
    monkeypatch.setattr(reassign, "CHUNK", 3)
    monkeypatch.setattr(reassign, "INLINE_LIMIT", 2)
    leaving, taking = team
    accounts = _book(leaving, 7)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        job = reassignment_start(user=manager_user, to_owner=taking, account_ids=[a.pk for a in accounts])
    # then
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (ReassignmentStatus.DONE, 7, 7)
    assert Account.objects.filter(owner=taking).count() == 7
    again = reassignment_run(job_id=job.pk)  # a retried task: nothing more happens
    assert again.status == ReassignmentStatus.DONE
    assert Activity.objects.filter(metadata__reassignment_id=job.pk).count() == 7


def test_the_query_count_does_not_grow_with_the_accounts(manager_user, team, django_assert_max_num_queries):
    leaving, taking = team
    accounts = _book(leaving, 40)
    for account in accounts:
        TaskFactory(account=account, assignee=leaving)
    ids = [a.pk for a in accounts]
    with django_assert_max_num_queries(25):
        job = reassignment_start(user=manager_user, to_owner=taking, account_ids=ids, steps=["tasks", "success_plans"])
    assert job.done == 40
    assert ReassignmentJob.objects.get(pk=job.pk).step_records["tasks"] == {
        str(leaving.pk): sorted(job.step_records["tasks"][str(leaving.pk)])
    }
