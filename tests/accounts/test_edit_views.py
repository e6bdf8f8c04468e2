"""Editing in place over htmx (accounts.edit_views): the row, its form, a save (200 + the
timeline refresh trigger), a bad value (400, the reason on the field), and the book."""

import pytest
from django.urls import reverse

from accounts.choices import ActivityKind, Tier
from accounts.models import Activity
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _open(client, account):
    client.get(reverse("accounts:detail", args=[account.pk]))  # the page that holds the forms


def test_the_account_page_lists_editable_rows(csm_client, csm_user):
    account = AccountFactory(owner=csm_user)
    html = csm_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    for name in ("name", "domain", "owner", "tier", "segment", "lifecycle_stage", "parent", "industry"):
        assert f'id="field-account-{name}"' in html
    assert reverse("accounts:field", args=[account.pk, "tier"]) + "?edit=1" in html


def test_edit_in_place_round_trip(csm_client, csm_user, htmx_headers):
    # given
    account = AccountFactory(owner=csm_user, tier=Tier.STANDARD)
    url = reverse("accounts:field", args=[account.pk, "tier"])
    _open(csm_client, account)
    # when: the pencil, then Save
    form = csm_client.get(url, {"edit": "1"}, **htmx_headers)
    saved = csm_client.post(url, {"value": "key"}, **htmx_headers)
    # then
    assert form.status_code == 200 and '<select name="value"' in form.content.decode()
    assert saved.status_code == 200 and "Key" in saved.content.decode() and "<form" not in saved.content.decode()
    assert "account-changed" in saved["HX-Trigger"]
    account.refresh_from_db()
    assert account.tier == Tier.KEY
    assert Activity.objects.filter(account=account, kind=ActivityKind.CHANGE, author=csm_user).count() == 1


def test_a_bad_value_comes_back_on_the_field_with_400(csm_client, csm_user, htmx_headers):
    account = AccountFactory(owner=csm_user, domain="acme.test")
    url = reverse("accounts:field", args=[account.pk, "domain"])
    _open(csm_client, account)
    response = csm_client.post(url, {"value": "not a domain"}, **htmx_headers)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in html and "domain such as example.com" in html and 'value="not a domain"' in html
    account.refresh_from_db()
    assert account.domain == "acme.test"


def test_unknown_parent_and_cycle_are_field_errors(csm_client, csm_user, htmx_headers):
    parent = AccountFactory(owner=csm_user)
    child = AccountFactory(owner=csm_user, parent=parent)
    _open(csm_client, parent)
    url = reverse("accounts:field", args=[parent.pk, "parent"])
    unknown = csm_client.post(url, {"value": "nope"}, **htmx_headers)
    cycle = csm_client.post(url, {"value": child.external_id}, **htmx_headers)
    assert unknown.status_code == 400 and "No account has the external id nope" in unknown.content.decode()
    assert cycle.status_code == 400 and "cycle" in cycle.content.decode()


def test_outside_the_book_no_pencil_and_403(csm_client, htmx_headers):
    account = AccountFactory(tier=Tier.STANDARD)
    url = reverse("accounts:field", args=[account.pk, "tier"])
    html = csm_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert url + "?edit=1" not in html
    assert csm_client.get(url, {"edit": "1"}, **htmx_headers).status_code == 403
    assert csm_client.post(url, {"value": "key"}, **htmx_headers).status_code == 403
    account.refresh_from_db()
    assert account.tier == Tier.STANDARD


def test_unknown_field_is_404(csm_client, csm_user):
    account = AccountFactory(owner=csm_user)
    assert csm_client.get(reverse("accounts:field", args=[account.pk, "mrr"])).status_code == 404


def test_contact_rows_are_editable(csm_client, csm_user, htmx_headers):
    account = AccountFactory(owner=csm_user)
    contact = ContactFactory(account=account, title="Engineer")
    _open(csm_client, account)
    rows = csm_client.get(reverse("accounts:contact_fields", args=[account.pk, contact.pk]), **htmx_headers)
    assert rows.status_code == 200 and f'id="field-contact-{contact.pk}-title"' in rows.content.decode()
    url = reverse("accounts:contact_field", args=[account.pk, contact.pk, "title"])
    assert csm_client.post(url, {"value": "CTO"}, **htmx_headers).status_code == 200
    bad = csm_client.post(reverse("accounts:contact_field", args=[account.pk, contact.pk, "email"]), {"value": "x"})
    assert bad.status_code == 400
    contact.refresh_from_db()
    assert contact.title == "CTO"
    other = AccountFactory(owner=csm_user)
    wrong = reverse("accounts:contact_field", args=[other.pk, contact.pk, "title"])
    assert csm_client.post(wrong, {"value": "x"}, **htmx_headers).status_code == 404


def test_editing_keeps_the_page_queries_flat(csm_client, csm_user, django_assert_max_num_queries, htmx_headers):
    account = AccountFactory(owner=csm_user)
    _open(csm_client, account)
    url = reverse("accounts:field", args=[account.pk, "owner"])
    with django_assert_max_num_queries(12):
        csm_client.post(url, {"value": str(csm_user.pk)}, **htmx_headers)
