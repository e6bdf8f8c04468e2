"""Celery tasks: thin, ids in, call a service, safe to run twice."""

from datetime import date

from celery import shared_task

# Beyond this many ids a "limited" nightly run is cheaper as a full one (same result: the
# enrolment keys make the overlap do nothing).
MAX_IDS_PER_RUN = 5000


@shared_task(acks_late=True)
def playbooks_evaluate_task(
    as_of: str | None = None, account_ids: list[int] | None = None, source: str = "nightly"
) -> int:
    from .services import playbooks_run, task_reopen_snoozed

    if account_ids is not None:
        from core.deferral import release_many

        from .receivers import evaluate_key

        release_many(evaluate_key(as_of, a) for a in account_ids)  # refreshes from now on queue the next run
    day = date.fromisoformat(as_of) if as_of else None
    if account_ids is not None and len(account_ids) > MAX_IDS_PER_RUN:
        account_ids = None
    if account_ids is None:
        task_reopen_snoozed(today=day)
    results = playbooks_run(as_of=day, source=source, account_ids=account_ids)
    return sum(r.enrolled for r in results)


@shared_task(acks_late=True, ignore_result=True)
def playbooks_event_task(event: dict) -> int:
    from .services import playbooks_run_event

    return sum(r.enrolled for r in playbooks_run_event(event=event))


@shared_task(acks_late=True)
def override_stage_restore_task(override_id: int) -> int:
    """A health override ended: put back the stages it made playbooks set (once)."""
    from .overrides import override_stage_restore

    return len(override_stage_restore(override_id=override_id))


@shared_task(acks_late=True)
def email_send_task(message_id: int) -> bool:
    from .services import email_message_send

    return email_message_send(message_id=message_id)


@shared_task(bind=True, acks_late=True, max_retries=5, retry_backoff=True)
def outbound_post_send_task(self, post_id: int) -> bool:
    from .services import outbound_post_send

    try:
        return outbound_post_send(post_id=post_id)
    except Exception as exc:  # noqa: BLE001 - transient: retried with backoff
        if self.request.is_eager:
            return False
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc
