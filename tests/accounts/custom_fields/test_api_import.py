"""Custom fields through the API (by key; a wrong type or unknown key is a 400 naming
`custom_fields.<key>`) and the CSV import (a column mapped to a custom field; a bad cell is
reported on its row)."""

import pytest

from accounts.imports import import_job_create, import_job_map, import_job_validate
from accounts.models import Account, Contact
from tests.factories import AccountFactory, CustomFieldDefinitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields():
    CustomFieldDefinitionFactory(key="seats", field_type="number", labels={"en": "Seats target"})
    CustomFieldDefinitionFactory(key="budget", field_type="money")
    CustomFieldDefinitionFactory(key="plan", field_type="choice", choices=["Gold", "Silver"])


def test_api_create_and_patch_by_key(api_write, fields):
    # when
    response = api_write.post(
        "/api/v1/accounts/",
        {"external_id": "acme", "name": "Acme", "currency": "EUR", "custom_fields": {"seats": "40", "budget": 900}},
        format="json",
    )
    # then
    assert response.status_code == 201, response.json()
    assert response.json()["custom_fields"] == {"seats": 40, "budget": {"amount": 900, "currency": "EUR"}}
    # a PATCH sets the keys it names, keeps the others, and null removes one
    Account.objects.filter(external_id="acme").update(
        custom_fields={"seats": 40, "budget": {"amount": 900, "currency": "EUR"}, "stripe_payment_failed_at": "x"}
    )
    response = api_write.patch(
        "/api/v1/accounts/acme/", {"custom_fields": {"plan": "gold", "seats": None}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert Account.objects.get(external_id="acme").custom_fields == {
        "budget": {"amount": 900, "currency": "EUR"},
        "plan": "Gold",
        "stripe_payment_failed_at": "x",
    }


def test_api_wrong_type_and_unknown_key_are_400_naming_the_key(api_write, fields):
    AccountFactory(external_id="acme")
    response = api_write.patch(
        "/api/v1/accounts/acme/", {"custom_fields": {"seats": "many", "colour": "red"}}, format="json"
    )
    assert response.status_code == 400
    errors = {e["field"]: e["reason"] for e in response.json()["errors"]}
    assert errors == {
        "custom_fields.seats": "must be a number",
        "custom_fields.colour": "unknown custom field (define it first)",
    }
    response = api_write.post(
        "/api/v1/accounts/", [{"external_id": "x", "name": "X", "custom_fields": {"plan": "Bronze"}}], format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "custom_fields.plan"
    assert response.json()["errors"][0]["index"] == 0


def test_api_contact_custom_fields(api_write):
    CustomFieldDefinitionFactory(entity="contact", key="champion", field_type="boolean")
    AccountFactory(external_id="acme")
    response = api_write.post(
        "/api/v1/contacts/",
        {"external_id": "u1", "account": "acme", "custom_fields": {"champion": "yes"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Contact.objects.get(external_id="u1").custom_fields == {"champion": True}


CSV = "Account ID,Company,Seats target,Plan\nacme,Acme,120,Gold\nglobex,Globex,lots,Silver\ninitech,Initech,,Bronze\n"


def test_csv_maps_columns_to_custom_fields_and_reports_bad_rows(fields):
    # given: the header names the fields by label and by key
    job = import_job_create(kind="accounts", file_name="a.csv", content=CSV.encode())
    assert job.mapping["custom_fields.seats"] == "Seats target"
    assert job.mapping["custom_fields.plan"] == "Plan"
    # when
    job = import_job_validate(job=job)
    # then: each bad cell on its row, with its column and value
    errors = {(e["row"], e["field"]): e for e in job.errors}
    assert set(errors) == {(3, "custom_fields.seats"), (4, "custom_fields.plan")}
    assert errors[(3, "custom_fields.seats")]["column"] == "Seats target"
    assert errors[(3, "custom_fields.seats")]["value"] == "lots"
    assert "must be a number" in errors[(3, "custom_fields.seats")]["reason"]
    assert job.status == "invalid"


def test_csv_valid_rows_mode_imports_the_good_rows(fields, django_capture_on_commit_callbacks):
    from accounts.imports import import_job_queue

    job = import_job_create(kind="accounts", file_name="a.csv", content=CSV.encode(), mode="valid_rows")
    job = import_job_map(
        job=job,
        columns={"external_id": "Account ID", "name": "Company", "custom_fields.seats": "Seats target"},
        mode="valid_rows",
    )
    job = import_job_validate(job=job)
    assert job.status == "validated"
    with django_capture_on_commit_callbacks(execute=True):
        import_job_queue(job=job)
    assert Account.objects.get(external_id="acme").custom_fields == {"seats": 120}
    assert Account.objects.get(external_id="initech").custom_fields == {}
    assert not Account.objects.filter(external_id="globex").exists()
