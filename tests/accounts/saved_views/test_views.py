"""Saved view pages: the portfolio's tabs and ?view=, the builder (save, errors on the row,
live count, rows by htmx), delete, counts after the page, CSV export; query counts flat."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import SavedView
from tests.factories import AccountFactory, CustomFieldDefinitionFactory, SavedViewFactory

pytestmark = pytest.mark.django_db

KEY = {"match": "all", "groups": [{"match": "all", "conditions": [{"field": "tier", "op": "in", "value": ["key"]}]}]}


def _post_builder(client, url, data):
    client.get(reverse("accounts:view_new"))  # the page that holds the form (CSRF token)
    return client.post(url, data)


def test_portfolio_applies_a_view_and_shows_tabs(csm_client, csm_user, django_assert_max_num_queries):
    # given
    view = SavedViewFactory(owner=csm_user, name="Key accounts", definition=KEY)
    SavedViewFactory(name="Someone's private", definition=KEY)
    for i in range(30):
        AccountFactory(name=f"Key {i}", tier="key")
    AccountFactory(name="Std one", tier="standard")
    # when
    with django_assert_max_num_queries(16):
        response = csm_client.get(reverse("accounts:portfolio") + f"?view={view.pk}")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Key accounts" in html and "Someone&#x27;s private" not in html
    assert "Key 1" in html and "Std one" not in html
    assert f'href="{reverse("accounts:view_export", args=[view.pk])}"' in html


def test_tab_counts_load_after_the_page(csm_client, csm_user, django_assert_max_num_queries):
    views = [SavedViewFactory(owner=csm_user, definition=KEY) for _ in range(3)]
    AccountFactory(tier="key")
    with django_assert_max_num_queries(3 + len(views)):
        response = csm_client.get(reverse("accounts:view_counts"), headers={"HX-Request": "true"})
    for view in views:
        assert f'id="view-count-{view.pk}" hx-swap-oob="true">1<' in response.content.decode()


def test_builder_saves_a_view_with_groups(csm_client, csm_user):
    data = {
        "name": "Enterprise at risk",
        "match": "any",
        "shared": "on",
        "g0-match": "all",
        "g0-a1-field": "tier",
        "g0-a1-op": "in",
        "g0-a1-value": ["key", "strategic"],
        "g0-b2-field": "arr",
        "g0-b2-op": "between",
        "g0-b2-value": "1000",
        "g0-b2-value2": "50000",
        "g1-match": "any",
        "g1-c3-field": "health_band",
        "g1-c3-op": "in",
        "g1-c3-value": "red",
        "g1-d4-field": "detractor_quarter",
        "g1-d4-op": "is_true",
    }
    response = _post_builder(csm_client, reverse("accounts:view_new"), data)
    assert response.status_code == 302
    view = SavedView.objects.get()
    assert response["Location"] == f"{reverse('accounts:portfolio')}?view={view.pk}"
    assert view.shared and view.owner == csm_user
    assert view.definition == {
        "match": "any",
        "groups": [
            {
                "match": "all",
                "conditions": [
                    {"field": "tier", "op": "in", "value": ["key", "strategic"]},
                    {"field": "arr", "op": "between", "value": [1000, 50000]},
                ],
            },
            {
                "match": "any",
                "conditions": [
                    {"field": "health_band", "op": "in", "value": ["red"]},
                    {"field": "detractor_quarter", "op": "is_true", "value": None},
                ],
            },
        ],
    }


def test_builder_errors_land_on_their_row(csm_client):
    data = {
        "name": "x",
        "g0-a1-field": "tier",
        "g0-a1-op": "in",
        "g0-b2-field": "arr",
        "g0-b2-op": "gte",
        "g0-b2-value": "lots",
    }
    response = _post_builder(csm_client, reverse("accounts:view_new"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="cond-row has-error" id="row-g0-b2"' in html
    assert "must be a number" in html
    assert "pick at least one value" in html
    assert not SavedView.objects.exists()


def test_readonly_user_cannot_share_from_the_builder(client, readonly_user):
    client.force_login(readonly_user)
    data = {"name": "x", "shared": "on", "g0-a1-field": "tier", "g0-a1-op": "in", "g0-a1-value": "key"}
    response = _post_builder(client, reverse("accounts:view_new"), data)
    assert response.status_code == 403
    data.pop("shared")
    assert _post_builder(client, reverse("accounts:view_new"), data).status_code == 302


def test_live_count_and_rows(csm_client):
    AccountFactory(tier="key", mrr=Decimal("100"))
    AccountFactory(tier="standard")
    csm_client.get(reverse("accounts:view_new"))
    response = csm_client.post(
        reverse("accounts:view_count"),
        {"g0-a1-field": "tier", "g0-a1-op": "in", "g0-a1-value": "key"},
        headers={"HX-Request": "true"},
    )
    assert '<strong data-testid="live-count">1</strong>' in response.content.decode()
    response = csm_client.get(
        reverse("accounts:view_row") + "?g=0&rid=zz9&g0-zz9-field=renewal_days", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'id="row-g0-zz9"' in html and 'name="g0-zz9-value"' in html and "days" in html
    assert response["HX-Trigger"] == '{"rows-changed": true}'
    response = csm_client.get(reverse("accounts:view_row") + "?new_group=1&g=3", headers={"HX-Request": "true"})
    assert 'id="group-3"' in response.content.decode()
    assert "g=4" in response.content.decode()  # the next "Add a group" asks for group 4


def test_edit_and_delete_only_own_views(csm_client, csm_user):
    mine = SavedViewFactory(owner=csm_user, definition=KEY)
    theirs = SavedViewFactory(shared=True, definition=KEY)
    assert csm_client.get(reverse("accounts:view_edit", args=[mine.pk])).status_code == 200
    assert csm_client.get(reverse("accounts:view_edit", args=[theirs.pk])).status_code == 403
    response = csm_client.post(reverse("accounts:view_delete", args=[theirs.pk]))
    assert response.status_code == 403
    csm_client.get(reverse("accounts:view_edit", args=[mine.pk]))
    assert csm_client.post(reverse("accounts:view_delete", args=[mine.pk])).status_code == 302
    assert list(SavedView.objects.all()) == [theirs]


def test_export_csv_with_custom_fields(csm_client, csm_user):
    CustomFieldDefinitionFactory(key="seats", field_type="number", labels={"en": "Seats"})
    view = SavedViewFactory(owner=csm_user, name="Key accounts", definition=KEY)
    AccountFactory(name="=cmd", tier="key", custom_fields={"seats": 1200})
    AccountFactory(name="Other", tier="standard")
    response = csm_client.get(reverse("accounts:view_export", args=[view.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="key-accounts.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-1] == "Seats"
    assert len(rows) == 2
    assert rows[1][1] == "'=cmd" and rows[1][-1] == "1,200"


def test_sort_by_custom_field(csm_client):
    CustomFieldDefinitionFactory(key="seats", field_type="number", labels={"en": "Seats"})
    AccountFactory(name="Few", custom_fields={"seats": 3})
    AccountFactory(name="Many", custom_fields={"seats": 300})
    AccountFactory(name="None")
    html = csm_client.get(reverse("accounts:portfolio") + "?sort=cf.seats").content.decode()
    assert html.index("Many") < html.index("Few") < html.index("None")
    assert '<option value="cf.seats" selected>Seats</option>' in html
