"""Custom field pages: the admin defines, edits and archives fields; the account page shows
them typed and edits one in place (a bad value on the field with 400; a change on the timeline);
read-only users and non-admins are refused."""

import pytest
from django.urls import reverse

from accounts.models import Activity, CustomFieldDefinition
from tests.factories import AccountFactory, CustomFieldDefinitionFactory

pytestmark = pytest.mark.django_db


def test_admin_defines_edits_and_archives(admin_client):
    # given
    admin_client.get(reverse("accounts:custom_field_new"))
    # when
    response = admin_client.post(
        reverse("accounts:custom_field_new"),
        {
            "entity": "account",
            "key": "plan_level",
            "field_type": "choice",
            "label_en": "Plan level",
            "label_ar": "مستوى الخطة",
            "choices_text": "Gold\nSilver\n",
            "filterable": "on",
        },
    )
    # then
    assert response.status_code == 302
    field = CustomFieldDefinition.objects.get()
    assert field.labels == {"en": "Plan level", "ar": "مستوى الخطة"} and field.choices == ["Gold", "Silver"]
    page = admin_client.get(reverse("accounts:custom_field_list")).content.decode()
    assert "Plan level" in page and "plan_level" in page
    # the key and type stay; the labels change
    admin_client.get(reverse("accounts:custom_field_edit", args=[field.pk]))
    response = admin_client.post(
        reverse("accounts:custom_field_edit", args=[field.pk]),
        {"key": "other", "field_type": "text", "label_en": "Level", "choices_text": "Gold\nSilver\nBronze"},
    )
    field.refresh_from_db()
    assert (field.key, field.field_type, field.label, field.choices[-1]) == ("plan_level", "choice", "Level", "Bronze")
    admin_client.get(reverse("accounts:custom_field_list"))
    admin_client.post(reverse("accounts:custom_field_archive", args=[field.pk]))
    field.refresh_from_db()
    assert field.archived


def test_definition_errors_on_the_field(admin_client):
    admin_client.get(reverse("accounts:custom_field_new"))
    response = admin_client.post(
        reverse("accounts:custom_field_new"),
        {"entity": "account", "key": "tier", "field_type": "choice", "label_en": "T"},
    )
    assert response.status_code == 400
    assert "a choice field needs at least one choice" in response.content.decode()


def test_only_admins_manage_definitions(csm_client):
    assert csm_client.get(reverse("accounts:custom_field_list")).status_code == 403


def test_account_page_shows_and_edits_in_place(csm_client, django_assert_max_num_queries):
    # given
    CustomFieldDefinitionFactory(key="seats", field_type="number", labels={"en": "Seats target"})
    CustomFieldDefinitionFactory(key="budget", field_type="money", labels={"en": "Budget"})
    account = AccountFactory(currency="EUR", custom_fields={"seats": 1200})
    page = csm_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "Seats target" in page and "1,200" in page
    url = reverse("accounts:account_custom_field", args=[account.pk, "budget"])
    htmx = {"HX-Request": "true"}
    form = csm_client.get(url + "?edit=1", headers=htmx).content.decode()
    assert 'name="currency" value="EUR"' in form
    # when: a bad value, then a good one
    bad = csm_client.post(url, {"value": "lots", "currency": "EUR"}, headers=htmx)
    assert bad.status_code == 400 and "must be an amount" in bad.content.decode()
    with django_assert_max_num_queries(11):
        good = csm_client.post(url, {"value": "2500.50", "currency": "EUR"}, headers=htmx)
    # then
    assert good.status_code == 200 and "2,500.5 EUR" in good.content.decode()
    account.refresh_from_db()
    assert account.custom_fields["budget"] == {"amount": 2500.5, "currency": "EUR"}
    entry = Activity.objects.get(account=account)
    assert entry.metadata["change"]["fields"]["custom_fields.budget"]["after"] == {"amount": 2500.5, "currency": "EUR"}
    assert entry.kind == "change"
    assert entry.metadata["changes"] == [
        {"field": "custom_fields.budget", "label": "Budget", "before": "", "after": "2,500.5 EUR"}
    ]
    # the timeline shows it as an edit row: label, before (none) and after
    timeline = csm_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert '<ul class="changes">' in timeline and "2,500.5 EUR</ins>" in timeline


def test_readonly_user_cannot_edit(client, readonly_user):
    CustomFieldDefinitionFactory(key="seats", field_type="number")
    account = AccountFactory()
    client.force_login(readonly_user)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "?edit=1" not in page
    url = reverse("accounts:account_custom_field", args=[account.pk, "seats"])
    assert client.post(url, {"value": "3"}).status_code == 403
