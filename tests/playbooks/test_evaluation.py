"""Conditions, cooldown, re-enrolment caps, the open-task rule, exactly-once, and the run log."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from playbooks.evaluation import playbook_evaluate
from playbooks.models import Enrolment, PlaybookRun, Task
from tests.factories import AccountFactory, ContactFactory
from tests.factories.onboarding import PersonaFactory
from tests.factories.playbooks import TaskFactory
from tests.factories.surveys import SurveyResponseFactory

TODAY = timezone.now().date()


def renewing(**kwargs):
    kwargs.setdefault("renewal_date", TODAY + timedelta(days=30))
    kwargs.setdefault("mrr", Decimal("1000"))
    return AccountFactory(**kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({"tiers": ["key"]}, {"key_smb"}),
        ({"segments": ["Enterprise"]}, {"std_ent"}),
        ({"arr_min": 20000}, {"std_ent"}),
        ({"arr_max": 20000}, {"key_smb", "adoption"}),
        ({"lifecycle_stages": ["adoption"]}, {"adoption"}),
        ({"personas": "admin"}, {"key_smb"}),
        ({"tiers": ["key", "standard"], "segments": ["SMB"]}, {"key_smb", "adoption"}),
    ],
)
def test_conditions(make_playbook, conditions, expected):
    accounts = {
        "key_smb": renewing(tier="key", segment="SMB", mrr=Decimal("1000")),
        "std_ent": renewing(tier="standard", segment="Enterprise", mrr=Decimal("5000")),
        "adoption": renewing(tier="standard", segment="SMB", lifecycle_stage="adoption", mrr=Decimal("500")),
    }
    persona = PersonaFactory(name="Admin")
    ContactFactory(account=accounts["key_smb"], persona=persona)
    if conditions.get("personas") == "admin":
        conditions = {"personas": [persona.pk]}
    pb = make_playbook("renewal_due", {"days": 90}, conditions=conditions)
    playbook_evaluate(playbook=pb, as_of=TODAY)
    fired = set(Task.objects.values_list("account_id", flat=True))
    assert fired == {accounts[k].pk for k in expected}


@pytest.mark.django_db
def test_rerun_creates_nothing_new_and_logs_why(make_playbook):
    account = renewing()
    pb = make_playbook("renewal_due", {"days": 90})
    first = playbook_evaluate(playbook=pb, as_of=TODAY)
    second = playbook_evaluate(playbook=pb, as_of=TODAY)
    assert (first.matched, first.enrolled) == (1, 1)
    assert second.enrolled == 0 and second.skipped == {"open_task": 1}
    assert Task.objects.count() == 1 and Enrolment.objects.count() == 1
    # the same occurrence after the task is done: still once (the enrolment key)
    Task.objects.update(status="done")
    third = playbook_evaluate(playbook=pb, as_of=TODAY)
    assert third.enrolled == 0 and third.skipped == {"already_enrolled": 1}
    assert Task.objects.count() == 1
    runs = list(PlaybookRun.objects.order_by("id"))
    assert [r.enrolled for r in runs] == [1, 0, 0] and all(r.status == "done" for r in runs)
    enrolment = Enrolment.objects.get()
    assert enrolment.account == account and enrolment.run == runs[0]
    assert enrolment.reason.startswith("renews on") and enrolment.outcome[0].startswith("task #")


@pytest.mark.django_db
def test_cooldown_and_cap(make_playbook):
    account = AccountFactory()
    pb = make_playbook("survey_answer", {"answer": "detractor", "lookback_days": 30}, cooldown_days=10)
    SurveyResponseFactory(account=account, score=2, submitted_at=timezone.now() - timedelta(days=1))
    playbook_evaluate(playbook=pb, as_of=TODAY)
    Task.objects.update(status="done")
    # a second detractor answer inside the cooldown: skipped
    SurveyResponseFactory(account=account, score=1)
    result = playbook_evaluate(playbook=pb, as_of=TODAY)
    assert result.skipped == {"cooldown": 1} and Enrolment.objects.count() == 1
    # after the cooldown it enrols, until the cap
    Enrolment.objects.update(created_at=timezone.now() - timedelta(days=11))
    pb.max_enrolments = 2
    pb.save()
    assert playbook_evaluate(playbook=pb, as_of=TODAY).enrolled == 1
    Task.objects.update(status="done")
    Enrolment.objects.update(created_at=timezone.now() - timedelta(days=11))
    SurveyResponseFactory(account=account, score=0)
    result = playbook_evaluate(playbook=pb, as_of=TODAY)
    assert result.skipped == {"cap": 1} and Enrolment.objects.count() == 2


@pytest.mark.django_db
def test_disabled_playbooks_do_not_run(make_playbook):
    from playbooks.services import playbooks_run

    renewing()
    pb = make_playbook("renewal_due", {"days": 90})
    pb.enabled = False
    pb.save()
    assert playbooks_run(as_of=TODAY) == []
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_database_refuses_a_second_open_task_for_the_same_playbook_step(make_playbook):
    account = AccountFactory()
    pb = make_playbook("renewal_due", {"days": 90})
    TaskFactory(account=account, playbook=pb, step=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskFactory(account=account, playbook=pb, step=0)
    TaskFactory(account=account, playbook=pb, step=0, status="done")  # done ones do not count
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(playbook=pb, account=account, occurrence_key="k", reason="r")
        Enrolment.objects.create(playbook=pb, account=account, occurrence_key="k", reason="r")


@pytest.mark.django_db
def test_an_existing_open_task_blocks_the_insert_even_without_the_python_check(make_playbook, monkeypatch):
    """The candidate query's open-task flag is bypassed: the partial unique index still stops it."""
    from playbooks import evaluation

    account = renewing()
    pb = make_playbook("renewal_due", {"days": 90})
    TaskFactory(account=account, playbook=pb, step=0)
    monkeypatch.setattr(type(pb), "has_task_action", property(lambda self: False))
    result = evaluation.playbook_evaluate(playbook=pb, as_of=TODAY)
    assert result.enrolled == 1
    assert Task.objects.filter(playbook=pb).count() == 1
    assert "already open" in Enrolment.objects.get().outcome[0]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_create_each_task_once(make_playbook):
    """Two threads (two PostgreSQL connections) evaluate every playbook at the same moment."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    from playbooks.services import playbooks_run

    accounts = [renewing() for _ in range(40)]
    for account in accounts[:10]:
        SurveyResponseFactory(account=account, score=3)
    make_playbook("renewal_due", {"days": 90})
    make_playbook("survey_answer", {"answer": "detractor"})
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            playbooks_run(as_of=TODAY, source="nightly")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Task.objects.count() == 50
    assert Enrolment.objects.count() == 50
    assert PlaybookRun.objects.filter(status="done").count() == 4
    assert sum(PlaybookRun.objects.values_list("enrolled", flat=True)) == 50


@pytest.mark.django_db
def test_an_evaluation_that_enrols_nobody_writes_its_run_once(make_playbook, monkeypatch):
    """No enrolment: the run record is written once, at the end, done, with what was skipped; an
    enrolling run still exists before its enrolments (they point to it)."""
    # given: one account already enrolled (an open task), one that does not renew soon
    renewing()
    AccountFactory(renewal_date=TODAY + timedelta(days=400))
    pb = make_playbook("renewal_due", {"days": 90})
    playbook_evaluate(playbook=pb, as_of=TODAY)
    writes = []
    monkeypatch.setattr("playbooks.evaluation.bookkeeping_writes", _counting(writes))
    # when
    result = playbook_evaluate(playbook=pb, as_of=TODAY)
    # then
    run = PlaybookRun.objects.order_by("-id").first()
    assert result.run == run and writes == ["run"]
    assert (run.status, run.matched, run.enrolled, run.skipped) == ("done", 1, 0, {"open_task": 1})
    assert run.details[0]["skipped"] == "open_task" and run.finished_at is not None
    pb.refresh_from_db()
    assert pb.last_run_at == run.finished_at


def _counting(writes):
    from contextlib import contextmanager

    from playbooks.sql import bookkeeping_writes

    @contextmanager
    def counted():
        writes.append("run")
        with bookkeeping_writes():
            yield

    return counted


@pytest.mark.django_db
def test_playbooks_run_writes_the_quiet_runs_together(make_playbook, monkeypatch):
    """playbooks_run: the runs that enrol nobody are written together at the end (one bookkeeping
    transaction), each with its own figures and playbook's last_run_at; an enrolling run is
    written before its enrolments; a failing playbook does not stop the others' records."""
    from playbooks.services import playbooks_run

    # given: one renewing account; one playbook enrols it, one matches nobody, one fails
    account = renewing()
    enrolling = make_playbook("renewal_due", {"days": 90})
    quiet = make_playbook("renewal_due", {"days": 5})
    failing = make_playbook("renewal_due", {"days": 90})
    real = __import__("playbooks.evaluation", fromlist=["_candidates"])._candidates

    def candidates(playbook, ctx):
        if playbook.pk == failing.pk:
            raise RuntimeError("boom")
        return real(playbook, ctx)

    monkeypatch.setattr("playbooks.evaluation._candidates", candidates)
    writes = []
    monkeypatch.setattr("playbooks.evaluation.bookkeeping_writes", _counting(writes))
    # when
    results = playbooks_run(account_ids=[account.pk])
    # then: enrolling: insert + finish; failing: its record; the quiet one: the final write
    assert [r.playbook.pk for r in results] == [enrolling.pk, quiet.pk]
    assert len(writes) == 4
    runs = {r.playbook_id: r for r in PlaybookRun.objects.all()}
    assert (runs[enrolling.pk].status, runs[enrolling.pk].enrolled) == ("done", 1)
    assert (runs[quiet.pk].status, runs[quiet.pk].matched, runs[quiet.pk].account_ids) == ("done", 0, [account.pk])
    assert runs[failing.pk].status == "failed" and "boom" in runs[failing.pk].error
    assert results[1].run.pk == runs[quiet.pk].pk
    for playbook in (enrolling, quiet):
        playbook.refresh_from_db()
        assert playbook.last_run_at == runs[playbook.pk].finished_at
