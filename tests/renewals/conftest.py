import importlib

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def default_reason_codes(db):
    """The default reason list as the data migration writes it (a transactional test elsewhere
    flushes the tables, migration rows included, so each test puts them back; get_or_create)."""
    migration = importlib.import_module("renewals.migrations.0001_risks")
    migration.reasons_add(apps, None)
