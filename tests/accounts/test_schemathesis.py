"""Schemathesis over the whole OpenAPI schema (what /api/schema/ serves): generated requests, valid and
not, against the WSGI app with a write key; no operation may answer 5xx. Bounded: a few
examples per operation, no shrinking past what hypothesis does by default."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings

from core.choices import APIKeyScope
from core.services import api_key_create
from csplatform.wsgi import application
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory, SupportTicketFactory

# The schema /api/schema/ serves (to signed-in users and API keys only), generated in-process:
# collection runs before any database (and so any API key) exists.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Schemathesis calls the WSGI app directly; like Django's test client, stop the end of each
    request from closing the connection that holds the test's transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def write_key():
    account = AccountFactory(external_id="acme")
    ContactFactory(account=account, external_id="u1")
    SubscriptionFactory(account=account)
    SupportTicketFactory(account=account, external_id="T-1")
    return api_key_create(name="schemathesis", scope=APIKeyScope.WRITE)[1]


@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, write_key):
    from schemathesis.checks import not_a_server_error

    headers = {"Authorization": f"Bearer {write_key}"}
    if case.path.startswith("/v1/"):
        import base64

        headers = {"Authorization": "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()}
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
