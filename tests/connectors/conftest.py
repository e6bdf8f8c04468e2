"""Fixtures of the connectors tests: a local HubSpot (a real HTTP server on 127.0.0.1) and a
connection to it, with the retry waits turned down."""

import pytest

from connectors.fakes import HubSpotFake
from connectors.services import connection_create


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.CONNECTOR_BACKOFF = 0.001
    settings.CONNECTOR_BACKOFF_MAX = 0.01
    settings.CONNECTOR_RETRIES = 4


@pytest.fixture
def hubspot():
    with HubSpotFake() as fake:
        yield fake


@pytest.fixture
def hubspot_connection(db, hubspot):
    return connection_create(kind="hubspot", name="HubSpot", base_url=hubspot.url, token="pat-valid")


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 2 records, so paging, resumption and late parents show with a handful of rows."""
    from connectors.vendors.hubspot import client

    monkeypatch.setattr(client, "PAGE", 2)


@pytest.fixture
def salesforce(settings):
    from connectors.fakes import SalesforceFake

    with SalesforceFake() as fake:
        settings.CONNECTOR_CA_BUNDLE = fake.ca_file
        yield fake


@pytest.fixture
def salesforce_connection(db, salesforce):
    return connection_create(kind="salesforce", name="Salesforce", base_url=salesforce.url, token="sf-valid")
