from django.db import migrations


class Migration(migrations.Migration):
    """Opportunities and risks were built side by side, each from an empty app."""

    dependencies = [
        ("renewals", "0001_opportunities"),
        ("renewals", "0001_risks"),
    ]

    operations: list = []
