from django.db import migrations

# Copied, not imported: a migration must not change when the model's defaults change later.
DEFAULT_DAYS = {"strategic": 3, "key": 7, "standard": 30, "tech_touch": 90}


def create_defaults(apps, schema_editor):
    TouchCadence = apps.get_model("accounts", "TouchCadence")
    for tier, days in DEFAULT_DAYS.items():
        TouchCadence.objects.get_or_create(tier=tier, defaults={"every_days": days})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_touch_cadence")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
