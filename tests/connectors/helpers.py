"""Helpers of the connectors tests."""

from connectors.models import SyncRun
from connectors.sync import sync_run_execute


def run_sync(connection, **kwargs) -> SyncRun:
    connection.refresh_from_db()
    return sync_run_execute(run=SyncRun.objects.create(connection=connection, **kwargs))


def seed(fake, *, companies=3, contacts_each=2, deals_each=1):
    """A small HubSpot book: companies (the first one the parent of the last), their contacts
    and a renewal deal each, and an owner."""
    owner = fake.add_owner("owner@example.com", "Olive", "Owner")
    ids = []
    for i in range(companies):
        cid = fake.add(
            "companies",
            {"name": f"Company {i}", "domain": f"c{i}.example", "industry": "Software", "hubspot_owner_id": owner},
        )
        ids.append(cid)
        for j in range(contacts_each):
            fake.add(
                "contacts",
                {"firstname": f"Ann{i}{j}", "lastname": "Lee", "email": f"ann{i}{j}@c{i}.example"},
                company=cid,
            )
        for _k in range(deals_each):
            fake.add(
                "deals",
                {
                    "dealname": f"Renewal {i}",
                    "amount": "1200.50",
                    "closedate": "2027-03-01T00:00:00Z",
                    "dealstage": "appointmentscheduled",
                    "pipeline": "default",
                    "dealtype": "existingbusiness",
                },
                company=cid,
            )
    if companies > 1:
        fake.set_parent(ids[-1], ids[0])
    return ids
