"""The portfolio's bulk bar and the reassignment page (accounts.reassign_views)."""

import pytest
from django.urls import reverse

from accounts.models import Account, ReassignmentJob
from core.choices import Role
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def taking(manager_user):
    return UserFactory(role=Role.CSM, manager=manager_user, first_name="Tia", last_name="Taker")


def _portfolio(client):
    return client.get(reverse("accounts:portfolio")).content.decode()


def test_the_bulk_bar_is_for_people_who_work_accounts(client, manager_user, readonly_user):
    AccountFactory()
    client.force_login(readonly_user)
    assert 'id="reassign-form"' not in _portfolio(client)
    client.force_login(manager_user)
    html = _portfolio(client)
    assert 'id="reassign-form"' in html and 'name="account_ids"' in html and 'value="tasks"' in html


def test_ticked_accounts_move_and_the_undo_brings_them_back(client, manager_user, taking, csm_user, htmx_headers):
    # given
    accounts = [AccountFactory(owner=csm_user) for _ in range(3)]
    client.force_login(manager_user)
    _portfolio(client)
    # when
    response = client.post(
        reverse("accounts:reassign"),
        {"account_ids": [a.pk for a in accounts[:2]], "to_owner": taking.pk, "steps": ["tasks"]},
        **htmx_headers,
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200 and "Moved 2 accounts to Tia Taker." in html
    assert "portfolio-changed" in response["HX-Trigger"]
    assert Account.objects.filter(owner=taking).count() == 2
    job = ReassignmentJob.objects.get()
    undo = client.post(reverse("accounts:reassignment_undo", args=[job.pk]), **htmx_headers)
    assert undo.status_code == 200 and "Undone" in undo.content.decode()
    assert Account.objects.filter(owner=csm_user).count() == 3


def test_all_matching_uses_the_portfolio_filters(client, manager_user, taking, csm_user, htmx_headers):
    AccountFactory(owner=csm_user, tier="key", name="Key one")
    AccountFactory(owner=csm_user, tier="key", name="Key two")
    AccountFactory(owner=csm_user, tier="standard", name="Standard")
    client.force_login(manager_user)
    _portfolio(client)
    response = client.post(
        reverse("accounts:reassign"),
        {"all_matching": "1", "filters": "tier=key", "to_owner": taking.pk},
        **htmx_headers,
    )
    assert response.status_code == 200
    assert set(Account.objects.filter(owner=taking).values_list("name", flat=True)) == {"Key one", "Key two"}


def test_bad_input_is_a_400_with_the_reason(client, manager_user, csm_user, htmx_headers):
    account = AccountFactory(owner=csm_user)
    client.force_login(manager_user)
    _portfolio(client)
    no_owner = client.post(reverse("accounts:reassign"), {"account_ids": [account.pk]}, **htmx_headers)
    nothing = client.post(reverse("accounts:reassign"), {"to_owner": csm_user.pk}, **htmx_headers)
    assert no_owner.status_code == 400 and "New owner" in no_owner.content.decode()
    assert nothing.status_code == 400 and "Select at least one account" in nothing.content.decode()


def test_outside_the_book_is_403(client, csm_user, taking, htmx_headers):
    account = AccountFactory()
    client.force_login(csm_user)
    _portfolio(client)
    response = client.post(
        reverse("accounts:reassign"), {"account_ids": [account.pk], "to_owner": taking.pk}, **htmx_headers
    )
    assert response.status_code == 403 and "None of these accounts is in your book" in response.content.decode()


def test_the_job_page_shows_progress(client, manager_user, taking):
    job = ReassignmentJob.objects.create(to_owner=taking, created_by=manager_user, account_ids=[1, 2], total=2)
    client.force_login(manager_user)
    html = client.get(reverse("accounts:reassignment", args=[job.pk])).content.decode()
    assert 'role="progressbar"' in html and 'hx-trigger="every 1s"' in html
    other = UserFactory(role=Role.CSM)
    client.force_login(other)
    assert client.get(reverse("accounts:reassignment", args=[job.pk])).status_code == 403
