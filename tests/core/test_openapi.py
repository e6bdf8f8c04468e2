"""The OpenAPI schema describes the code without warnings, and docs/openapi.yaml is that schema
as production (PostgreSQL) serves it. Regenerate it with `make schema` after changing the API."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "openapi.yaml"


def test_schema_validates_and_matches_the_committed_copy(tmp_path):
    # A separate process: integer ranges in the schema follow the database backend, and the
    # committed copy is PostgreSQL's whatever database this test run uses. Nothing is contacted.
    out = tmp_path / "openapi.yaml"
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://schema@127.0.0.1:1/schema",
        "DJANGO_SETTINGS_MODULE": "csplatform.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.read_text() == COMMITTED.read_text(), "docs/openapi.yaml is stale: run `make schema`"


@pytest.mark.django_db
def test_the_schema_and_its_docs_are_for_signed_in_users_and_api_keys(csm_user, api_read):
    from tests.conftest import BrowserLikeClient

    anonymous = BrowserLikeClient()
    assert anonymous.get("/api/schema/").status_code == 401
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")
    signed_in = BrowserLikeClient()
    signed_in.force_login(csm_user)
    assert signed_in.get("/api/schema/").status_code == 200
    assert signed_in.get("/api/docs/").status_code == 200
    assert api_read.get("/api/schema/").status_code == 200
