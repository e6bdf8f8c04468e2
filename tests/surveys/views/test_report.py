"""The survey report page: every role may read it (query count bounded), its filters, the
verbatims fragment for htmx, and the recompute of theme tags for managers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AccountFactory
from tests.factories.surveys import SurveyResponseFactory

pytestmark = pytest.mark.django_db


def test_report_for_every_role_with_bounded_queries(client, readonly_user, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(12):
        account = AccountFactory(segment="SMB" if i % 2 else "Enterprise", tier="key")
        SurveyResponseFactory(
            account=account,
            kind="nps",
            score=i % 11,
            comment=f"comment {i}",
            submitted_at=now - timedelta(days=30 * (i % 6)),
        )
        SurveyResponseFactory(account=account, kind="csat", score=1 + i % 5, submitted_at=now - timedelta(days=10))
    client.force_login(readonly_user)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("surveys:report"))
    assert response.status_code == 200
    scores = response.context["scores"]
    assert scores["nps_responses"] == 12
    assert {r["key"] for r in response.context["by_segment"]} == {"SMB", "Enterprise"}
    # htmx search returns just the verbatims partial
    partial = client.get(reverse("surveys:report"), {"q": "comment 1"}, HTTP_HX_REQUEST="true")
    assert b'id="verbatims"' in partial.content and b"<html" not in partial.content
    assert b"comment 10" in partial.content and b"comment 2<" not in partial.content
    # only managers may recompute themes
    assert client.post(reverse("surveys:report")).status_code == 403


def test_report_filters_by_segment(admin_client):
    smb, ent = AccountFactory(segment="SMB"), AccountFactory(segment="Enterprise")
    SurveyResponseFactory(account=smb, kind="nps", score=10)
    SurveyResponseFactory(account=ent, kind="nps", score=0)
    response = admin_client.get(reverse("surveys:report"), {"segment": "SMB"})
    assert response.context["scores"]["nps"] == 100.0
