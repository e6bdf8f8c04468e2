"""HubSpot both ways: push of health, last-modified-wins conflicts, a crash resumed, a 429
storm, a revoked token, deleted and merged companies, OAuth refresh, the commands."""

import io
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Account, Contact
from accounts.records import record_update
from connectors.choices import ConnectionStatus
from connectors.models import Connection
from connectors.services import connection_create, connection_update, mappings_set

from .helpers import run_sync, seed

pytestmark = pytest.mark.django_db


def _account(ids, i=0):
    return Account.objects.get(external_id=f"hubspot:{ids[i]}")


def test_health_is_pushed_to_company_properties_once(hubspot, hubspot_connection):
    ids = seed(hubspot, companies=2)
    run_sync(hubspot_connection)
    Account.objects.filter(external_id=f"hubspot:{ids[0]}").update(health_score=72, health_band="green")
    run = run_sync(hubspot_connection)
    assert run.pushed == 1
    props = hubspot.records["companies"][ids[0]]["properties"]
    assert props["pulse_health_score"] == "72" and props["pulse_health_band"] == "green"
    assert run_sync(hubspot_connection).pushed == 0  # a rerun pushes nothing
    Account.objects.filter(external_id=f"hubspot:{ids[0]}").update(health_score=40, health_band="red")
    assert run_sync(hubspot_connection).pushed == 1
    assert hubspot.records["companies"][ids[0]]["properties"]["pulse_health_band"] == "red"


def _industry_both_ways(connection):
    mappings_set(
        connection=connection,
        object_key="companies",
        rows=[("name", "name", "pull"), ("domain", "domain", "pull"), ("industry", "industry", "both")],
    )


def test_conflict_ours_later_wins_and_is_pushed(hubspot, hubspot_connection):
    ids = seed(hubspot, companies=1)
    _industry_both_ways(hubspot_connection)
    run_sync(hubspot_connection)
    hubspot.clock = int(time.time() * 1000)
    hubspot.update("companies", ids[0], {"industry": "Theirs"})
    time.sleep(0.05)
    record_update(instance=_account(ids), values={"industry": "Ours"})
    run = run_sync(hubspot_connection)
    assert _account(ids).industry == "Ours"
    assert any("Conflict on industry: ours 'Ours'" in line["message"] for line in run.log)
    assert run.pushed == 1 and hubspot.records["companies"][ids[0]]["properties"]["industry"] == "Ours"
    again = run_sync(hubspot_connection)
    assert (again.updated, again.pushed) == (0, 0)


def test_conflict_theirs_later_wins(hubspot, hubspot_connection):
    ids = seed(hubspot, companies=1)
    _industry_both_ways(hubspot_connection)
    run_sync(hubspot_connection)
    record_update(instance=_account(ids), values={"industry": "Ours"})
    hubspot.clock = int(time.time() * 1000) + 5000
    hubspot.update("companies", ids[0], {"industry": "Theirs"})
    run = run_sync(hubspot_connection)
    assert _account(ids).industry == "Theirs"
    assert any("Conflict on industry: theirs 'Theirs'" in line["message"] for line in run.log)
    assert run.pushed == 0


