"""PostgreSQL only: trigram indexes for the portfolio search (name / domain contain the text).

Django's `icontains` compiles to `UPPER(col::text) LIKE UPPER('%text%')`, which a b-tree
cannot serve; a GIN trigram index on the same expression can, so the search stays fast at
100k accounts. pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
SQLite keeps scanning (embedded-size data)."""

from django.db import migrations

INDEXES = {
    "account_name_trgm": "UPPER(name::text)",
    "account_domain_trgm": "UPPER(domain::text)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, expression in INDEXES.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON accounts_account USING gin ({expression} gin_trgm_ops)"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_usageevent_partitions")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
