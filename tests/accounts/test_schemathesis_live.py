"""`schemathesis run --checks all` over the whole OpenAPI schema against a live server (issue 15,
item 21): every check, including that responses match the schema (bodies, status codes, content
types), that invalid requests are refused and valid ones accepted (tests/schemathesis.toml says
which 400s a schema cannot foresee). PostgreSQL only (the live server shares the test database);
bounded: a few examples per operation, a fixed seed, about two minutes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from core.choices import APIKeyScope
from core.services import api_key_create
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory, SupportTicketFactory

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_schemathesis_all_checks_pass(live_server):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    # given: a few records of each kind to read, update and refer to
    for i in range(3):
        account = AccountFactory(external_id=f"acc-{i}")
        ContactFactory(account=account, external_id=f"u-{i}")
        SubscriptionFactory(account=account)
        SupportTicketFactory(account=account, external_id=f"T-{i}")
    key = api_key_create(name="schemathesis", scope=APIKeyScope.WRITE)[1]
    # when
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(ROOT / "tests" / "schemathesis.toml"),
            "--no-color",
            "run",
            f"{live_server.url}/api/schema/",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {key}",
            "--max-examples",
            os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "2"),
            "--seed",
            "7",
            "--phases",
            "examples,coverage,fuzzing",
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    # then
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-3000:]
