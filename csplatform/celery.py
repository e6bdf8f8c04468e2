"""Celery application: configuration comes from Django settings (CELERY_* names).

Every task is a `PulseTask`:
- a task that meets a database error (a restart, a fail-over, a dropped connection) retries
  with backoff instead of failing for good (`_close_unusable_connections` closes the broken
  connection between runs; a usable one is kept from task to task);
- its message's argsrepr is the arguments' built-in repr (`_brief_repr`), not Celery's saferepr;
- publishing while the broker is unreachable does not raise into the caller (who has usually
  committed already): the message goes to the outbox (core.outbox) and is published when the
  broker is back.
"""

import os

from celery import Celery, Task
from celery.signals import task_postrun, task_prerun, worker_ready
from django.db import InterfaceError, close_old_connections
from django.db import OperationalError as DatabaseOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplatform.settings")


REPR_MAX = 1024  # Celery's own limit for the message's argsrepr / kwargsrepr


def _brief_repr(value, empty=()) -> str:
    """The args / kwargs as the message's headers show them (logs, monitors): Celery's saferepr walks
    them in Python (0.6 ms for a list of 250 account ids, on every publish); a task's arguments are
    JSON types, whose built-in repr is safe and 10x cheaper."""
    return repr(value if value is not None else empty)[:REPR_MAX]


class PulseTask(Task):
    autoretry_for = (DatabaseOperationalError, InterfaceError)
    retry_backoff = 2
    retry_backoff_max = 120
    retry_jitter = True
    max_retries = 8

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, **options):
        from core.outbox.services import BROKER_DOWN_ERRORS, outbox_store

        try:
            return super().apply_async(
                args=args,
                kwargs=kwargs,
                task_id=task_id,
                producer=producer,
                link=link,
                link_error=link_error,
                **{"argsrepr": _brief_repr(args), "kwargsrepr": _brief_repr(kwargs, {}), **options},
            )
        except BROKER_DOWN_ERRORS as exc:
            if self.app.conf.task_always_eager or link or link_error:
                raise
            stored_id = outbox_store(
                task=self.name, args=args, kwargs=kwargs, options={**options, "task_id": task_id}, error=exc
            )
            return self.AsyncResult(stored_id)


app = Celery("csplatform", task_cls=PulseTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _flush_outbox_on_start(sender=None, **kwargs):
    """A worker that starts after an outage publishes what the web kept meanwhile."""
    from core.tasks import outbox_flush_task

    outbox_flush_task.delay()


@task_prerun.connect
@task_postrun.connect
def _close_unusable_connections(sender=None, **kwargs):
    """Around each task a worker runs: the database connections that are broken (a restart, a
    fail-over: the retry then gets a new one) or older than CONN_MAX_AGE are closed, as Django
    does around each request; the others are kept (settings.CELERY_DB_REUSE_MAX). Not for a task
    run inline (eager, core.background): it may be inside the caller's transaction."""
    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()


# CELERY_TASK_CPU_LOG=1 (bench.soak sets it): each task's CPU seconds in this process (not the
# database's) logged at WARNING as "task cpu <name> <seconds>", for a per-task CPU table; a task
# that returns a count (the health refreshes: accounts scored) also logs "task count <name> <n>".
if os.environ.get("CELERY_TASK_CPU_LOG"):
    import logging
    import time

    _cpu_log = logging.getLogger("csplatform.task_cpu")
    _cpu_started: dict[str, float] = {}

    @task_prerun.connect
    def _task_cpu_start(task_id=None, **kwargs):
        _cpu_started[task_id] = time.process_time()

    @task_postrun.connect
    def _task_cpu_end(task_id=None, task=None, retval=None, **kwargs):
        started = _cpu_started.pop(task_id, None)
        if started is not None and task is not None:
            _cpu_log.warning("task cpu %s %.4f", task.name, time.process_time() - started)
            if type(retval) is int:
                _cpu_log.warning("task count %s %d", task.name, retval)
