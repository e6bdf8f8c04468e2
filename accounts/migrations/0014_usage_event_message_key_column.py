"""Usage event dedupe keys move into the events table (docs/decisions.md "Usage events table").

The day-leading key (0012) lived in its own table, accounts_usageeventkey: one more COPY per
batch, and a table that only ever grew (dropping an old month of events left its keys behind).
Now each event carries its key in `message_key`, unique where set: on PostgreSQL by a partial
unique index on every month partition (and the DEFAULT one). A key leads with its event's UTC
day, so it can only be in its event's month: unique per partition is unique over the table.
Partitions made later get the same index from accounts.ingest.usage_partitions_ensure. On
SQLite, one partial unique index.

Existing events get their keys here, the first stored row of each key keeps it (a later row
with the same key was a repeat the key table had refused, or a row written around it). The SQL
and Python are frozen here, not imported."""

from datetime import UTC, date
from hashlib import md5

from django.db import migrations, models

TABLE = "accounts_usageevent"
KEY_SQL = (
    "(((occurred_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01' - 32768)::bigint * 281474976710656 "
    "+ ('x' || substr(md5(message_id), 1, 12))::bit(48)::bigint)"
)
UNIX_ORDINAL = date(1970, 1, 1).toordinal()


def _key(message_id: str, moment) -> int:
    digest = md5(message_id.encode(), usedforsecurity=False).digest()
    day = moment.astimezone(UTC).date()
    return (day.toordinal() - UNIX_ORDINAL - 32768) * 2**48 + int.from_bytes(digest[:6], "big")


def _partitions(cursor) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY 1",
        [TABLE],
    )
    return [name for (name,) in cursor.fetchall()]


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} e SET message_key = f.key FROM ("
                f"  SELECT DISTINCT ON (key) id, occurred_at, key FROM ("
                f"    SELECT id, occurred_at, {KEY_SQL} AS key FROM {TABLE} WHERE message_id IS NOT NULL"
                "  ) k ORDER BY key, id"
                ") f WHERE e.id = f.id AND e.occurred_at = f.occurred_at"
            )
            for name in _partitions(cursor):
                cursor.execute(
                    f"CREATE UNIQUE INDEX IF NOT EXISTS {name}_message_key ON {name} (message_key) "
                    "WHERE message_key IS NOT NULL"
                )
        return
    UsageEvent = apps.get_model("accounts", "UsageEvent")
    seen: set[int] = set()
    changed = []
    for event in UsageEvent.objects.exclude(message_id=None).order_by("id").only("id", "message_id", "occurred_at"):
        key = _key(event.message_id, event.occurred_at)
        if key not in seen:
            seen.add(key)
            event.message_key = key
            changed.append(event)
    UsageEvent.objects.bulk_update(changed, ["message_key"], batch_size=500)
    schema_editor.execute(
        f"CREATE UNIQUE INDEX usage_message_key ON {TABLE} (message_key) WHERE message_key IS NOT NULL"
    )


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO accounts_usageeventkey (key) SELECT message_key FROM accounts_usageevent "
                "WHERE message_key IS NOT NULL ON CONFLICT DO NOTHING"
            )
            for name in _partitions(cursor):
                cursor.execute(f"DROP INDEX IF EXISTS {name}_message_key")
        return
    UsageEvent = apps.get_model("accounts", "UsageEvent")
    UsageEventKey = apps.get_model("accounts", "UsageEventKey")
    keys = UsageEvent.objects.exclude(message_key=None).values_list("message_key", flat=True)
    UsageEventKey.objects.bulk_create([UsageEventKey(key=k) for k in keys], batch_size=500, ignore_conflicts=True)
    schema_editor.execute("DROP INDEX IF EXISTS usage_message_key")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0013_ingest_id_generation")]

    operations = [
        migrations.AddField(
            model_name="usageevent",
            name="message_key",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
        # In the state, so that a table rebuild on SQLite keeps the index; the database side is
        # forwards() (PostgreSQL cannot put it on the partitioned parent).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="usageevent",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(message_key__isnull=False), fields=("message_key",), name="usage_message_key"
                    ),
                )
            ]
        ),
        migrations.DeleteModel(name="UsageEventKey"),
    ]
