"""The surveys demo step: deliveries, their answers (one per answered delivery, keyed by it)
and the recent fatigue touches, written by COPY on PostgreSQL and bulk_create elsewhere."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from surveys.choices import DeliveryStatus
from surveys.models import FatigueTouch, SurveyDelivery, SurveyResponse

pytestmark = pytest.mark.django_db


def test_demo_answers_match_their_deliveries():
    call_command("seed_demo", accounts=60, seed=5, only=["surveys"], verbosity=0)
    answered = SurveyDelivery.objects.filter(status=DeliveryStatus.ANSWERED)
    assert SurveyDelivery.objects.count() > 200 and answered.count() > 50
    assert SurveyResponse.objects.count() == answered.count()
    mismatched = SurveyResponse.objects.exclude(
        delivery__account_id=F("account_id"),
        delivery__contact_id=F("contact_id"),
        delivery__survey_id=F("survey_id"),
        delivery__answered_at=F("submitted_at"),
    )
    assert not mismatched.exists()
    for key, delivery_id in SurveyResponse.objects.values_list("dedupe_key", "delivery_id")[:50]:
        assert key == f"d:{delivery_id}"
    nps = SurveyResponse.objects.filter(kind="nps").values_list("answers", flat=True)
    assert all(set(a) == {"q1"} for a in nps)
    recent = datetime.combine(timezone.now().date(), time(12), tzinfo=UTC) - timedelta(days=100)
    assert FatigueTouch.objects.count() == SurveyDelivery.objects.filter(sent_at__gt=recent).count() > 0
    kinds = dict(FatigueTouch.objects.values_list("kind").annotate(n=Count("id")).order_by())
    assert set(kinds) <= {"asked", "answered"} and kinds
