"""Overrides that ended before `settled_at` existed are settled: their end is history, not news,
so the first recompute after this migration does not announce them (override_ended) nor mark a
band change of their account as caused by an override."""

from django.db import migrations
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Least
from django.utils import timezone


def settle(apps, schema_editor):
    HealthOverride = apps.get_model("health", "HealthOverride")
    now = timezone.now()
    HealthOverride.objects.filter(settled_at=None).filter(Q(expires_at__lte=now) | Q(cleared_at__lte=now)).update(
        settled_at=Least(F("expires_at"), Coalesce(F("cleared_at"), F("expires_at")))
    )


class Migration(migrations.Migration):
    dependencies = [("health", "0003_healthoverride_settled_at")]

    operations = [migrations.RunPython(settle, migrations.RunPython.noop)]
