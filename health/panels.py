"""The account page's health card (accounts.panels; registered in HealthConfig.ready()), cached
by accounts.panel_cache: the receivers below drop it after each write it shows."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.access import account_can_write
from accounts.panel_cache import account_panels_changed

from .models import ChurnModel, CsmSentiment, HealthOverride, HealthScore, HealthSettings, Scorecard
from .signals import band_changed, override_ended, scores_recomputed


def health_card_context(request, account):
    from .views import health_panel_context

    return health_panel_context(request, account)


def health_card_vary(request, account) -> tuple:
    """The card's actions (recompute, override, sentiment) show to those who may write the account."""
    return (int(account_can_write(request.user, account)),)


# Section: the cached card's invalidation


def _changed(account_ids) -> None:
    account_panels_changed(account_ids=account_ids, keys=["health"])


@receiver(scores_recomputed, dispatch_uid="health_card_scores_recomputed")
def on_scores_recomputed(sender, account_ids=(), **kwargs):
    _changed(account_ids or ())


@receiver(band_changed, dispatch_uid="health_card_band_changed")
@receiver(override_ended, dispatch_uid="health_card_override_ended")
def on_account_health_changed(sender, account_id=None, **kwargs):
    if account_id:
        _changed([account_id])


@receiver(post_save, sender=HealthScore, dispatch_uid="health_card_score_saved")
@receiver(post_delete, sender=HealthScore, dispatch_uid="health_card_score_deleted")
@receiver(post_save, sender=HealthOverride, dispatch_uid="health_card_override_saved")
@receiver(post_delete, sender=HealthOverride, dispatch_uid="health_card_override_deleted")
@receiver(post_save, sender=CsmSentiment, dispatch_uid="health_card_sentiment_saved")
@receiver(post_delete, sender=CsmSentiment, dispatch_uid="health_card_sentiment_deleted")
def on_account_row_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _changed([instance.account_id])


@receiver(post_save, sender=HealthSettings, dispatch_uid="health_card_settings_saved")
@receiver(post_save, sender=Scorecard, dispatch_uid="health_card_scorecard_saved")
@receiver(post_delete, sender=Scorecard, dispatch_uid="health_card_scorecard_deleted")
@receiver(post_save, sender=ChurnModel, dispatch_uid="health_card_churn_model_saved")
@receiver(post_delete, sender=ChurnModel, dispatch_uid="health_card_churn_model_deleted")
def on_settings_saved(sender, raw=False, **kwargs):
    """Thresholds, the stale-sentiment days and the churn model show on every account's card."""
    if not raw:
        _changed(None)
