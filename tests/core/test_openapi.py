"""The OpenAPI schema describes the code without warnings, and docs/openapi.yaml is that schema
as production (PostgreSQL) serves it. Regenerate it with `make schema` after changing the API."""

import os
import subprocess
import sys
from pathlib import Path

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
