"""PostgreSQL only: a generation token for ingest's cache of account and contact ids.

Event ingestion turns external ids into ids for every batch (10,000 rows name ~12,000 accounts
and contacts: ~19 ms a batch, a fifth of the request). `accounts.ingest` keeps what it read in a
per-process cache, valid while this token is unchanged: statement triggers give it a new random
value whenever accounts or contacts are deleted or truncated, or an external id changes, in the
same transaction, so a reader that reads the token before its lookups never keeps an id past
the change (docs/decisions.md "Ingest: ids cached per process"). Inserts need no new token: a
cache holds only ids it found."""

from django.db import migrations

TABLES = ("accounts_account", "accounts_contact")

FORWARDS = [
    "CREATE TABLE accounts_idgeneration (id smallint PRIMARY KEY CHECK (id = 1), "
    "token uuid NOT NULL DEFAULT gen_random_uuid())",
    "INSERT INTO accounts_idgeneration (id) VALUES (1)",
    """CREATE FUNCTION accounts_idgeneration_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts_idgeneration SET token = gen_random_uuid() WHERE id = 1;
    RETURN NULL;
END $$""",
]
for table in TABLES:
    FORWARDS += [
        f"CREATE TRIGGER {table}_ids_gone AFTER DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION accounts_idgeneration_bump()",
        f"CREATE TRIGGER {table}_ids_renamed AFTER UPDATE OF external_id ON {table} FOR EACH ROW "
        "WHEN (OLD.external_id IS DISTINCT FROM NEW.external_id) EXECUTE FUNCTION accounts_idgeneration_bump()",
    ]
BACKWARDS = [f"DROP TRIGGER IF EXISTS {t}_ids_{kind} ON {t}" for t in TABLES for kind in ("gone", "renamed")] + [
    "DROP FUNCTION IF EXISTS accounts_idgeneration_bump()",
    "DROP TABLE IF EXISTS accounts_idgeneration",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARDS:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0012_usage_event_keys_day_leading")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
