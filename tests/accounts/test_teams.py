"""Account teams (accounts.teams and the Details card's team block): adding someone puts the
account in their book, each change is on the timeline, only the account's book edits the team."""

import pytest
from django.urls import reverse

from accounts.access import account_can_write
from accounts.choices import ActivityKind, TeamRole
from accounts.models import AccountTeamMember, Activity
from core.choices import Role
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_add_change_role_and_remove_through_the_page(csm_client, csm_user, htmx_headers):
    # given
    account = AccountFactory(owner=csm_user)
    sponsor = UserFactory(role=Role.MANAGER, first_name="Sam", last_name="Sponsor")
    csm_client.get(reverse("accounts:detail", args=[account.pk]))
    assert not account_can_write(sponsor, account)
    # when
    added = csm_client.post(
        reverse("accounts:team_add", args=[account.pk]),
        {"user": sponsor.pk, "role": TeamRole.EXECUTIVE_SPONSOR},
        **htmx_headers,
    )
    # then
    assert added.status_code == 200 and "Sam Sponsor" in added.content.decode()
    member = AccountTeamMember.objects.get(account=account, user=sponsor)
    assert member.role == TeamRole.EXECUTIVE_SPONSOR
    sponsor.__dict__.pop("_book_user_ids", None)
    assert account_can_write(sponsor, AccountFactory._meta.model.objects.get(pk=account.pk))
    # a role change, then the removal: each one entry on the timeline
    csm_client.post(
        reverse("accounts:team_add", args=[account.pk]), {"user": sponsor.pk, "role": "support_lead"}, **htmx_headers
    )
    removed = csm_client.post(reverse("accounts:team_remove", args=[account.pk, member.pk]), **htmx_headers)
    assert removed.status_code == 200 and not AccountTeamMember.objects.exists()
    entries = Activity.objects.filter(account=account, kind=ActivityKind.CHANGE).order_by("id")
    assert [e.metadata["changes"][0]["after"] for e in entries] == [
        "Sam Sponsor (Executive sponsor)",
        "Sam Sponsor (Support lead)",
        "",
    ]


def test_bad_values_are_400_and_outsiders_403(csm_client, csm_user, readonly_user, htmx_headers):
    mine, theirs = AccountFactory(owner=csm_user), AccountFactory()
    csm_client.get(reverse("accounts:detail", args=[mine.pk]))
    url = reverse("accounts:team_add", args=[mine.pk])
    bad_role = csm_client.post(url, {"user": UserFactory(role=Role.CSM).pk, "role": "boss"}, **htmx_headers)
    readonly = csm_client.post(url, {"user": readonly_user.pk, "role": "csm"}, **htmx_headers)
    nobody = csm_client.post(url, {"user": "", "role": "csm"}, **htmx_headers)
    assert bad_role.status_code == readonly.status_code == nobody.status_code == 400
    assert "listed values" in bad_role.content.decode() and "active CSM" in readonly.content.decode()
    outsider = csm_client.post(
        reverse("accounts:team_add", args=[theirs.pk]), {"user": csm_user.pk, "role": "csm"}, **htmx_headers
    )
    assert outsider.status_code == 403 and not AccountTeamMember.objects.exists()
