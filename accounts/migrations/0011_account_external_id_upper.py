"""PostgreSQL only: a b-tree on UPPER(external_id) for the portfolio search.

The search is `name icontains q OR domain icontains q OR external_id iexact q`. With the
trigram indexes of 0008 serving the first two arms but nothing serving the third, PostgreSQL
cannot combine index scans (BitmapOr needs every arm indexed) and scans the whole table:
measured at 100,000 accounts, the count for "Summit" took 160 ms as a seq scan, 53 ms as a
BitmapOr over the three indexes."""

from django.db import migrations

NAME = "account_external_id_upper"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON accounts_account (UPPER(external_id::text))")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_usage_rollup_events_covering")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
