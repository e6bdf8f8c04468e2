"""The outbox: work queued while the broker is unreachable is not lost.

`PulseTask.apply_async` (csplatform.celery) stores a message here when publishing fails with a
broker error, so a request that already committed its data still answers success and the task
still runs later: `outbox_flush` (beat, every 30 s, and at each worker start) publishes what is
stored, oldest first, under the task id the caller was given, and deletes each row once
published. Tasks are idempotent, so a message published twice (two flushes racing on SQLite)
costs one extra run, never a wrong result.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

__all__ = ["BROKER_DOWN_ERRORS", "outbox_flush", "outbox_store"]

logger = logging.getLogger(__name__)


def _broker_down_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (KombuOperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


BROKER_DOWN_ERRORS = _broker_down_errors()


def _jsonable(value: Any) -> Any:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def outbox_store(*, task: str, args, kwargs, options: dict, error: BaseException) -> str:
    """Keep a message that could not be published; returns the task id the caller is given."""
    task_id = options.get("task_id") or str(uuid.uuid4())
    eta = options.get("eta")
    if eta is None and options.get("countdown"):
        eta = timezone.now() + timedelta(seconds=float(options["countdown"]))
    OutboxMessage.objects.create(
        task_id=task_id,
        task=task,
        args=_jsonable(list(args or ())),
        kwargs=_jsonable(dict(kwargs or {})),
        queue=str(options.get("queue") or ""),
        eta=eta,
        error=f"{type(error).__name__}: {error}"[:255],
    )
    logger.warning("broker unreachable: %s[%s] kept in the outbox (%s)", task, task_id, type(error).__name__)
    return task_id


def outbox_flush(*, limit: int = 500) -> int:
    """Publish stored messages, oldest first; stop at the first broker error. Returns how many
    were published."""
    from celery import current_app as app

    sent = 0
    with transaction.atomic():
        messages = list(OutboxMessage.objects.select_for_update(skip_locked=True).order_by("id")[:limit])
        for message in messages:
            options: dict[str, Any] = {"task_id": message.task_id}
            if message.queue:
                options["queue"] = message.queue
            if message.eta and message.eta > timezone.now():
                options["eta"] = message.eta
            try:
                app.send_task(message.task, args=message.args, kwargs=message.kwargs, **options)
            except BROKER_DOWN_ERRORS:
                logger.warning("outbox: broker still unreachable, %s message(s) wait", len(messages) - sent)
                break
            OutboxMessage.objects.filter(pk=message.pk).delete()
            sent += 1
    return sent
