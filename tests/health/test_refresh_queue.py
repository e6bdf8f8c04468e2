"""Health refreshes after a signal travel on their own queue (settings.CELERY_TASK_ROUTES), so
rollup runs, onboarding applies and playbook events queued before them cannot delay a score;
the soak and the deploy layout run a worker that consumes it."""

from celery import current_app

import bench.soak.__main__ as soak
from health import tasks as health_tasks
from usage import tasks as usage_tasks


def _queue(task) -> str:
    route = current_app.amqp.router.route({}, task.name, args=(), kwargs={})
    return route["queue"].name


def test_health_refresh_tasks_go_to_the_health_queue():
    for task in (
        health_tasks.account_health_refresh_task,
        health_tasks.accounts_health_refresh_task,
        health_tasks.accounts_health_refresh_soon_task,
        usage_tasks.usage_rollups_pending_task,
    ):
        assert _queue(task) == "health", task.name


def test_other_work_stays_on_the_default_queue():
    from onboarding import tasks as onboarding_tasks
    from playbooks import tasks as playbooks_tasks

    assert _queue(usage_tasks.contacts_seen_update_task) == "celery"
    assert _queue(playbooks_tasks.playbooks_event_task) == "celery"
    assert _queue(health_tasks.health_nightly_task) == "celery"
    assert _queue(health_tasks.health_recompute_chunk_task) == "celery"
    tasks = [getattr(onboarding_tasks, n) for n in dir(onboarding_tasks) if n.endswith("_task") and n != "shared_task"]
    assert tasks and all(_queue(t) == "celery" for t in tasks)


def test_the_soak_runs_a_worker_for_the_health_queue():
    source = open(soak.__file__).read()
    assert '"-Q", "health"' in source
    assert '"-Q", "health,celery,webhooks"' in source
