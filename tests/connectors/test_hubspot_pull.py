"""HubSpot → Pulse: a first load against the local HubSpot, reruns, paging with late parents,
owners by e-mail, deals as opportunities, dry runs."""

import pytest

from accounts.models import Account, Contact
from connectors.models import SyncCursor
from renewals.models import Opportunity
from tests.factories import UserFactory

from .helpers import run_sync, seed

pytestmark = pytest.mark.django_db


def test_first_load_writes_companies_contacts_deals_and_links(hubspot, hubspot_connection, small_pages):
    owner = UserFactory(email="owner@example.com", role="csm")
    ids = seed(hubspot, companies=3)
    run = run_sync(hubspot_connection)
    assert run.status == "succeeded", run.reason
    assert Account.objects.filter(external_id__startswith="hubspot:").count() == 3
    child = Account.objects.get(external_id=f"hubspot:{ids[-1]}")
    assert child.parent.external_id == f"hubspot:{ids[0]}"  # the parent came on an earlier page
    assert child.owner == owner and child.domain == "c2.example" and child.industry == "Software"
    assert Contact.objects.count() == 6
    ann = Contact.objects.get(email="ann00@c0.example")
    assert ann.name == "Ann00 Lee" and ann.account.external_id == f"hubspot:{ids[0]}"
    deals = Opportunity.objects.filter(external_id__startswith="hubspot:")
    assert deals.count() == 3
    deal = deals.first()
    assert deal.kind == "renewal" and str(deal.amount) == "1200.50" and deal.close_date.isoformat() == "2027-03-01"
    assert deal.owner is None or deal.owner == owner
    assert run.created == 3 + 6 + 3
    assert run.failed == 0


def test_a_rerun_changes_nothing(hubspot, hubspot_connection, small_pages):
    seed(hubspot)
    first = run_sync(hubspot_connection)
    stamps = dict(Account.objects.values_list("pk", "updated_at"))
    again = run_sync(hubspot_connection)
    assert again.status == "succeeded"
    assert (again.created, again.updated, again.failed, again.pushed) == (0, 0, 0, 0)
    full = run_sync(hubspot_connection, full=True)
    assert (full.created, full.updated, full.pushed) == (0, 0, 0)
    assert full.unchanged >= first.created
    assert dict(Account.objects.values_list("pk", "updated_at")) == stamps


def test_incremental_pull_takes_only_what_changed(hubspot, hubspot_connection):
    ids = seed(hubspot, companies=3)
    run_sync(hubspot_connection)
    hubspot.update("companies", ids[1], {"name": "Renamed Co"})
    before = hubspot.calls("GET", "/crm/v3/objects/companies")
    run = run_sync(hubspot_connection)
    assert run.updated == 1
    assert Account.objects.get(external_id=f"hubspot:{ids[1]}").name == "Renamed Co"
    assert hubspot.calls("POST", "/crm/v3/objects/companies/search") >= 1  # modified-since, not the list
    assert hubspot.calls("GET", "/crm/v3/objects/companies") == before + 1  # only the archived list
    assert SyncCursor.objects.get(connection=hubspot_connection, object_key="companies").since is not None


def test_dry_run_writes_nothing(hubspot, hubspot_connection):
    seed(hubspot)
    run = run_sync(hubspot_connection, dry_run=True)
    assert run.status == "succeeded"
    assert run.created == 3 + 6 + 3
    assert Account.objects.count() == 0 and Contact.objects.count() == 0 and Opportunity.objects.count() == 0
    assert not SyncCursor.objects.filter(connection=hubspot_connection, since__isnull=False).exists()
    assert hubspot.pushed == []


def test_a_record_that_cannot_be_written_fails_alone_and_retries(hubspot, hubspot_connection):
    seed(hubspot, companies=2)
    bad = hubspot.add("contacts", {"firstname": "Bad", "email": "not-an-address"})
    run = run_sync(hubspot_connection)
    assert run.status == "succeeded" and run.failed == 1
    failure = run.failures.get()
    assert failure.remote_id == str(bad) and "e-mail" in failure.reason
    assert Contact.objects.count() == 4
    hubspot.update("contacts", bad, {"email": "good@example.com"})
    retry = run_sync(hubspot_connection, retry_of=run)
    assert retry.status == "succeeded" and retry.created == 1 and retry.failed == 0
    failure.refresh_from_db()
    assert failure.resolved_at is not None
    assert Contact.objects.filter(email="good@example.com").exists()


def test_only_the_chosen_pipelines_deals_come_in(hubspot, hubspot_connection):
    from connectors.services import connection_update

    ids = seed(hubspot, companies=1)
    hubspot.add(
        "deals",
        {
            "amount": "10",
            "closedate": "2027-01-01",
            "dealstage": "closedwon",
            "pipeline": "sales",
            "dealtype": "newbusiness",
        },
        company=ids[0],
    )
    connection_update(connection=hubspot_connection, options={"pipeline": "default"})
    run_sync(hubspot_connection)
    assert Opportunity.objects.count() == 1
    connection_update(connection=hubspot_connection, options={"pipeline": "sales"})
    run_sync(hubspot_connection, full=True)
    sales = Opportunity.objects.exclude(pk=Opportunity.objects.order_by("pk").first().pk).get()
    assert sales.kind == "expansion" and sales.status == "won"
