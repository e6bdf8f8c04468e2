"""Salesforce ↔ Pulse against the local org: Bulk API 2.0 first load, SOQL on SystemModstamp
after it, deletions and merges from queryAll, the org's request limit, an invalid session,
health pushed to Account fields, the OAuth web-server flow with PKCE."""

import pytest

from accounts.models import Account, Contact
from connectors.oauth import oauth_authorize_url, oauth_finish
from connectors.services import connection_create, connection_update
from renewals.models import Opportunity
from tests.factories import UserFactory

from .helpers import run_sync

pytestmark = pytest.mark.django_db


def _org(fake):
    user = fake.add("User", {"Email": "rep@example.com", "FirstName": "Rae", "IsActive": True})
    parent = fake.add("Account", {"Name": "Globex Holdings", "Industry": "Energy", "OwnerId": user})
    child = fake.add("Account", {"Name": "Globex EU", "ParentId": parent, "OwnerId": user})
    contacts = [
        fake.add(
            "Contact", {"FirstName": f"C{i}", "LastName": "Doe", "Email": f"c{i}@globex.example", "AccountId": child}
        )
        for i in range(3)
    ]
    opp = fake.add(
        "Opportunity",
        {
            "Name": "Renewal",
            "Amount": 5000,
            "CloseDate": "2027-01-31",
            "StageName": "Closed Won",
            "Type": "Renewal",
            "AccountId": child,
            "OwnerId": user,
        },
    )
    return parent, child, contacts, opp


def test_first_load_by_bulk_then_incremental_by_soql(salesforce, salesforce_connection, monkeypatch):
    from connectors.vendors.salesforce import client

    monkeypatch.setattr(client, "BULK_PAGE", 2)
    rep = UserFactory(email="rep@example.com", role="csm")
    parent, child, _contacts, opp = _org(salesforce)
    run = run_sync(salesforce_connection)
    assert run.status == "succeeded", run.reason
    assert salesforce.calls("POST", "/services/data/v59.0/jobs/query") == 4  # one job per object
    account = Account.objects.get(external_id=f"salesforce:{child}")
    assert account.parent.external_id == f"salesforce:{parent}" and account.owner == rep
    assert Contact.objects.filter(account=account).count() == 3
    deal = Opportunity.objects.get(external_id=f"salesforce:{opp}")
    assert deal.status == "won" and str(deal.amount) == "5000.00" and deal.kind == "renewal"
    salesforce.update("Account", child, {"Name": "Globex Europe"})
    again = run_sync(salesforce_connection)
    assert (again.created, again.updated) == (0, 1)
    assert salesforce.calls("GET", "/services/data/v59.0/query") >= 4  # SOQL on SystemModstamp now
    assert Account.objects.get(pk=account.pk).name == "Globex Europe"
    assert run_sync(salesforce_connection).updated == 0


def test_deleted_and_merged_accounts(salesforce, salesforce_connection):
    parent, child, _contacts, _opp = _org(salesforce)
    other = salesforce.add("Account", {"Name": "Initech"})
    connection_update(connection=salesforce_connection, deletions="delete")
    run_sync(salesforce_connection)
    salesforce.delete("Account", other)
    salesforce.update("Account", parent, {"Name": "Globex"})
    salesforce.delete("Account", child, merged_into=parent)  # a merge: the loser names its master
    run = run_sync(salesforce_connection)
    assert run.status == "succeeded", run.reason
    assert not Account.objects.filter(external_id=f"salesforce:{other}").exists()
    assert not Account.objects.filter(external_id=f"salesforce:{child}").exists()
    assert Contact.objects.filter(account__external_id=f"salesforce:{parent}").count() == 3


def test_the_orgs_request_limit_fails_the_run_with_its_reason(salesforce, salesforce_connection):
    _org(salesforce)
    salesforce.rate_limited = 1
    run = run_sync(salesforce_connection)
    assert run.status == "failed" and "REQUEST_LIMIT_EXCEEDED" in run.reason
    assert Account.objects.count() == 0
    assert run_sync(salesforce_connection).status == "succeeded"


def test_an_invalid_session_needs_authorisation(salesforce, salesforce_connection):
    _org(salesforce)
    salesforce.revoke("sf-valid")
    run = run_sync(salesforce_connection)
    assert run.status == "failed" and "INVALID_SESSION_ID" in run.reason
    salesforce_connection.refresh_from_db()
    assert salesforce_connection.status == "needs_auth"


def test_health_is_pushed_to_account_fields(salesforce, salesforce_connection):
    _parent, child, _c, _o = _org(salesforce)
    run_sync(salesforce_connection)
    Account.objects.filter(external_id=f"salesforce:{child}").update(health_score=35, health_band="red")
    run = run_sync(salesforce_connection)
    assert run.pushed == 1
    assert salesforce.records["Account"][child]["Pulse_Health_Score__c"] == 35
    assert salesforce.records["Account"][child]["Pulse_Health_Band__c"] == "red"
    assert run_sync(salesforce_connection).pushed == 0


def test_oauth_web_server_flow_with_pkce(salesforce, db):
    import requests

    connection = connection_create(
        kind="salesforce",
        name="SF OAuth",
        base_url=salesforce.url,
        auth="oauth",
        credentials={"client_id": "cid", "client_secret": "secret"},
    )
    url, kept = oauth_authorize_url(connection=connection, redirect_uri="http://testserver/cb")
    assert "code_challenge_method=S256" in url and kept["verifier"]
    answer = requests.get(url, allow_redirects=False, verify=salesforce.ca_file, timeout=5)
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    with pytest.raises(Exception, match="state"):
        oauth_finish(connection=connection, code=code, state="forged", kept=kept, redirect_uri="http://testserver/cb")
    oauth_finish(connection=connection, code=code, state=kept["state"], kept=kept, redirect_uri="http://testserver/cb")
    connection.refresh_from_db()
    assert connection.status == "active" and connection.credentials["instance_url"] == salesforce.url
    _org(salesforce)
    assert run_sync(connection).status == "succeeded"
