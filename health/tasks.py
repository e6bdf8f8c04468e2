"""Celery tasks: thin, ids in, call the service, safe to run twice."""

from datetime import date

from celery import chord, shared_task

NIGHTLY_CHUNK = 5000


@shared_task
def health_nightly_task(as_of: str | None = None, chunk_size: int = NIGHTLY_CHUNK) -> dict:
    """Recompute every account as of `as_of` (today): a Celery group of account-id chunks,
    so any number of workers share it, then one final step (parents' roll-up and the
    scores_recomputed signal that playbooks chains on). First, once events exist, the default
    scorecard's event measures (no-op after that), and the day's population is dropped so
    the chunks rank against the book as it is now (the first chunk computes it)."""
    from django.utils import timezone

    from accounts.models import Account

    from .measures_activity import population_forget
    from .models import NightlyRun
    from .recompute import scorecard_default_events_pick, today

    day = as_of or today().isoformat()
    scorecard_default_events_pick()
    population_forget(date.fromisoformat(day))
    ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    NightlyRun.objects.update_or_create(
        day=date.fromisoformat(day),
        defaults={
            "chunks": len(chunks),
            "started_at": timezone.now(),
            "finished_at": None,
            "recovered": 0,
            "finished_by": "",
        },
    )
    if not chunks:
        finish = health_recompute_finish_task.delay(day)
        return {"day": day, "chunks": 0, "finish_id": finish.id}
    finish = chord(health_recompute_chunk_task.s(chunk, day) for chunk in chunks)(health_recompute_finish_task.si(day))
    return {"day": day, "chunks": len(chunks), "finish_id": finish.id}


# acks_late with reject-on-worker-lost (settings): a chunk whose worker died goes back to the
# queue after the broker's visibility timeout; the finish recomputes what is still missing.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def health_recompute_chunk_task(account_ids: list[int], as_of: str) -> int:
    from .recompute import health_chunk_recompute

    return len(health_chunk_recompute(as_of=date.fromisoformat(as_of), account_ids=account_ids))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def health_recompute_finish_task(as_of: str) -> int:
    """The chord's last step: completeness check, roll-up, scores_recomputed (once per night).
    Returns how many accounts it found unscored and recomputed."""
    from .recompute import health_nightly_finish

    return health_nightly_finish(as_of=date.fromisoformat(as_of)).recovered


@shared_task
def health_nightly_check_task(grace_minutes: int = 30) -> list[str]:
    """Morning safety net (beat): a night whose chord never finished (a chunk failed for good,
    the finish itself was lost) is finished here: missing accounts recomputed, parents rolled
    up, the nightly playbook run started. Returns the days it finished."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import NightlyRun
    from .recompute import health_nightly_finish

    stale = NightlyRun.objects.filter(
        finished_at__isnull=True, started_at__lt=timezone.now() - timedelta(minutes=grace_minutes)
    )
    return [health_nightly_finish(as_of=run.day, finished_by="check").day.isoformat() for run in stale.order_by("day")]


@shared_task(ignore_result=True)
def accounts_health_refresh_soon_task(account_ids: list[int]) -> int:
    """events_ingested's debounce, run by a worker: the accounts not already queued go in ONE
    refresh task, EVENTS_REFRESH_DELAY_SECONDS later (the events' own deferral keys: a refresh
    after an answer is never held back by one waiting out this window). Two cache round trips
    per batch, not one per account (core.deferral.claim_many): a batch racing this one may
    queue some of the same accounts again, which costs one idempotent recompute, never a
    wrong score. Returns how many accounts it queued."""
    from core.deferral import claim_many

    from .recompute import EVENTS_REFRESH_DELAY_SECONDS, events_refresh_key

    keys = {events_refresh_key(a): a for a in sorted(set(account_ids))}
    ids = [keys[k] for k in claim_many(keys, timeout=EVENTS_REFRESH_DELAY_SECONDS + 60)]
    if ids:
        accounts_health_refresh_task.apply_async(args=[ids], countdown=EVENTS_REFRESH_DELAY_SECONDS)
    return len(ids)


@shared_task(ignore_result=True)
def accounts_health_refresh_task(account_ids: list[int]) -> int:
    """The debounced refresh of many accounts at once (events_ingested): returns accounts scored."""
    from accounts.models import Account
    from core.deferral import release_many

    from .recompute import events_refresh_key, health_recompute, today

    release_many(events_refresh_key(a) for a in account_ids)
    ids = list(Account.objects.filter(id__in=account_ids).values_list("id", flat=True))
    if not ids:
        return 0
    return len(health_recompute(as_of=today(), account_ids=ids).scored)


@shared_task(ignore_result=True)
def accounts_health_refresh_gathered_task() -> int:
    """The refresh after people's signals: every account gathered since the last run, in one
    run (health.recompute.gather). Returns accounts scored (0: nothing was waiting)."""
    from .recompute import accounts_health_refresh_gathered

    result = accounts_health_refresh_gathered()
    return len(result.scored) if result is not None else 0


@shared_task(ignore_result=True)
def account_health_refresh_task(account_id: int) -> int | None:
    """One account's refresh (an override's end; a signal when the gathered list is unreachable)."""
    from accounts.models import Account

    from .recompute import account_health_refresh

    if not Account.objects.filter(id=account_id).exists():
        return None
    result = account_health_refresh(account_id=account_id)
    return len(result.scored)


@shared_task
def churn_model_train_task(as_of: str | None = None) -> int | None:
    """Nightly: retrain the learned churn model on the history up to `as_of` (today).
    Idempotent: a second run the same day replaces that day's model. Returns its id."""
    from .backtest import churn_model_train
    from .recompute import today

    model = churn_model_train(as_of=date.fromisoformat(as_of) if as_of else today())
    return model.id if model is not None else None
