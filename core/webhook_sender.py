"""Who sends a queued webhook delivery, by settings.WEBHOOK_SENDER:

- "celery" (a broker is configured): `core.tasks.webhook_deliver_task` on the worker's own
  "webhooks" queue (CELERY_TASK_ROUTES), so slow receivers cannot starve health or playbooks;
  retries come back through Celery's countdown, and the beat sweep catches what was lost.
- "thread" (the embedded mode: no broker, Celery eager): one daemon thread in the web process
  sends them one by one and schedules its own retries with timers. An eager Celery task would run
  inside the request that emitted the event, so a receiver that hangs would hold a customer's
  survey answer for the whole timeout. Deliveries are rows first: a process that stops with
  some still queued leaves them pending, and the sender thread of the next process looks for
  due deliveries when it starts (or an admin's "retry" sends them).
- "inline": the eager task, in the caller (tests that want the outcome at once).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

__all__ = ["webhook_send_later", "webhook_sender_idle"]

logger = logging.getLogger(__name__)

_queue: queue.SimpleQueue[int] = queue.SimpleQueue()
_lock = threading.Lock()
_thread: threading.Thread | None = None
_busy = threading.Event()


def webhook_send_later(ids: Iterable[int]) -> None:
    mode = getattr(settings, "WEBHOOK_SENDER", "celery")
    if mode == "thread":
        for delivery_id in ids:
            _queue.put(delivery_id)
        _ensure_thread()
        return
    from .tasks import webhook_deliver_task

    for delivery_id in ids:
        if mode == "inline":
            webhook_deliver_task.delay(delivery_id)
        else:
            webhook_deliver_task.apply_async((delivery_id,), queue="webhooks")


def webhook_sender_idle(timeout: float = 10.0) -> bool:
    """True once the sender thread has nothing queued and nothing in flight (for tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _queue.empty() and not _busy.is_set():
            return True
        time.sleep(0.02)
    return False


def _ensure_thread() -> None:
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="webhook-sender", daemon=True)
            _thread.start()


def _run() -> None:
    from .webhooks import webhook_delivery_attempt, webhook_retry_due

    try:  # what an earlier process left queued or due (the embedded mode has no beat sweep)
        close_old_connections()
        webhook_retry_due()
    except Exception:  # noqa: BLE001
        logger.exception("webhook sender: could not look for due deliveries")
    finally:
        connection.close()
    while True:
        delivery_id = _queue.get()
        _busy.set()
        try:
            close_old_connections()
            delivery = webhook_delivery_attempt(delivery_id=delivery_id)
            if delivery is not None and delivery.next_attempt_at is not None and delivery.status == "retrying":
                wait = max(1.0, (delivery.next_attempt_at - timezone.now()).total_seconds())
                timer = threading.Timer(wait, lambda i=delivery_id: (_queue.put(i), _ensure_thread()))
                timer.daemon = True
                timer.start()
        except Exception:  # noqa: BLE001  one bad delivery must not stop the sender
            logger.exception("webhook delivery %s: the attempt failed unexpectedly", delivery_id)
        finally:
            connection.close()
            _busy.clear()
