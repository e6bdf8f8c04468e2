"""The content types of the moved models follow them (accounts -> usage), so their permissions and
the admin log keep pointing at the same rows. Backwards they go back to accounts."""

from django.db import migrations

MODELS = ("usageevent", "accountdailyusage", "accountdailycontact")


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        moving = ContentType.objects.filter(app_label=source, model=model).first()
        if moving is None:
            continue
        # An empty row made by post_migrate for the other label (a migrate back and forth) gives way.
        ContentType.objects.filter(app_label=target, model=model).delete()
        moving.app_label = target
        moving.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _move(apps, "accounts", "usage")


def backwards(apps, schema_editor):
    _move(apps, "usage", "accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("usage", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
