"""The "surveys" panels: on the account 360 page the account's answers with their comments, on the
person page the contact's own answers."""

from datetime import timedelta

from django.utils import timezone

from .metrics import survey_scores
from .selectors import account_responses, contact_responses


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
