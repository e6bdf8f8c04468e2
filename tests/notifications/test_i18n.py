"""Notifications in their reader's language (issue 22): the feed page, and the digest's health
drops with the bands by their names in the recipient's language."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from accounts.choices import HealthBand
from core.choices import Role
from notifications.services import digests_send
from tests.factories import AccountFactory, HealthScoreFactory, NotificationFactory, UserFactory
from tests.page_language import english_left, get_as, page_text

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_the_feed_is_in_arabic(client, csm_user):
    NotificationFactory(recipient=csm_user, title="مهمة مسندة: Nordwind", body="Nordwind")

    html = get_as(client, csm_user, "ar", reverse("notifications:feed")).content.decode()

    assert "مهمة مسندة" in html
    assert english_left(page_text(html, classes=["content"]), data=["Nordwind"]) == []


def test_the_digest_names_the_bands_in_the_recipients_language(mailoutbox):
    # given a CSM reading in Persian whose account fell from green to yellow
    reader = UserFactory(role=Role.CSM, username="parisa", email="parisa@team.example", language="fa")
    fell = AccountFactory(owner=reader, name="Nordwind", health_score=60, health_band=HealthBand.YELLOW)
    HealthScoreFactory(account=fell, day=NOW.date() - timedelta(days=1), score=75, band=HealthBand.GREEN)

    # when the morning digest goes
    digests_send(now=NOW)

    # then the drop reads "سبز → زرد" in the text and the HTML alike
    message = next(m for m in mailoutbox if m.to == ["parisa@team.example"])
    assert "(سبز → زرد)" in message.body
    assert "(سبز → زرد)" in message.alternatives[0][0]
    assert "green" not in message.body
