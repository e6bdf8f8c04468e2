"""The usage models move here from accounts without moving data (docs/decisions.md "usage: its own
app"): the state gets them, the tables stay what accounts made (db_table keeps their names, and
the PostgreSQL partitions, per-partition unique indexes and triggers of accounts 0007, 0013 and
0014 are untouched). accounts 0017 drops them from accounts' state."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("accounts", "0016_activity_account_kind_time")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AccountDailyContact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
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
                        "db_table": "accounts_accountdailycontact",
                        "ordering": ["account_id", "day", "contact_id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("account", "day", "contact_id"), name="usage_contact_account_day"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="AccountDailyUsage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                        ("events", models.PositiveIntegerField(default=0)),
                        ("active_contacts", models.PositiveIntegerField(default=0)),
                        ("contact_ids", models.JSONField(blank=True, default=list)),
                        ("features", models.JSONField(blank=True, default=dict)),
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
                        "verbose_name_plural": "account daily usage",
                        "db_table": "accounts_accountdailyusage",
                        "ordering": ["account_id", "day"],
                        "indexes": [models.Index(fields=["day", "account"], name="usage_rollup_day")],
                        "constraints": [
                            models.UniqueConstraint(fields=("account", "day"), name="usage_rollup_account_day")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="UsageEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("event", models.CharField(max_length=128)),
                        ("occurred_at", models.DateTimeField()),
                        ("properties", models.JSONField(blank=True, default=dict)),
                        ("message_id", models.CharField(blank=True, max_length=128, null=True)),
                        ("message_key", models.BigIntegerField(blank=True, editable=False, null=True)),
                        (
                            "account",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.account",
                            ),
                        ),
                        (
                            "contact",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="accounts.contact",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_usageevent",
                        "ordering": ["-occurred_at"],
                        "indexes": [models.Index(fields=["account", "occurred_at"], name="usage_account_time")],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("message_key__isnull", False)),
                                fields=("message_key",),
                                name="usage_message_key",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        )
    ]
