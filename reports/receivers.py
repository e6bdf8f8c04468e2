"""Keep the dashboards honest: any change to the data behind the revenue / support / survey figures
stamps `reports.freshness` (cached results and the pre-aggregate are then not used for it),
and, with a real broker, queues one pre-aggregate refresh a few minutes later (core.deferral)."""

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Account
from accounts.signals import fx_rates_changed, subscription_changed, ticket_changed
from core.deferral import queue_once
from surveys.signals import response_recorded

from .freshness import mark_accounts_changed, mark_data_changed

REFRESH_DELAY_SECONDS = 300
REFRESH_KEY = "reports:refresh-queued"


@receiver(subscription_changed, dispatch_uid="reports_subscription_changed")
@receiver(ticket_changed, dispatch_uid="reports_ticket_changed")
@receiver(fx_rates_changed, dispatch_uid="reports_fx_rates_changed")
def on_revenue_or_support_change(sender, **kwargs) -> None:
    mark_data_changed()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Embedded mode: no worker to defer to; the live figures (cached per change) serve.
        return
    from .tasks import reports_refresh_task

    # One refresh per window: the key lasts as long as the delay (the task also frees it when it starts).
    queue_once(REFRESH_KEY, reports_refresh_task, countdown=REFRESH_DELAY_SECONDS, timeout=REFRESH_DELAY_SECONDS)


@receiver(response_recorded, dispatch_uid="reports_response_recorded")
def on_survey_answer(sender, **kwargs) -> None:
    """Survey scores are read live (never pre-aggregated): only the cached results move on."""
    mark_data_changed()


@receiver(post_save, sender=Account, dispatch_uid="reports_account_saved")
@receiver(post_delete, sender=Account, dispatch_uid="reports_account_deleted")
def on_account_saved(sender, raw: bool = False, **kwargs) -> None:
    """An account edited or added through the product (its owner, stage, renewal date): the
    dashboard's and home page's cached figures (reports.selectors.page_cached) are recomputed."""
    if not raw:
        mark_accounts_changed()
