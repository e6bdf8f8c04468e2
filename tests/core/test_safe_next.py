"""`core.views.safe_next`: a form goes back only to a page of this site (the health card's and
the onboarding panels' plain-form posts followed any `next` or `Referer` before)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.views import safe_next
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "data, headers, expected",
    [
        ({"next": "/tasks/?q=renewal"}, {}, "/tasks/?q=renewal"),
        ({"next": "https://evil.example/phish"}, {}, "/home/"),
        ({"next": "//evil.example/phish"}, {}, "/home/"),
        ({"next": "javascript:alert(1)"}, {}, "/home/"),
        ({}, {"Referer": "https://evil.example/"}, "/home/"),
        ({}, {"Referer": "http://testserver/accounts/7/"}, "http://testserver/accounts/7/"),
    ],
)
def test_only_this_site_is_a_way_back(data, headers, expected):
    request = RequestFactory().post("/x/", data, headers=headers)
    assert safe_next(request, "/home/", referer=True) == expected


def test_the_referer_counts_only_when_asked():
    request = RequestFactory().post("/x/", {}, headers={"Referer": "http://testserver/accounts/7/"})
    assert safe_next(request, "/home/") == "/home/"


def test_health_card_plain_post_does_not_follow_a_foreign_referer(client, csm_user):
    # given a CSM on an account page (a plain form post, no htmx)
    account = AccountFactory(owner=csm_user)
    client.force_login(csm_user)
    client.get(reverse("accounts:detail", args=[account.pk]))
    # when the recompute form is posted with a foreign Referer and next
    response = client.post(
        reverse("health:account_action", args=[account.pk, "recompute"]),
        {"next": "https://evil.example/"},
        headers={"Referer": "https://evil.example/"},
    )
    # then the CSM lands back on the account page
    assert response.status_code == 302 and response["Location"] == reverse("accounts:detail", args=[account.pk])


def test_onboarding_plain_post_does_not_follow_a_foreign_next(client, csm_user):
    account = AccountFactory(owner=csm_user)
    client.force_login(csm_user)
    client.get(reverse("accounts:detail", args=[account.pk]))
    response = client.post(reverse("onboarding:checklist_start", args=[account.pk]), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("onboarding:account", args=[account.pk])
