"""UsageEvent, AccountDailyUsage and AccountDailyContact now belong to the usage app (usage 0001):
they leave accounts' state only; their tables, data, indexes and partitions stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0016_activity_account_kind_time"),
        ("usage", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AccountDailyContact"),
                migrations.DeleteModel(name="AccountDailyUsage"),
                migrations.DeleteModel(name="UsageEvent"),
            ],
            database_operations=[],
        )
    ]
