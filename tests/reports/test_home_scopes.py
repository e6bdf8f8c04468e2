"""Home by role (issue 15, item 10): a CSM sees their book, a manager their team (their reports'
books and their own, a row per person), an admin and a read-only user everyone's; every account
name is a link to its page; the query count does not grow with the book or the team."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.choices import Role
from tests.factories import AccountFactory, TaskFactory, UserFactory
from tests.queries import session_queries

pytestmark = pytest.mark.django_db

# Warm (survey scores and everyone's book-by-owner scan cached): session (from the database; none
# when read from Redis: tests/queries.py), user, then the page:
# scope (team: its members), at risk, renewals, task ids + their rows + count, signals (refresh
# log), breakdown (accounts by owner unless cached, tasks by assignee; everyone: the owners), and the
# menu's task badge for those who work tasks.
# + 2 for the missing-exchange-rate warning (the rates of the month, the currencies that lack one)
# +1 since issue 21: the "My upcoming meetings" card asks whether the user has a calendar connected.
# -4 (-3 for everyone's, whose book by owner was cached already) since issue 23: at risk, renewals,
# signals and the book by owner are cached per scope for a minute (selectors.page_cached).
EXPECTED_QUERIES = {Role.MANAGER: 11, Role.ADMIN: 11, Role.READONLY: 10}


@pytest.fixture
def outsider(db):
    """A CSM outside the manager's team, with one red paying account."""
    other = UserFactory(username="olga", role=Role.CSM, first_name="Olga")
    AccountFactory(name="Zeta", owner=other, health_band="red", health_score=20, mrr=50)
    return other


def _home(client, user, **params):
    client.force_login(user)
    return client.get("/", params)


def _at_risk_names(response) -> set[str]:
    return {a.name for a in response.context["at_risk"]}


def test_csm_sees_their_own_book_without_a_switch(client, csm_user, small_book, outsider):
    response = _home(client, csm_user)
    assert response.context["scope"].key == "mine"
    assert response.context["book"]["accounts"] == 2  # Acme, Bolt
    assert _at_risk_names(response) == {"Acme"}
    assert response.context["breakdown"] == []
    assert 'class="scope-switch"' not in response.content.decode()


def test_csm_cannot_ask_for_everyone(client, csm_user, small_book):
    response = _home(client, csm_user, scope="everyone")
    assert response.status_code == 400
    assert "scope" in response.content.decode() and "mine" in response.content.decode()


def test_manager_sees_the_team_by_default_with_a_row_per_member(client, manager_user, csm_user, small_book, outsider):
    response = _home(client, manager_user)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["scope"].key == "team"
    assert response.context["book"]["accounts"] == 4  # the manager's two and the report's two; not Zeta
    assert _at_risk_names(response) == {"Acme"}
    rows = {row["user"].username: row for row in response.context["breakdown"]}
    assert set(rows) == {"manager", "csm"}
    assert (rows["csm"]["accounts"], rows["csm"]["at_risk"]) == (2, 1)
    assert rows["manager"]["accounts"] == 2
    assert "Your book: 0 accounts" not in html
    assert 'data-scope="everyone"' in html and 'data-scope="mine"' in html


def test_manager_switches_to_mine_and_everyone(client, manager_user, small_book, outsider):
    mine = _home(client, manager_user, scope="mine")
    assert mine.context["book"]["accounts"] == 2 and _at_risk_names(mine) == set()
    everyone = client.get("/", {"scope": "everyone"})
    assert everyone.context["book"]["accounts"] == 5
    assert _at_risk_names(everyone) == {"Acme", "Zeta"}
    assert {r["user"].username for r in everyone.context["breakdown"] if r["user"]} == {"manager", "csm", "olga"}


def test_admin_sees_the_whole_book_with_unassigned(client, admin_user, small_book, outsider, today):
    AccountFactory(name="Orphan", owner=None, mrr=10, health_band="red")
    TaskFactory(account=small_book["a"], assignee=None, due_date=today - timedelta(days=2))
    response = _home(client, admin_user)
    assert response.context["scope"].key == "everyone"
    assert response.context["book"]["accounts"] == 6
    assert _at_risk_names(response) == {"Acme", "Zeta", "Orphan"}
    unassigned = [r for r in response.context["breakdown"] if r["user"] is None]
    assert len(unassigned) == 1 and unassigned[0]["accounts"] == 1 and unassigned[0]["overdue_tasks"] == 1


def test_readonly_sees_everyone_and_only_that(client, readonly_user, small_book, outsider):
    response = _home(client, readonly_user)
    assert response.context["scope"].key == "everyone"
    assert response.context["book"]["accounts"] == 5
    assert _home(client, readonly_user, scope="mine").status_code == 400


def test_every_account_name_on_home_is_a_link(client, manager_user, csm_user, small_book, today):
    TaskFactory(account=small_book["b"], assignee=csm_user, title="Call Bolt", due_date=today)
    response = _home(client, manager_user)
    html = response.content.decode()
    for key in ("a", "b", "d"):  # at risk, task, renewal
        account = small_book[key]
        assert f'href="{reverse("accounts:detail", args=[account.pk])}" dir="auto">{account.name}</a>' in html, key


def test_export_follows_the_scope(client, manager_user, small_book, outsider):
    client.force_login(manager_user)
    team = client.get("/", {"export": "at_risk"}).content.decode()
    everyone = client.get("/", {"export": "at_risk", "scope": "everyone"}).content.decode()
    assert "Acme" in team and "Zeta" not in team
    assert "Zeta" in everyone


def _count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("role", "scope"), [(Role.MANAGER, "team"), (Role.ADMIN, "everyone"), (Role.READONLY, "")])
def test_home_query_count_does_not_grow_with_the_book_or_the_team(client, role, scope, today):
    """The same number of queries for 1 CSM with 2 accounts as for 6 CSMs with 60 accounts."""
    from django.core.cache import cache

    viewer = UserFactory(role=role)
    boss = viewer if role == Role.MANAGER else UserFactory(role=Role.MANAGER)

    def grow(csms: int, accounts_each: int):
        for _ in range(csms):
            csm = UserFactory(role=Role.CSM, manager=boss)
            for i in range(accounts_each):
                account = AccountFactory(
                    owner=csm, mrr=100, health_band="red" if i % 2 else "green", renewal_date=today + timedelta(days=9)
                )
                TaskFactory(account=account, assignee=csm, due_date=today - timedelta(days=i % 3))

    grow(1, 2)
    client.force_login(viewer)
    params = {"scope": scope} if scope else {}
    cache.clear()
    small_cold = _count_queries(client, params)
    small = _count_queries(client, params)
    grow(5, 10)
    cache.clear()
    large_cold = _count_queries(client, params)
    large = _count_queries(client, params)
    assert small_cold == large_cold
    assert small == large
    assert large == EXPECTED_QUERIES[role] - 1 + session_queries(), large
