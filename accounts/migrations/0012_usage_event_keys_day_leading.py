"""Usage event dedupe keys lead with the event's UTC day (docs/decisions.md "Usage events table").

The key was the first 8 bytes of the message id's MD5: random over the whole history, so every
batch of new keys touched pages all over an index that outgrows shared_buffers (10,000 keys cost
~69 ms at 20M keys, against ~15 ms for day-leading keys, measured). Now it is the UTC day number
less 32768 in the top 16 bits and the first 6 bytes of the MD5 below (accounts.ingest.message_key).
The keys cannot be converted (they hold no id), so they are rebuilt from the stored events.
The SQL and Python are frozen here, not imported: later changes to the live code must not change
what this migration did."""

from datetime import UTC, date
from hashlib import md5

from django.db import migrations

DAY_KEY_SQL = (
    "(((occurred_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01' - 32768)::bigint * 281474976710656 "
    "+ ('x' || substr(md5(message_id), 1, 12))::bit(48)::bigint)"
)
OLD_KEY_SQL = "('x' || substr(md5(message_id), 1, 16))::bit(64)::bigint"
UNIX_ORDINAL = date(1970, 1, 1).toordinal()


def _day_key(message_id: str, moment) -> int:
    digest = md5(message_id.encode(), usedforsecurity=False).digest()
    day = moment.astimezone(UTC).date()
    return (day.toordinal() - UNIX_ORDINAL - 32768) * 2**48 + int.from_bytes(digest[:6], "big")


def _old_key(message_id: str, moment) -> int:
    return int.from_bytes(md5(message_id.encode(), usedforsecurity=False).digest()[:8], "big", signed=True)


def _rebuild(apps, schema_editor, sql: str, python_key) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE accounts_usageeventkey")
            cursor.execute(
                f"INSERT INTO accounts_usageeventkey (key) SELECT DISTINCT {sql} FROM accounts_usageevent "
                "WHERE message_id IS NOT NULL ON CONFLICT DO NOTHING"
            )
        return
    UsageEvent = apps.get_model("accounts", "UsageEvent")
    UsageEventKey = apps.get_model("accounts", "UsageEventKey")
    UsageEventKey.objects.all().delete()
    keys = {
        python_key(m, at)
        for m, at in UsageEvent.objects.exclude(message_id=None).values_list("message_id", "occurred_at")
    }
    UsageEventKey.objects.bulk_create([UsageEventKey(key=k) for k in sorted(keys)], batch_size=500)


def forwards(apps, schema_editor):
    _rebuild(apps, schema_editor, DAY_KEY_SQL, _day_key)


def backwards(apps, schema_editor):
    _rebuild(apps, schema_editor, OLD_KEY_SQL, _old_key)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_account_external_id_upper")]

    operations = [migrations.RunPython(forwards, backwards)]
