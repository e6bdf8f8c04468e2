"""What follows an answer: a sweep over the pending answers (`responses_followup`, Celery) marks
the delivery answered, spends the contact's fatigue budget, tells the account's timeline, sends
the playbook signal, refreshes health and emits the "survey.answered" webhook. `followup_soon`
queues one sweep for however many answers arrive in a couple of seconds (core.deferral).
"""

import time
from datetime import UTC
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.db.models import F

from core.deferral import queue_once

from ..choices import DeliveryStatus, TouchKind, score_category
from ..fatigue import fatigue_record
from ..models import SurveyDelivery, SurveyResponse
from ..signals import response_recorded

if TYPE_CHECKING:
    from accounts.models import Account

__all__ = [
    "FOLLOWUP_BATCH",
    "FOLLOWUP_DELAY_SECONDS",
    "FOLLOWUP_KEY",
    "followup_soon",
    "response_payload",
    "responses_followup",
]

FOLLOWUP_KEY = "surveys:followup:queued"
FOLLOWUP_DELAY_SECONDS = 2
FOLLOWUP_BATCH = 200
_followup_checked_at = 0.0  # this process asked Redis at most once a second
_celery_conf = None


def followup_soon() -> None:
    """Queue one sweep of pending answers in a couple of seconds, however many answers arrive
    meanwhile: at most one Redis SET NX per second and process (`core.deferral.queue_once`)
    instead of a Celery message per answer. The sweep releases the key when it starts, so a later
    answer queues the next one; the beat entry "survey-answers-followup" sweeps every minute,
    which covers an answer that fell between a sweep's start and this process's next check.
    Inline in the embedded (eager) mode."""
    global _followup_checked_at, _celery_conf
    from ..tasks import responses_followup_task

    if _celery_conf is None:
        from celery import current_app

        _celery_conf = current_app.conf  # the app's settings object (current_app is a proxy)
    if _celery_conf.task_always_eager:
        responses_followup_task.delay()
        return
    # The local throttle saves the answer request a cache round trip while a sweep is queued.
    now = time.monotonic()
    if now - _followup_checked_at < 1.0:
        return
    _followup_checked_at = now
    queue_once(FOLLOWUP_KEY, responses_followup_task, countdown=FOLLOWUP_DELAY_SECONDS, timeout=60)


def responses_followup(*, batch: int = FOLLOWUP_BATCH) -> int:
    """Follow up every pending answer, in chunks, each chunk in one transaction with its rows
    locked (SKIP LOCKED: two workers share the work). Idempotent: a row stops being pending in
    the same transaction that did its follow-up. Returns the number of answers followed up."""
    from ..rollups import survey_days_refresh, survey_days_top_up

    done = 0
    touched: set = set()  # the report's days these answers (and their deliveries) fall on
    while True:
        with transaction.atomic():
            rows = list(
                SurveyResponse.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(followup_pending=True)
                .select_related("contact", "account")
                .order_by("id")[:batch]
            )
            if not rows:
                break
            for response in rows:
                _followup_one(response)
            SurveyResponse.objects.filter(id__in=[r.id for r in rows]).update(
                followup_pending=False, followup_count=F("followup_count") + 1
            )
        touched.update(r.submitted_at.astimezone(UTC).date() for r in rows)
        delivery_ids = [r.delivery_id for r in rows if r.delivery_id]
        if delivery_ids:
            sent = SurveyDelivery.objects.filter(id__in=delivery_ids).values_list("sent_at", flat=True)
            touched.update(at.astimezone(UTC).date() for at in sent)
        done += len(rows)
    survey_days_refresh(days=touched)
    survey_days_top_up()
    return done


def _followup_one(response: SurveyResponse) -> None:
    """The first time: the delivery is marked answered, the contact's fatigue budget spent and
    the account's timeline told. Every time (a changed answer too): the playbook signal
    (`created` says which), a health refresh, the "survey.answered" webhook."""
    created = response.followup_count == 0
    if created and response.delivery_id:
        SurveyDelivery.objects.filter(id=response.delivery_id).update(
            status=DeliveryStatus.ANSWERED, answered_at=response.submitted_at
        )
    category = score_category(response.kind, response.score)
    if created:
        if response.contact_id:
            fatigue_record(
                contact_id=response.contact_id,
                channel=response.channel,
                kind=TouchKind.ANSWERED,
                account_id=response.account_id,
                occurred_at=response.submitted_at,
            )
        if response.account_id:
            from accounts.services import activity_create

            who = str(response.contact) if response.contact else "an anonymous customer"
            activity_create(
                account=cast("Account", response.account),  # account_id is set
                kind="system",
                subject=f"{response.get_kind_display().split(' ')[0]} {response.score} ({category}) from {who}",
                body=response.comment,
                occurred_at=response.submitted_at,
                contact=response.contact,
                metadata={"survey_response_id": response.id, "kind": response.kind, "score": response.score},
            )
    response_recorded.send(
        sender=SurveyResponse,
        response_id=response.id,
        account_id=response.account_id,
        contact_id=response.contact_id,
        kind=response.kind,
        score=response.score,
        category=category,
        created=created,
    )
    if response.account_id:
        _health_refresh_soon(response.account_id)
    from core.webhooks import webhook_emit

    webhook_emit(event="survey.answered", payload=response_payload(response))


def _health_refresh_soon(account_id: int) -> None:
    from health.services import account_health_refresh_soon

    account_health_refresh_soon(account_id=account_id)


def response_payload(response: SurveyResponse) -> dict:
    account = response.account if response.account_id else None
    return {
        "id": response.id,
        "kind": response.kind,
        "score": response.score,
        "category": score_category(response.kind, response.score),
        "comment": response.comment,
        "answers": response.answers,
        "language": response.language,
        "channel": response.channel,
        "submitted_at": response.submitted_at,
        "survey": response.survey_id,
        "account": account.external_id if account else None,
        "contact": response.contact.external_id if response.contact is not None else None,
    }
