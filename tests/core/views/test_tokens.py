"""Personal API tokens (/team/tokens/): each user creates and revokes their own; a token acts as
its user on the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import Role
from core.models import APIKey
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_use_and_revoke_a_token(client, csm_user):
    # given
    mine = AccountFactory(owner=csm_user, external_id="mine")
    client.force_login(csm_user)
    client.get(reverse("core:token_list"))
    # when
    page = client.post(reverse("core:token_list"), {"name": "laptop"})
    # then: shown once, bound to the user
    key = APIKey.objects.get()
    assert page.status_code == 200 and key.user == csm_user and key.key_prefix in page.content.decode()
    raw = page.content.decode().split('id="raw-key">')[1].split("<")[0]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.patch(f"/api/v1/accounts/{mine.external_id}/", {"segment": "Mid"}, format="json").status_code == 200
    # when: revoked
    client.post(reverse("core:token_revoke", args=[key.pk]))
    assert api.get("/api/v1/accounts/").status_code == 401


def test_a_name_is_needed_and_others_tokens_are_out_of_reach(client, csm_user):
    client.force_login(csm_user)
    client.get(reverse("core:token_list"))
    assert client.post(reverse("core:token_list"), {"name": " "}).status_code == 400
    other = UserFactory(role=Role.CSM)
    client.force_login(other)
    client.get(reverse("core:token_list"))
    client.post(reverse("core:token_list"), {"name": "theirs"})
    key = APIKey.objects.get(user=other)
    client.force_login(csm_user)
    client.get(reverse("core:token_list"))
    assert client.post(reverse("core:token_revoke", args=[key.pk])).status_code == 404
    assert "theirs" not in client.get(reverse("core:token_list")).content.decode()
