"""The usage models moved from accounts without moving data (usage 0001/0002, accounts 0017):
rows written at main's schema (accounts 0016, no usage app) are there after the move, the
content types keep their ids (permissions and admin log follow), and the move runs backwards
and forwards again."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Transactional: SQLite's schema editor refuses to run inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0016_activity_account_kind_time"), ("usage", None)]
MODELS = ("usageevent", "accountdailyusage", "accountdailycontact")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _leaves():
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] in ("accounts", "usage")]


def _content_types():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT model, app_label, id FROM django_content_type WHERE model IN (%s, %s, %s) ORDER BY model",
            list(MODELS),
        )
        return {model: (app, pk) for model, app, pk in cursor.fetchall()}


def test_the_move_keeps_rows_and_content_types_backwards_and_forwards():
    # given: the schema of main before the move, with rows written through accounts' models
    leaves = _leaves()
    moved_ids = {model: pk for model, (_, pk) in _content_types().items()}
    try:
        _moved_and_back(leaves, moved_ids)
    finally:
        _migrate(leaves)  # the next tests need today's schema


def _moved_and_back(leaves, moved_ids):
    old = _migrate(BEFORE)
    assert {app for app, _ in _content_types().values()} == {"accounts"}
    Account = old.get_model("accounts", "Account")
    account = Account.objects.create(external_id="mig-acme", name="Acme")
    old.get_model("accounts", "UsageEvent").objects.create(
        account_id=account.pk, event="login", occurred_at=datetime(2026, 1, 5, tzinfo=UTC), message_id="m-1"
    )
    old.get_model("accounts", "AccountDailyUsage").objects.create(account_id=account.pk, day="2026-01-05", events=1)
    old.get_model("accounts", "AccountDailyContact").objects.create(
        account_id=account.pk, day="2026-01-05", contact_id=7
    )

    # when: forwards
    new = _migrate(leaves)

    # then: the same rows through usage's models, content types under usage with their ids
    assert new.get_model("usage", "UsageEvent").objects.get(account_id=account.pk).message_id == "m-1"
    assert new.get_model("usage", "AccountDailyUsage").objects.get(account_id=account.pk).events == 1
    assert new.get_model("usage", "AccountDailyContact").objects.get(account_id=account.pk).contact_id == 7
    assert _content_types() == {model: ("usage", pk) for model, pk in moved_ids.items()}

    # and backwards, then forwards again
    back = _migrate(BEFORE)
    assert back.get_model("accounts", "UsageEvent").objects.filter(account_id=account.pk).count() == 1
    assert _content_types() == {model: ("accounts", pk) for model, pk in moved_ids.items()}
    again = _migrate(leaves)
    assert again.get_model("usage", "UsageEvent").objects.filter(account_id=account.pk).count() == 1
    assert _content_types() == {model: ("usage", pk) for model, pk in moved_ids.items()}
