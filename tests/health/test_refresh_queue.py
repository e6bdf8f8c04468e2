"""Health refreshes travel on queues of their own (settings.CELERY_TASK_ROUTES): the refresh a
person's signal asks for (a survey answer, a ticket) on `health`, which a worker takes alone, the
ones usage events ask for and the rollup run they read on `health_events`. So rollup runs,
onboarding applies, playbook events and event refreshes queued before an answer cannot delay
its score; the soak and the deploy layout run the workers that consume them."""

import pytest
from celery import current_app
from kombu import Connection, Exchange, Queue

import bench.soak.__main__ as soak
from health import tasks as health_tasks
from health.services import account_health_refresh_soon
from tests.factories.accounts import AccountFactory
from usage import tasks as usage_tasks


def _queue(task) -> str:
    route = current_app.amqp.router.route({}, task.name, args=(), kwargs={})
    return route["queue"].name


def test_a_persons_refresh_goes_to_the_health_queue_and_event_work_to_health_events():
    from surveys import tasks as surveys_tasks

    assert _queue(health_tasks.account_health_refresh_task) == "health"
    assert _queue(health_tasks.accounts_health_refresh_gathered_task) == "health"
    # The answers' follow-up sweep asks their refreshes: not behind the `celery` backlog either.
    assert _queue(surveys_tasks.responses_followup_task) == "health"
    for task in (
        health_tasks.accounts_health_refresh_task,
        health_tasks.accounts_health_refresh_soon_task,
        usage_tasks.usage_rollups_pending_task,
    ):
        assert _queue(task) == "health_events", task.name


def test_other_work_stays_on_the_default_queue():
    from onboarding import tasks as onboarding_tasks
    from playbooks import tasks as playbooks_tasks

    assert _queue(usage_tasks.contacts_seen_update_task) == "celery"
    assert _queue(playbooks_tasks.playbooks_event_task) == "celery"
    assert _queue(health_tasks.health_nightly_task) == "celery"
    assert _queue(health_tasks.health_recompute_chunk_task) == "celery"
    tasks = [getattr(onboarding_tasks, n) for n in dir(onboarding_tasks) if n.endswith("_task") and n != "shared_task"]
    assert tasks and all(_queue(t) == "celery" for t in tasks)


def test_the_soak_runs_workers_for_every_queue_and_one_for_the_health_queue_alone():
    assert soak.HEALTH_WORKER_QUEUES == "health"
    assert set(soak.WORKER_QUEUES.split(",")) == {"health_events", "celery", "webhooks"}
    source = open(soak.__file__).read()
    assert '"-Q", HEALTH_WORKER_QUEUES' in source and '"-Q", WORKER_QUEUES' in source


def _taken(conn: Connection, queues: str, limit: int = 100) -> list[str]:
    """The task names a worker consuming `queues` (its -Q) is given, in order."""
    taken: list[str] = []

    def on_message(body, message):
        taken.append(message.headers["task"])
        message.ack()

    declared = [Queue(q, Exchange(q), routing_key=q) for q in queues.split(",")]
    with conn.Consumer(declared, callbacks=[on_message], accept=["json"]):
        for _ in range(limit):
            try:
                conn.drain_events(timeout=0.2)
            except TimeoutError:
                break
    return taken


@pytest.mark.django_db
def test_an_answers_refresh_is_taken_before_queued_event_refreshes(monkeypatch, django_capture_on_commit_callbacks):
    """Twenty batches of usage events queue their refreshes on a broker first, then a survey
    answer's refresh is queued: the health worker's first task is the answer's, while the event
    refreshes wait for the other workers (in-memory broker, the real routes and deferral)."""
    from django.core.cache import cache

    cache.clear()
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    try:
        accounts = AccountFactory.create_batch(21)
        with Connection("memory://") as conn:
            # The in-memory broker is the process's: drop what an earlier test left on these queues.
            _taken(conn, f"{soak.HEALTH_WORKER_QUEUES},{soak.WORKER_QUEUES}", limit=10_000)
            for task in (health_tasks.accounts_health_refresh_gathered_task, health_tasks.accounts_health_refresh_task):
                publish = task.apply_async
                monkeypatch.setattr(task, "apply_async", lambda *a, _p=publish, **kw: _p(*a, connection=conn, **kw))
            for account in accounts[:20]:  # what events_ingested's worker task does for each batch
                health_tasks.accounts_health_refresh_soon_task.run([account.id])
            answered = accounts[20]
            with django_capture_on_commit_callbacks(execute=True):
                assert account_health_refresh_soon(account_id=answered.id) is True
            health_worker = _taken(conn, soak.HEALTH_WORKER_QUEUES, limit=1)
            others = _taken(conn, soak.WORKER_QUEUES)
    finally:
        current_app.conf.task_always_eager = eager
        cache.clear()
    assert health_worker == ["health.tasks.accounts_health_refresh_gathered_task"]
    assert others == ["health.tasks.accounts_health_refresh_task"] * 20
