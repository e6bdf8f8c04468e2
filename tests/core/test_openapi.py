"""The OpenAPI schema describes the code without warnings, and docs/openapi.yaml is that schema
(regenerate it with `make schema` after changing the API)."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_schema_validates_and_matches_the_committed_copy():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert out.getvalue() == COMMITTED.read_text(), "docs/openapi.yaml is stale: run `make schema`"
