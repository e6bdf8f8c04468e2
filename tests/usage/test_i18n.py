"""The usage floor's words in the reader's language (issue 22): the person page's usage panel and
the account page's usage chart (its legend comes from the page)."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AccountFactory, ContactFactory
from tests.page_language import english_left, get_as, page_text
from usage.models import UsageEvent

pytestmark = pytest.mark.django_db


def test_the_usage_panel_of_a_person_is_in_arabic(client, csm_user):
    # given a contact with an event
    account = AccountFactory(owner=csm_user, name="Nordwind")
    contact = ContactFactory(account=account, name="Layla Haddad")
    UsageEvent.objects.create(
        account=account, contact=contact, event="report_viewed", occurred_at=timezone.now() - timedelta(hours=2)
    )

    # when the CSM reads the person page in Arabic
    html = get_as(client, csm_user, "ar", reverse("accounts:contact_detail", args=[contact.pk])).content.decode()

    # then the usage panel is in Arabic; the event name stays as sent
    panel = page_text(html, ids=["contact-usage"])
    assert "الأحداث الأخيرة" in panel
    assert english_left(panel, data=["report_viewed"]) == []


def test_the_usage_chart_legend_is_in_the_pages_language(client, csm_user):
    account = AccountFactory(owner=csm_user)

    html = get_as(client, csm_user, "zh-hans", reverse("accounts:detail", args=[account.pk])).content.decode()

    data = json.loads(re.search(r'<script id="usage-data" type="application/json">(.*?)</script>', html).group(1))
    assert data["legend"] == {"events": "事件", "users": "活跃用户"}
