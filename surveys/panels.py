"""The "surveys" panels: on the account 360 page the account's answers with their comments, on the
person page the contact's own answers."""

from datetime import timedelta

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.panel_cache import account_panels_changed

from .metrics import survey_scores
from .models import SurveyResponse
from .selectors import account_responses, contact_responses
from .signals import response_recorded


def surveys_panel_context(request, account) -> dict | None:
    """Two queries whatever the data: the latest answers, and the 12-month scores."""
    responses = account_responses(account_id=account.id, limit=8)
    now = timezone.now()
    scores = survey_scores(start=now - timedelta(days=365), end=now + timedelta(seconds=1), account_ids=[account.id])
    return {"responses": responses, "scores": scores}


def contact_surveys_panel_context(request, contact) -> dict:
    """Two queries: their newest answers and how many in all."""
    responses, total = contact_responses(contact_id=contact.pk)
    return {"responses": responses, "total": total}


def surveys_panel_vary(request, account) -> tuple:
    """The cached panel (accounts.panel_cache) is the same for every reader of the account."""
    return ()


# Section: the cached panel's invalidation: every write of an answer the panel shows


@receiver(response_recorded, dispatch_uid="surveys_panel_response_recorded")
def on_response_recorded(sender, account_id=None, **kwargs):
    if account_id:
        account_panels_changed(account_ids=[account_id], keys=["surveys"])


@receiver(post_save, sender=SurveyResponse, dispatch_uid="surveys_panel_response_saved")
@receiver(post_delete, sender=SurveyResponse, dispatch_uid="surveys_panel_response_deleted")
def on_response_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        account_panels_changed(account_ids=[instance.account_id], keys=["surveys"])
