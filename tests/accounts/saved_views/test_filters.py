"""The account's own view filters: "Account team member (or owner)" matches the accounts a user
owns or is on the team of (one Exists), in the builder's vocabulary and through /api/v1/views/."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from accounts.choices import TeamRole
from accounts.models import AccountTeamMember
from accounts.saved_views import saved_view_accounts, saved_view_definition_clean, view_filter_get
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def _team(field_value, op="in"):
    return {"conditions": [{"field": "team_member", "op": op, "value": field_value}]}


def _book(user, other):
    """Accounts: owned by user, user on the team, other's with user absent, other on the team."""
    owned = AccountFactory(name="owned", owner=user)
    on_team = AccountFactory(name="on-team", owner=other)
    AccountTeamMember.objects.create(account=on_team, user=user, role=TeamRole.SUPPORT_LEAD)
    AccountFactory(name="others", owner=other)
    nobody = AccountFactory(name="nobody", owner=None)
    AccountTeamMember.objects.create(account=nobody, user=other, role=TeamRole.CSM)
    return owned, on_team


def _names(definition, user):
    cleaned = saved_view_definition_clean(definition, user=user)
    return sorted(saved_view_accounts(definition=cleaned, user=user).values_list("name", flat=True))


def test_team_member_matches_owner_or_team_and_its_negation():
    # given
    user, other = UserFactory(first_name="Uma"), UserFactory(first_name="Otto")
    _book(user, other)
    # then
    assert _names(_team(["me"]), user) == ["on-team", "owned"]
    assert _names(_team([str(user.pk)]), other) == ["on-team", "owned"]
    assert _names(_team([str(other.pk)]), user) == ["nobody", "on-team", "others"]
    assert _names(_team(["me"], op="not_in"), user) == ["nobody", "others"]
    assert _names(_team(["me", str(other.pk)]), user) == ["nobody", "on-team", "others", "owned"]


def test_team_member_is_a_user_picker_and_refuses_what_is_not_a_user_id():
    user = UserFactory(first_name="Uma", last_name="Lee")
    view_filter = view_filter_get("team_member")
    assert view_filter is not None and view_filter.kind == "choice"
    assert "owner" in str(view_filter.label)
    assert ("me", "Me") in view_filter.choices() and (str(user.pk), "Uma Lee") in view_filter.choices()
    with pytest.raises(ValidationError, match="unknown value"):
        saved_view_definition_clean(_team(["someone"]), user=user)
    # an id of no user is kept (checked without a query) and matches nothing
    assert _names(_team(["999999"]), user) == []


def test_team_member_condition_is_one_query_whatever_the_book(django_assert_num_queries):
    user, other = UserFactory(), UserFactory()
    cleaned = saved_view_definition_clean(_team(["me", str(other.pk)]), user=user)
    books = 0
    for more in (1, 6):  # flat: one query for one book and for seven
        for _ in range(more):
            _book(user, other)
        books += more
        with django_assert_num_queries(1):
            rows = list(saved_view_accounts(definition=cleaned, user=user)[:50])
        assert len(rows) == 4 * books


def test_team_member_through_the_api():
    # given
    user, other = UserFactory(role="csm"), UserFactory(role="csm")
    _book(user, other)
    client = APIClient()
    client.force_authenticate(user)
    # when
    response = client.post("/api/v1/views/", {"name": "My book", "definition": _team(["me"])}, format="json")
    # then
    assert response.status_code == 201, response.json()
    accounts = client.get(f"/api/v1/views/{response.json()['id']}/accounts/").json()
    assert sorted(a["name"] for a in accounts["results"]) == ["on-team", "owned"]
    bad = client.post("/api/v1/views/", {"name": "Bad", "definition": _team(["nobody-here"])}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"field": "definition.groups.0.conditions.0.value", "reason": "unknown value(s): nobody-here"}
    ]
