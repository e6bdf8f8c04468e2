"""`opportunities_create_many`: a CRM's first load of opportunities in one insert, checked as
one by one."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from renewals.models import Opportunity
from renewals.services import opportunities_create_many
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_many_opportunities_in_one_insert_with_the_defaults_of_one():
    owner = UserFactory(role="csm")
    account = AccountFactory(owner=owner, currency="EUR")
    made = opportunities_create_many(
        items=[
            {"account": account, "amount": "100", "close_date": date(2027, 1, 1), "external_id": "crm:1"},
            {
                "account": account,
                "amount": 250.5,
                "close_date": date(2027, 2, 1),
                "external_id": "crm:2",
                "kind": "expansion",
            },
        ]
    )
    assert len(made) == 2
    first = Opportunity.objects.get(external_id="crm:1")
    assert first.currency == "EUR" and first.owner == owner and first.status == "open" and first.stage_id
    assert Opportunity.objects.get(external_id="crm:2").kind == "expansion"


def test_one_bad_item_writes_nothing():
    account = AccountFactory()
    opportunities_create_many(
        items=[{"account": account, "amount": 1, "close_date": date(2027, 1, 1), "external_id": "x"}]
    )
    with pytest.raises(ValidationError):
        opportunities_create_many(
            items=[
                {"account": account, "amount": 1, "close_date": date(2027, 1, 1), "external_id": "y"},
                {"account": account, "amount": -5, "close_date": date(2027, 1, 1), "external_id": "z"},
            ]
        )
    with pytest.raises(ValidationError, match="external id exists"):
        opportunities_create_many(
            items=[{"account": account, "amount": 1, "close_date": date(2027, 1, 1), "external_id": "x"}]
        )
    assert list(Opportunity.objects.values_list("external_id", flat=True)) == ["x"]
