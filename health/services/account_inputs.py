"""What a CSM tells health about an account: score overrides and sentiment, each audited on
the timeline and recomputed at once."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.choices import ActivityKind
from accounts.models import Account
from accounts.services import activity_create

from ..models import CsmSentiment, HealthOverride
from ..recompute import health_recompute, today

__all__ = ["csm_sentiment_record", "health_override_clear", "health_override_create"]


@transaction.atomic
def health_override_create(
    *, account: Account, score: int, reason: str, expires_at: datetime, author
) -> HealthOverride:
    """Override the account's score until `expires_at`, audited on the timeline, and
    recompute now (and again when it expires)."""
    if not 0 <= score <= 100:
        raise ValueError("score must be between 0 and 100")
    if not reason.strip():
        raise ValueError("a reason is required")
    now = timezone.now()
    if expires_at <= now:
        raise ValueError("the expiry must be in the future")
    override = HealthOverride.objects.create(
        account=account, score=score, reason=reason.strip(), author=author, created_at=now, expires_at=expires_at
    )
    activity_create(
        account=account,
        kind=ActivityKind.SYSTEM,
        author=author,
        subject=f"Health score overridden to {score} until {expires_at:%Y-%m-%d}",
        body=reason.strip(),
        metadata={"health_override_id": override.id, "score": score},
    )
    health_recompute(as_of=today(), account_ids=[account.id])
    from ..tasks import account_health_refresh_task

    transaction.on_commit(
        lambda: (
            account_health_refresh_task.apply_async(args=[account.id], eta=expires_at + timedelta(seconds=1))
            if not settings.CELERY_TASK_ALWAYS_EAGER
            else None
        )
    )
    return override


@transaction.atomic
def health_override_clear(*, override: HealthOverride, user) -> HealthOverride:
    if override.cleared_at is None:
        override.cleared_at = timezone.now()
        override.cleared_by = user
        override.save(update_fields=["cleared_at", "cleared_by"])
        activity_create(
            account=override.account,
            kind=ActivityKind.SYSTEM,
            author=user,
            subject="Health score override removed",
            metadata={"health_override_id": override.id},
        )
        health_recompute(as_of=today(), account_ids=[override.account_id])
    return override


@transaction.atomic
def csm_sentiment_record(*, account: Account, value: int, note: str = "", author=None) -> CsmSentiment:
    if not 1 <= value <= 5:
        raise ValueError("sentiment is 1 to 5")
    sentiment = CsmSentiment.objects.create(account=account, value=value, note=note.strip(), author=author)
    activity_create(
        account=account,
        kind=ActivityKind.SYSTEM,
        author=author,
        subject=f"CSM sentiment set to {value}/5",
        body=note.strip(),
        metadata={"csm_sentiment": value},
    )
    health_recompute(as_of=today(), account_ids=[account.id])
    return sentiment
