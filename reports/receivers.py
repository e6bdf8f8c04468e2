"""Keep the dashboards honest: any change to the data behind the revenue / support / survey figures
stamps `reports.freshness` (cached results and the pre-aggregate are then not used for it),
and, with a real broker, queues one pre-aggregate refresh a few minutes later."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver

from accounts.signals import subscription_changed, ticket_changed
from surveys.signals import response_recorded

from .freshness import mark_data_changed

REFRESH_DELAY_SECONDS = 300


@receiver(subscription_changed, dispatch_uid="reports_subscription_changed")
@receiver(ticket_changed, dispatch_uid="reports_ticket_changed")
def on_revenue_or_support_change(sender, **kwargs) -> None:
    mark_data_changed()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Embedded mode: no worker to defer to; the live figures (cached per change) serve.
        return
    if cache.add("reports:refresh-queued", 1, REFRESH_DELAY_SECONDS):
        from .tasks import reports_refresh_task

        transaction.on_commit(lambda: reports_refresh_task.apply_async(countdown=REFRESH_DELAY_SECONDS))


@receiver(response_recorded, dispatch_uid="reports_response_recorded")
def on_survey_answer(sender, **kwargs) -> None:
    """Survey scores are read live (never pre-aggregated): only the cached results move on."""
    mark_data_changed()