def test_a_crash_mid_run_resumes_without_duplicates(hubspot, hubspot_connection, small_pages, monkeypatch):
    seed(hubspot, companies=3)
    from connectors.targets import contacts as target

    real, calls = target.contacts_upsert, []

    def crashing(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real(**kwargs)

    monkeypatch.setattr(target, "contacts_upsert", crashing)
    with pytest.raises(RuntimeError):
        run_sync(hubspot_connection)
    assert Contact.objects.count() == 2  # the first page, committed with its cursor
    monkeypatch.setattr(target, "contacts_upsert", real)
    lists_before = hubspot.calls("GET", "/crm/v3/objects/contacts")
    run = run_sync(hubspot_connection)
    assert run.status == "succeeded"
    assert any("Resumed" in line["message"] for line in run.log)
    assert Contact.objects.count() == 6
    assert run.created == 4 + 3  # the contacts left, then the deals (never reached before the crash)
    assert hubspot.calls("GET", "/crm/v3/objects/contacts") - lists_before == 2  # pages 2 and 3 only


def test_a_429_storm_is_ridden_out_and_a_longer_one_fails_cleanly(hubspot, hubspot_connection):
    ids = seed(hubspot, companies=2)
    hubspot.rate_limited = 3
    run = run_sync(hubspot_connection)
    assert run.status == "succeeded" and Account.objects.count() == 2
    hubspot.update("companies", ids[0], {"name": "Later"})
    hubspot.rate_limited = 1000
    failed = run_sync(hubspot_connection)
    assert failed.status == "failed" and "429" in failed.reason
    assert _account(ids).name == "Company 0"
    hubspot.rate_limited = 0
    again = run_sync(hubspot_connection)
    assert again.status == "succeeded" and _account(ids).name == "Later"
    assert Account.objects.count() == 2


def test_a_revoked_token_fails_the_run_with_a_clear_reason_and_writes_nothing(hubspot, hubspot_connection):
    ids = seed(hubspot, companies=2)
    run_sync(hubspot_connection)
    hubspot.update("companies", ids[0], {"name": "Renamed"})
    hubspot.revoke("pat-valid")
    run = run_sync(hubspot_connection)
    assert run.status == "failed"
    assert "refused our credentials" in run.reason and "Authentication credentials not found" in run.reason
    connection = Connection.objects.get(pk=hubspot_connection.pk)
    assert connection.status == ConnectionStatus.NEEDS_AUTH and connection.status_reason == run.reason
    assert _account(ids).name == "Company 0"
    assert run.created == run.updated == 0


def test_a_deleted_company_is_deleted_when_the_connection_says_so(hubspot, hubspot_connection):
    ids = seed(hubspot, companies=3)
    run_sync(hubspot_connection)
    hubspot.archive("companies", ids[1])
    kept = run_sync(hubspot_connection)
    assert Account.objects.filter(external_id=f"hubspot:{ids[1]}").exists()
    assert any("kept" in line["message"] for line in kept.log)
    connection_update(connection=hubspot_connection, deletions="delete")
    hubspot.tick(10)
    hubspot.update("companies", ids[1], {})  # archived again later: reported again
    hubspot.archive("companies", ids[1])
    run = run_sync(hubspot_connection)
    assert run.deleted == 1
    assert not Account.objects.filter(external_id=f"hubspot:{ids[1]}").exists()


def test_a_merged_company_moves_its_contacts_to_the_survivor(hubspot, hubspot_connection):
    ids = seed(hubspot, companies=2)
    connection_update(connection=hubspot_connection, deletions="delete")
    run_sync(hubspot_connection)
    hubspot.merge("companies", ids[0], ids[1])
    run = run_sync(hubspot_connection)
    assert run.status == "succeeded", run.reason
    assert not Account.objects.filter(external_id=f"hubspot:{ids[1]}").exists()
    assert Contact.objects.filter(account__external_id=f"hubspot:{ids[0]}").count() == 4
    assert any("Merged" in line["message"] for line in run.log)


def test_oauth_connection_refreshes_its_expired_token(hubspot, db):
    hubspot.refresh_tokens["rt-1"] = "old"
    hubspot.expired.add("stale")
    connection = connection_create(
        kind="hubspot",
        name="HubSpot OAuth",
        base_url=hubspot.url,
        auth="oauth",
        credentials={"client_id": "cid", "client_secret": "secret", "access_token": "stale", "refresh_token": "rt-1"},
    )
    seed(hubspot, companies=1)
    run = run_sync(connection)
    assert run.status == "succeeded", run.reason
    connection.refresh_from_db()
    assert connection.credentials["access_token"].startswith("oauth-")
    assert "stale" not in connection.credentials_encrypted  # encrypted at rest


def test_commands_add_and_sync(hubspot, db):
    seed(hubspot, companies=2)
    out = io.StringIO()
    call_command("connector_add", kind="hubspot", name="CRM", base_url=hubspot.url, token="pat-valid", stdout=out)
    assert "Added hubspot connection 'CRM'" in out.getvalue()
    out = io.StringIO()
    call_command("connector_sync", "CRM", "--dry-run", stdout=out)
    assert "(dry run) created=8 updated=0 unchanged=1" in out.getvalue() and Account.objects.count() == 0
    out = io.StringIO()
    call_command("connector_sync", "CRM", stdout=out)
    assert "succeeded created=8 updated=0 unchanged=1 failed=0" in out.getvalue()
    out = io.StringIO()
    call_command("connector_sync", "CRM", "--full", stdout=out)
    assert "created=0 updated=0" in out.getvalue()
    with pytest.raises(CommandError, match="no connection named"):
        call_command("connector_sync", "Nope")
    with pytest.raises(CommandError, match="kind"):
        call_command("connector_add", kind="nope", name="X", token="t")
