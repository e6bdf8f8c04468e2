"""AccountDailyContact: the narrow (account, day, contact) form of AccountDailyUsage.contact_ids,
filled here from the existing rollups (accounts.rollups keeps both from now on)."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        sql = """
            INSERT INTO accounts_accountdailycontact (account_id, day, contact_id)
            SELECT DISTINCT r.account_id, r.day, c.value::bigint
            FROM accounts_accountdailyusage r, jsonb_array_elements_text(r.contact_ids) c
            ON CONFLICT DO NOTHING
        """
    else:
        sql = """
            INSERT OR IGNORE INTO accounts_accountdailycontact (account_id, day, contact_id)
            SELECT DISTINCT r.account_id, r.day, c.value
            FROM accounts_accountdailyusage r, json_each(r.contact_ids) c
            WHERE c.value IS NOT NULL
        """
    with conn.cursor() as cursor:
        cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_account_search_trigram"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountDailyContact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("contact_id", models.BigIntegerField()),
                (
                    "account",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.account",
                    ),
                ),
            ],
            options={
                "ordering": ["account_id", "day", "contact_id"],
                "constraints": [
                    models.UniqueConstraint(fields=("account", "day", "contact_id"), name="usage_contact_account_day")
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
